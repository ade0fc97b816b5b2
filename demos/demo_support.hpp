// What every demo shares: fixed-digit number formatting and the --trace file (JSON lines).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bpnn::examples {

// value with exactly `digits` decimals, as the tutorials print them.
std::string fixed(double value, int digits = 9);

// One JSON object per line, written atomically when the demo ends. Each record has a "record"
// field naming its kind; the other fields are numbers, lists of numbers or strings (docs/demos.md).
class Trace {
 public:
  // An empty path means no trace: every call is then a no-op.
  explicit Trace(std::string path) : path_(std::move(path)) {}

  Trace& begin(const std::string& record);
  Trace& field(const std::string& name, double value);
  Trace& field(const std::string& name, const std::vector<double>& values);
  Trace& field(const std::string& name, const std::string& value);
  void end();
  // Writes the file (temporary file, then rename). Throws bpnn::Error naming the path on failure.
  void save() const;
  bool enabled() const { return !path_.empty(); }

 private:
  std::string path_;
  std::string lines_;
  std::string current_;
};

}  // namespace bpnn::examples
