#include "charts.hpp"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include "bpnn/core/error.hpp"
#include "bpnn/core/file.hpp"
#include "bpnn/io/csv.hpp"

namespace bpnn::cli {
namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

double parse_field(const std::string& text, const std::string& path, std::size_t line) {
  if (text.empty()) return kMissing;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) {
    throw Error(path + ":" + std::to_string(line) + ": '" + text + "' is not a number");
  }
  return value;
}

std::string format(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", v);
  return text;
}

// 10^e, exact for |e| <= 22 (every such power of ten is a double).
double power_of_ten(int e) {
  if (e < -22 || e > 22) return std::pow(10.0, e);
  double p = 1;
  for (int i = 0; i < std::abs(e); ++i) p *= 10;
  return e < 0 ? 1 / p : p;
}

// A tick step mantissa x 10^exponent, mantissa 1, 2 or 5.
struct Step {
  double mantissa = 1;
  int exponent = 0;
  double value() const { return exponent < 0 ? mantissa / power_of_ten(-exponent) : mantissa * power_of_ten(exponent); }
  // i * step, rounded once: an integer divided by an exact power of ten is the double nearest the decimal.
  double tick(double i) const {
    return exponent < 0 ? i * mantissa / power_of_ten(-exponent) : i * mantissa * power_of_ten(exponent);
  }
};

// A tolerance in units of the step, so 0.3 / 0.1 = 2.9999999999999996 counts as 3.
constexpr double kSlack = 1e-9;

// The smallest 1-2-5 step with at most max_ticks multiples in [low, high] (low < high, both finite).
Step nice_step(double low, double high, std::size_t max_ticks) {
  Step step{1, static_cast<int>(std::floor(std::log10((high - low) / static_cast<double>(max_ticks)))) - 1};
  for (int tries = 0; tries < 40; ++tries) {
    for (double mantissa : {1.0, 2.0, 5.0}) {
      step.mantissa = mantissa;
      const double first = std::ceil(low / step.value() - kSlack), last = std::floor(high / step.value() + kSlack);
      if (last - first + 1 <= static_cast<double>(max_ticks)) return step;
    }
    ++step.exponent;
  }
  return step;
}

// Ticks from a multiple of a nice step at or below low to one at or above high: an axis range
// that ends on labelled ticks.
struct Ticks {
  std::vector<double> at;
  double step = 1;
};
Ticks covering_ticks(double low, double high, std::size_t max_ticks) {
  if (!(high > low)) {
    const double pad = low == 0 ? 1 : std::abs(low) * 0.1;
    low -= pad, high += pad;
  }
  const Step step = nice_step(low, high, std::max<std::size_t>(max_ticks, 2));
  const double first = std::floor(low / step.value() + kSlack), last = std::ceil(high / step.value() - kSlack);
  Ticks ticks{{}, step.value()};
  for (double i = first; i <= last; ++i) ticks.at.push_back(step.tick(i));
  return ticks;
}

// The plot area of one chart in SVG coordinates and the data range it shows.
struct Axes {
  double left, top, width, height;
  double x0, x1, y0, y1;
  double px(double x) const { return left + (x - x0) / (x1 - x0) * width; }
  double py(double y) const { return top + (1 - (y - y0) / (y1 - y0)) * height; }
};

// The frame, horizontal grid lines with labels at y_ticks, labels at x_ticks, a title above and
// the axis names.
void draw_axes(std::ostringstream& svg, const Axes& a, const Ticks& x_ticks, const Ticks& y_ticks,
               const std::string& title, const std::string& x_label, const std::string& y_label) {
  svg << "<text x='" << a.left + a.width / 2 << "' y='" << a.top - 12
      << "' text-anchor='middle' font-weight='bold'>" << title << "</text>\n";
  for (double v : y_ticks.at) {
    svg << "<line x1='" << a.left << "' x2='" << a.left + a.width << "' y1='" << a.py(v) << "' y2='" << a.py(v)
        << "' stroke='#eee'/>\n<text x='" << a.left - 6 << "' y='" << a.py(v) + 4
        << "' text-anchor='end' font-size='11'>" << tick_label(v, y_ticks.step) << "</text>\n";
  }
  for (double v : x_ticks.at) {
    svg << "<line x1='" << a.px(v) << "' x2='" << a.px(v) << "' y1='" << a.top + a.height << "' y2='"
        << a.top + a.height + 4 << "' stroke='#999'/>\n<text x='" << a.px(v) << "' y='" << a.top + a.height + 16
        << "' text-anchor='middle' font-size='11'>" << tick_label(v, x_ticks.step) << "</text>\n";
  }
  svg << "<rect x='" << a.left << "' y='" << a.top << "' width='" << a.width << "' height='" << a.height
      << "' fill='none' stroke='#999'/>\n";
  svg << "<text x='" << a.left + a.width / 2 << "' y='" << a.top + a.height + 34
      << "' text-anchor='middle' font-size='12'>" << x_label << "</text>\n";
  if (!y_label.empty()) {
    svg << "<text transform='translate(" << a.left - 44 << "," << a.top + a.height / 2
        << ") rotate(-90)' text-anchor='middle' font-size='12'>" << y_label << "</text>\n";
  }
}

