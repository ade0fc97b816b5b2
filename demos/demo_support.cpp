#include "demo_support.hpp"

#include <cstdio>

#include "bpnn/bpnn.hpp"

namespace bpnn::examples {
namespace {

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);  // round-trips a double
  return text;
}

}  // namespace

std::string fixed(double value, int digits) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", digits, value);
  return text;
}

Trace& Trace::begin(const std::string& record) {
  if (enabled()) current_ = "{\"record\": \"" + record + "\"";
  return *this;
}

Trace& Trace::field(const std::string& name, double value) {
  if (enabled()) current_ += ", \"" + name + "\": " + number(value);
  return *this;
}

Trace& Trace::field(const std::string& name, const std::vector<double>& values) {
  if (!enabled()) return *this;
  current_ += ", \"" + name + "\": [";
  for (std::size_t i = 0; i < values.size(); ++i) current_ += (i ? ", " : "") + number(values[i]);
  current_ += "]";
  return *this;
}

Trace& Trace::field(const std::string& name, const std::string& value) {
  if (enabled()) current_ += ", \"" + name + "\": \"" + value + "\"";
  return *this;
}

void Trace::end() {
  if (enabled()) lines_ += current_ + "}\n";
}

void Trace::save() const {
  if (enabled()) write_file_atomically(path_, lines_);
}

}  // namespace bpnn::examples
