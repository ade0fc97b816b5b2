#include "report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "bpnn/core/error.hpp"
#include "bpnn/core/file.hpp"
#include "charts.hpp"

namespace bpnn::cli {
namespace {

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else out += c;
  }
  return out;
}

std::string percent(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f%%", 100 * v);
  return text;
}

void confusion_table(std::ostringstream& html, const Evaluation& e) {
  std::size_t largest = 1;
  for (std::size_t v : e.confusion) largest = std::max(largest, v);
  html << "<table class='confusion'><tr><th>true \\ predicted</th>";
  for (std::size_t p = 0; p < e.classes; ++p) html << "<th>" << p << "</th>";
  html << "<th>recall</th></tr>\n";
  for (std::size_t t = 0; t < e.classes; ++t) {
    html << "<tr><th>" << t << "</th>";
    for (std::size_t p = 0; p < e.classes; ++p) {
      const std::size_t v = e.confusion[t * e.classes + p];
      // Correct cells shade blue, errors red, by their share of the largest cell.
      const double share = std::sqrt(static_cast<double>(v) / static_cast<double>(largest));
      const int fade = static_cast<int>(255 - 180 * share);
      char style[64];
      std::snprintf(style, sizeof style, t == p ? "background:rgb(%d,%d,255)" : "background:rgb(255,%d,%d)", fade,
                    fade);
      html << "<td style='" << (v == 0 ? "" : style) << "'>" << (v == 0 ? "" : std::to_string(v)) << "</td>";
    }
    html << "<td>" << percent(e.recall(t)) << "</td></tr>\n";
  }
  html << "<tr><th>precision</th>";
  for (std::size_t p = 0; p < e.classes; ++p) html << "<td>" << percent(e.precision(p)) << "</td>";
  html << "<td></td></tr></table>\n";
}

void misclassified_grid(std::ostringstream& html, const Evaluation& e, const PreparedData& data,
                        std::pair<float, float> range) {
  const TensorView<const float> inputs = data.inputs();
  const std::size_t pixels = inputs.sample_size();
  const std::size_t side = static_cast<std::size_t>(std::lround(std::sqrt(static_cast<double>(pixels))));
  if (side * side != pixels) return;
  std::vector<std::size_t> wrong;
  for (std::size_t n = 0; n < e.samples; ++n) {
    if (e.predicted[n] != target_class(data.targets, n)) wrong.push_back(n);
  }
  html << "<h2>Misclassified samples</h2><p>" << wrong.size() << " of " << e.samples
       << " samples are misclassified" << (wrong.size() > 200 ? "; the first 200 are shown" : "")
       << ". Each shows the true class and, in red, the predicted one.</p><div class='grid'>\n";
  const double low = range.first, span = range.second - range.first == 0 ? 1.0 : range.second - range.first;
  for (std::size_t k = 0; k < wrong.size() && k < 200; ++k) {
    const std::size_t n = wrong[k];
    std::vector<std::uint8_t> image(pixels);
    for (std::size_t i = 0; i < pixels; ++i) {
      const double v = (inputs[n * pixels + i] - low) / span;
      image[i] = static_cast<std::uint8_t>(std::clamp(std::lround(255 * (1 - v)), 0L, 255L));  // ink dark on white
    }
    const std::size_t truth = target_class(data.targets, n);
    html << "<figure><img alt='sample " << n << "' src='data:image/png;base64,"
         << base64(encode_png(image, side, side)) << "'><figcaption>#" << n << ": " << truth
         << " <b>&rarr; " << e.predicted[n] << "</b></figcaption></figure>\n";
  }
  html << "</div>\n";
}

}  // namespace

void write_report(const std::string& dir, const ReportInputs& inputs, const Evaluation& e, const PreparedData& data) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) throw Error(dir + ": cannot create the report folder: " + error.message());

  std::ostringstream html;
  html << "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>bpnn report</title>\n<style>\n"
          "body{font-family:sans-serif;margin:2em;color:#222;max-width:1000px}\n"
          ".summary td{padding:2px 12px}.big{font-size:2em;font-weight:bold}\n"
          "table.confusion{border-collapse:collapse;font-size:13px}\n"
          "table.confusion td,table.confusion th{border:1px solid #ccc;padding:4px 8px;text-align:right}\n"
          ".grid{display:flex;flex-wrap:wrap;gap:6px}\n"
          "figure{margin:0;text-align:center;font-size:12px}\n"
          "figure img{width:56px;height:56px;image-rendering:pixelated;border:1px solid #ccc}\n"
          "figcaption b{color:#c00}\n</style></head><body>\n"
       << "<h1>bpnn evaluation report</h1>\n<table class='summary'>"
       << "<tr><td>model</td><td>" << escape(inputs.model_path) << "</td></tr>"
       << "<tr><td>data</td><td>" << escape(inputs.data_path) << " (" << e.samples << " samples)</td></tr>"
       << "<tr><td>loss</td><td>" << e.loss << "</td></tr>";
  if (e.classification) {
    html << "<tr><td>accuracy</td><td class='big'>" << percent(e.accuracy) << "</td></tr>";
  } else {
    html << "<tr><td>MSE</td><td>" << e.mse << "</td></tr><tr><td>MAE</td><td>" << e.mae << "</td></tr>";
  }
  html << "</table>\n";
  if (!inputs.log_path.empty()) {
    const std::string svg = training_curves_svg(read_training_log(inputs.log_path));
    write_file_atomically(dir + "/curves.svg", svg);
    html << "<h2>Training curves</h2>\n" << svg;
  }
  if (e.classification) {
    html << "<h2>Confusion matrix</h2><p>Rows are the true classes, columns the predicted ones.</p>\n";
    confusion_table(html, e);
    misclassified_grid(html, e, data, inputs.input_range);
  }
  html << "</body></html>\n";
  write_file_atomically(dir + "/index.html", html.str());
}

}  // namespace bpnn::cli