struct Series {
  const char* name;
  const char* color;
  const std::vector<double>* y;
  const char* dashes;  // stroke-dasharray, "" for solid
};

bool any_finite(const std::vector<double>& values) {
  return std::any_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
}

// One panel of the training curves, `left` from the SVG's left edge: one polyline per series with
// values, a legend. unit_range: the values are shares in [0, 1].
void panel(std::ostringstream& svg, double left, const char* title, const std::vector<double>& x,
           const std::vector<Series>& series, bool unit_range) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const Series& s : series) {
    for (double v : *s.y) {
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    }
  }
  if (!std::isfinite(lo)) return;
  if (unit_range) hi = std::min(1.0, hi + 0.02), lo = std::max(0.0, lo - 0.02);
  if (!unit_range) lo = std::min(lo, 0.0);
  const Ticks y_ticks = covering_ticks(lo, hi, 6);
  const double x0 = x.empty() ? 0 : x.front(), x1 = x.empty() ? 1 : std::max(x.back(), x0 + 1);
  Ticks x_ticks{{}, 1};
  for (double v : nice_ticks(x0, x1, 8)) {
    if (v == std::round(v)) x_ticks.at.push_back(v);  // epochs are whole numbers
  }
  const Axes a{left + 60, 30, 360, 230, x0, x1, y_ticks.at.front(), y_ticks.at.back()};
  draw_axes(svg, a, x_ticks, y_ticks, title, "epoch", "");
  double legend_y = a.top + 16;
  for (const Series& s : series) {
    std::string points;
    for (std::size_t i = 0; i < x.size() && i < s.y->size(); ++i) {
      if (std::isfinite((*s.y)[i])) points += format(a.px(x[i])) + "," + format(a.py((*s.y)[i])) + " ";
    }
    if (points.empty()) continue;
    const std::string dashes = *s.dashes ? std::string(" stroke-dasharray='") + s.dashes + "'" : "";
    svg << "<polyline fill='none' stroke='" << s.color << "' stroke-width='2'" << dashes << " points='" << points
        << "'/>\n";
    svg << "<line x1='" << a.left + a.width - 110 << "' x2='" << a.left + a.width - 85 << "' y1='" << legend_y - 4
        << "' y2='" << legend_y - 4 << "' stroke='" << s.color << "' stroke-width='2'" << dashes << "/>\n<text x='"
        << a.left + a.width - 80 << "' y='" << legend_y << "' font-size='12'>" << s.name << "</text>\n";
    legend_y += 16;
  }
}

}  // namespace

std::vector<double> nice_ticks(double low, double high, std::size_t max_ticks) {
  if (!std::isfinite(low) || !std::isfinite(high) || !std::isfinite(high - low)) return {};
  if (low > high) std::swap(low, high);
  if (low == high) {
    const double pad = low == 0 ? 1 : std::abs(low) * 0.1;
    low -= pad, high += pad;
  }
  const Step step = nice_step(low, high, std::max<std::size_t>(max_ticks, 2));
  std::vector<double> ticks;
  const double first = std::ceil(low / step.value() - kSlack), last = std::floor(high / step.value() + kSlack);
  for (double i = first; i <= last; ++i) ticks.push_back(step.tick(i));
  return ticks;
}

