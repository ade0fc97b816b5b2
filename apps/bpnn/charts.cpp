#include "charts.hpp"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include "bpnn/core/error.hpp"
#include "bpnn/core/file.hpp"

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

struct Series {
  const char* name;
  const char* color;
  const std::vector<double>* y;
  bool dashed;
};

std::string format(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", v);
  return text;
}

// One panel: axes with a few ticks, one polyline per series, a legend.
void panel(std::ostringstream& svg, double left, const char* title, const std::vector<double>& x,
           const std::vector<Series>& series, bool unit_range) {
  const double width = 440, height = 300, pad_left = 60, pad_bottom = 40, pad_top = 30;
  const double plot_w = width - pad_left - 20, plot_h = height - pad_bottom - pad_top;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const Series& s : series) {
    for (double v : *s.y) {
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    }
  }
  if (!std::isfinite(lo)) return;
  if (unit_range) hi = std::min(1.0, hi + 0.02), lo = std::max(0.0, lo - 0.02);
  if (!unit_range) lo = std::min(lo, 0.0);
  if (hi - lo < 1e-12) hi = lo + 1;
  const double x0 = x.empty() ? 0 : x.front(), x1 = x.empty() ? 1 : std::max(x.back(), x0 + 1);
  auto px = [&](double v) { return left + pad_left + (v - x0) / (x1 - x0) * plot_w; };
  auto py = [&](double v) { return pad_top + (1 - (v - lo) / (hi - lo)) * plot_h; };

  svg << "<text x='" << left + pad_left + plot_w / 2 << "' y='18' text-anchor='middle' font-weight='bold'>" << title
      << "</text>\n";
  svg << "<rect x='" << left + pad_left << "' y='" << pad_top << "' width='" << plot_w << "' height='" << plot_h
      << "' fill='none' stroke='#999'/>\n";
  for (int i = 0; i <= 4; ++i) {
    const double v = lo + (hi - lo) * i / 4;
    svg << "<line x1='" << left + pad_left << "' x2='" << left + pad_left + plot_w << "' y1='" << py(v) << "' y2='"
        << py(v) << "' stroke='#eee'/>\n<text x='" << left + pad_left - 6 << "' y='" << py(v) + 4
        << "' text-anchor='end' font-size='11'>" << format(v) << "</text>\n";
  }
  const std::size_t step = std::max<std::size_t>(1, x.size() / 8);
  for (std::size_t i = 0; i < x.size(); i += step) {
    svg << "<text x='" << px(x[i]) << "' y='" << pad_top + plot_h + 16 << "' text-anchor='middle' font-size='11'>"
        << format(x[i]) << "</text>\n";
  }
  svg << "<text x='" << left + pad_left + plot_w / 2 << "' y='" << height - 6
      << "' text-anchor='middle' font-size='12'>epoch</text>\n";
  double legend_y = pad_top + 16;
  for (const Series& s : series) {
    std::string points;
    for (std::size_t i = 0; i < x.size() && i < s.y->size(); ++i) {
      if (std::isfinite((*s.y)[i])) points += format(px(x[i])) + "," + format(py((*s.y)[i])) + " ";
    }
    if (points.empty()) continue;
    svg << "<polyline fill='none' stroke='" << s.color << "' stroke-width='2'"
        << (s.dashed ? " stroke-dasharray='6 3'" : "") << " points='" << points << "'/>\n";
    svg << "<line x1='" << left + pad_left + plot_w - 110 << "' x2='" << left + pad_left + plot_w - 85 << "' y1='"
        << legend_y - 4 << "' y2='" << legend_y - 4 << "' stroke='" << s.color << "' stroke-width='2'"
        << (s.dashed ? " stroke-dasharray='6 3'" : "") << "/>\n<text x='" << left + pad_left + plot_w - 80
        << "' y='" << legend_y << "' font-size='12'>" << s.name << "</text>\n";
    legend_y += 16;
  }
}

}  // namespace

TrainingLog read_training_log(const std::string& path) {
  std::istringstream in(read_file(path));
  std::string line;
  if (!std::getline(in, line) || line.rfind("epoch,train_loss", 0) != 0) {
    throw Error(path + ":1: not a bpnn training log (expected the header epoch,train_loss,...)");
  }
  TrainingLog log;
  std::vector<double>* columns[] = {&log.epoch,     &log.train_loss,    &log.train_accuracy,
                                    &log.test_loss, &log.test_accuracy, &log.seconds};
  for (std::size_t number = 2; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    std::vector<std::string> fields(1);
    for (char c : line) {
      if (c == ',') {
        fields.emplace_back();
      } else {
        fields.back().push_back(c);
      }
    }
    if (fields.size() != 6) {
      throw Error(path + ":" + std::to_string(number) + ": expected 6 fields, found " + std::to_string(fields.size()));
    }
    for (std::size_t k = 0; k < 6; ++k) columns[k]->push_back(parse_field(fields[k], path, number));
  }
  if (log.epoch.empty()) throw Error(path + ": the log has no epochs");
  return log;
}

std::string training_curves_svg(const TrainingLog& log) {
  std::ostringstream svg;
  svg << "<svg xmlns='http://www.w3.org/2000/svg' width='900' height='300' font-family='sans-serif'>\n"
      << "<rect width='900' height='300' fill='white'/>\n";
  panel(svg, 0, "loss", log.epoch,
        {{"train", "#1f77b4", &log.train_loss, false}, {"test", "#d62728", &log.test_loss, true}}, false);
  panel(svg, 450, "accuracy", log.epoch,
        {{"train", "#1f77b4", &log.train_accuracy, false}, {"test", "#d62728", &log.test_accuracy, true}}, true);
  svg << "</svg>\n";
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