std::string tick_label(double value, double step) {
  char text[48];
  const int magnitude = static_cast<int>(std::floor(std::log10(std::abs(step)) + kSlack));
  if (value == 0 || std::abs(value) < std::abs(step) * kSlack) return "0";
  if (magnitude < -6 || std::abs(value) >= 1e9) {
    // Enough significant digits to tell ticks a step apart.
    const int digits = std::max(1, static_cast<int>(std::floor(std::log10(std::abs(value)))) - magnitude + 1);
    std::snprintf(text, sizeof text, "%.*g", digits, value);
    return text;
  }
  std::snprintf(text, sizeof text, "%.*f", std::max(0, -magnitude), value);
  std::string label = text;
  if (label.find('.') != std::string::npos) {
    label.erase(label.find_last_not_of('0') + 1);
    if (label.back() == '.') label.pop_back();
  }
  return label;
}

TrainingLog read_training_log(const std::string& path) {
  const std::string text = read_file(path);
  const std::vector<CsvRecord> records = read_csv_records(text, path);
  if (records.empty() || records[0].line != 1 || records[0].fields.size() < 2 || records[0].fields[0] != "epoch" ||
      records[0].fields[1] != "train_loss") {
    throw Error(path + ":1: not a bpnn training log (expected the header epoch,train_loss,...)");
  }
  TrainingLog log;
  const std::pair<const char*, std::vector<double>*> known[] = {
      {"epoch", &log.epoch},         {"train_loss", &log.train_loss}, {"train_accuracy", &log.train_accuracy},
      {"test_loss", &log.test_loss}, {"test_accuracy", &log.test_accuracy}, {"val_loss", &log.val_loss},
      {"val_accuracy", &log.val_accuracy}, {"seconds", &log.seconds}};
  // Each header column's vector, or null for a column this reader does not know.
  std::vector<std::vector<double>*> columns;
  for (const std::string& name : records[0].fields) {
    std::vector<double>* column = nullptr;
    for (const auto& [known_name, vector] : known) {
      if (name == known_name) column = vector;
    }
    columns.push_back(column);
  }
  for (std::size_t r = 1; r < records.size(); ++r) {
    const std::vector<std::string>& fields = records[r].fields;
    if (fields.size() != columns.size()) {
      throw Error(path + ":" + std::to_string(records[r].line) + ": expected " + std::to_string(columns.size()) +
                  " fields, as in the header, found " + std::to_string(fields.size()));
    }
    for (std::size_t k = 0; k < fields.size(); ++k) {
      if (columns[k] != nullptr) columns[k]->push_back(parse_field(fields[k], path, records[r].line));
    }
    // A column the header lacks reads as NaN, so every vector has a value per epoch.
    for (const auto& [known_name, vector] : known) vector->resize(log.epoch.size(), kMissing);
  }
  if (log.epoch.empty()) throw Error(path + ": the log has no epochs");
  return log;
}

std::string training_curves_svg(const TrainingLog& log) {
  const bool accuracy = any_finite(log.train_accuracy) || any_finite(log.test_accuracy) || any_finite(log.val_accuracy);
  const int width = accuracy ? 900 : 450;
  std::ostringstream svg;
  svg << "<svg xmlns='http://www.w3.org/2000/svg' width='" << width << "' height='300' font-family='sans-serif'>\n"
      << "<rect width='" << width << "' height='300' fill='white'/>\n";
  panel(svg, 0, "loss", log.epoch,
        {{"train", "#1f77b4", &log.train_loss, ""},
         {"test", "#d62728", &log.test_loss, "6 3"},
         {"validation", "#2ca02c", &log.val_loss, "2 3"}},
        false);
  if (accuracy) {  // regression logs no accuracy: the loss panel alone
    panel(svg, 450, "accuracy", log.epoch,
          {{"train", "#1f77b4", &log.train_accuracy, ""},
           {"test", "#d62728", &log.test_accuracy, "6 3"},
           {"validation", "#2ca02c", &log.val_accuracy, "2 3"}},
          true);
  }
  svg << "</svg>\n";
  return svg.str();
}

std::string scatter_svg(const ScatterPlot& plot) {
  const double width = 420, height = 380;
  double x_lo = std::numeric_limits<double>::infinity(), x_hi = -x_lo, y_lo = x_lo, y_hi = -x_lo;
  for (std::size_t i = 0; i < plot.x.size() && i < plot.y.size(); ++i) {
    if (!std::isfinite(plot.x[i]) || !std::isfinite(plot.y[i])) continue;
    x_lo = std::min(x_lo, plot.x[i]), x_hi = std::max(x_hi, plot.x[i]);
    y_lo = std::min(y_lo, plot.y[i]), y_hi = std::max(y_hi, plot.y[i]);
  }
  if (!std::isfinite(x_lo)) x_lo = y_lo = 0, x_hi = y_hi = 1;
  if (plot.reference == ScatterPlot::Reference::diagonal) {
    // One range on both axes, so y = x is the diagonal and distances read alike.
    x_lo = y_lo = std::min(x_lo, y_lo);
    x_hi = y_hi = std::max(x_hi, y_hi);
  } else {
    y_lo = std::min(y_lo, 0.0), y_hi = std::max(y_hi, 0.0);
  }
  const Ticks x_ticks = covering_ticks(x_lo, x_hi, 6), y_ticks = covering_ticks(y_lo, y_hi, 6);
  const Axes a{70, 30, width - 90, height - 80, x_ticks.at.front(), x_ticks.at.back(), y_ticks.at.front(),
               y_ticks.at.back()};
  std::ostringstream svg;
  svg << "<svg xmlns='http://www.w3.org/2000/svg' class='scatter' width='" << width << "' height='" << height
      << "' font-family='sans-serif'>\n<rect width='" << width << "' height='" << height << "' fill='white'/>\n";
  draw_axes(svg, a, x_ticks, y_ticks, plot.title, plot.x_label, plot.y_label);
  if (plot.reference == ScatterPlot::Reference::diagonal) {
    const double lo = std::max(a.x0, a.y0), hi = std::min(a.x1, a.y1);
    svg << "<line x1='" << a.px(lo) << "' y1='" << a.py(lo) << "' x2='" << a.px(hi) << "' y2='" << a.py(hi)
        << "' stroke='#888' stroke-dasharray='6 3'/>\n";
  } else {
    svg << "<line x1='" << a.left << "' y1='" << a.py(0) << "' x2='" << a.left + a.width << "' y2='" << a.py(0)
        << "' stroke='#888' stroke-dasharray='6 3'/>\n";
  }
  svg << "<g fill='#1f77b4' fill-opacity='0.6'>\n";
  for (std::size_t i = 0; i < plot.x.size() && i < plot.y.size(); ++i) {
    if (!std::isfinite(plot.x[i]) || !std::isfinite(plot.y[i])) continue;
    svg << "<circle cx='" << format(a.px(plot.x[i])) << "' cy='" << format(a.py(plot.y[i])) << "' r='2.5'/>\n";
  }
  svg << "</g>\n</svg>\n";
  return svg.str();
}

std::string encode_png(const std::vector<std::uint8_t>& pixels, std::size_t width, std::size_t height) {
  auto be32 = [](std::string& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
  };
  auto chunk = [&](std::string& out, const char* type, const std::string& data) {
    be32(out, static_cast<std::uint32_t>(data.size()));
    const std::string body = std::string(type, 4) + data;
    out += body;
    be32(out, static_cast<std::uint32_t>(
                  crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()))));
  };
  std::string header;
  be32(header, static_cast<std::uint32_t>(width));
  be32(header, static_cast<std::uint32_t>(height));
  header += std::string("\x08\x00\x00\x00\x00", 5);  // 8-bit grey, deflate, no filter, no interlace
  std::string raw;  // each row: filter byte 0, then the pixels
  for (std::size_t r = 0; r < height; ++r) {
    raw.push_back('\0');
    raw.append(reinterpret_cast<const char*>(pixels.data() + r * width), width);
  }
  uLongf size = compressBound(static_cast<uLong>(raw.size()));
  std::string compressed(size, '\0');
  compress(reinterpret_cast<Bytef*>(compressed.data()), &size, reinterpret_cast<const Bytef*>(raw.data()),
           static_cast<uLong>(raw.size()));
  compressed.resize(size);
  std::string png("\x89PNG\r\n\x1a\n", 8);
  chunk(png, "IHDR", header);
  chunk(png, "IDAT", compressed);
  chunk(png, "IEND", "");
  return png;
}

std::string base64(const std::string& bytes) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += {alphabet[v >> 18], alphabet[(v >> 12) & 63], alphabet[(v >> 6) & 63], alphabet[v & 63]};
  }
  if (i + 1 == bytes.size()) {
    const unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    out += {alphabet[v >> 18], alphabet[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == bytes.size()) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += {alphabet[v >> 18], alphabet[(v >> 12) & 63], alphabet[(v >> 6) & 63], '='};
  }
  return out;
}

}  // namespace bpnn::cli
