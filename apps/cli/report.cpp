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

// Class c by the name the model keeps, else its id.
std::string class_label(const ReportInputs& inputs, std::size_t c) {
  return escape(c < inputs.class_names.size() ? inputs.class_names[c] : std::to_string(c));
}

std::string percent(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f%%", 100 * v);
  return text;
}

void confusion_table(std::ostringstream& html, const Evaluation& e, const ReportInputs& inputs) {
  std::size_t largest = 1;
  for (std::size_t v : e.confusion) largest = std::max(largest, v);
  html << "<table class='confusion'><tr><th>true \\ predicted</th>";
  for (std::size_t p = 0; p < e.classes; ++p) html << "<th>" << class_label(inputs, p) << "</th>";
  html << "<th>recall</th></tr>\n";
  for (std::size_t t = 0; t < e.classes; ++t) {
    html << "<tr><th>" << class_label(inputs, t) << "</th>";
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

// The misclassified samples' indices, in file order.
std::vector<std::size_t> misclassified(const Evaluation& e, const PreparedData& data) {
  std::vector<std::size_t> wrong;
  for (std::size_t n = 0; n < e.samples; ++n) {
    if (e.predicted[n] != target_class(data.targets, n)) wrong.push_back(n);
  }
  return wrong;
}

// Images: IDX samples ([N, rows, cols]), or a perfect square of at least 64 values (an 8 x 8 digit,
// MNIST as CSV). Anything else is a row of a table.
bool samples_are_images(const PreparedData& data) {
  const std::size_t values = data.inputs().sample_size();
  const std::size_t side = static_cast<std::size_t>(std::lround(std::sqrt(static_cast<double>(values))));
  return data.dataset.inputs.shape().rank() >= 3 || (side * side == values && values >= 64);
}

void misclassified_grid(std::ostringstream& html, const Evaluation& e, const PreparedData& data,
                        const std::vector<std::size_t>& wrong, const ReportInputs& report) {
  const TensorView<const float> inputs = report.raw_inputs;
  const std::size_t pixels = inputs.sample_size();
  // IDX pixels lie in their input range; other images span their smallest to their largest value.
  std::pair<float, float> range = report.input_range;
  if (data.dataset.inputs.shape().rank() < 3 && inputs.size() > 0) {
    const auto [low, high] = std::minmax_element(inputs.data(), inputs.data() + inputs.size());
    range = {*low, *high};
  }
  const std::size_t side = static_cast<std::size_t>(std::lround(std::sqrt(static_cast<double>(pixels))));
  if (side * side != pixels) return;  // IDX images that are not square: not drawn
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
         << base64(encode_png(image, side, side)) << "'><figcaption>#" << n << ": " << class_label(report, truth)
         << " <b>&rarr; " << class_label(report, e.predicted[n]) << "</b></figcaption></figure>\n";
  }
  html << "</div>\n";
}

// Tabular samples: the first misclassified rows as their values in the file (before the model's
// input scaling), 4 significant digits, under the model's names.
void misclassified_table(std::ostringstream& html, const Evaluation& e, const PreparedData& data,
                         const std::vector<std::size_t>& wrong, const ReportInputs& report) {
  constexpr std::size_t kRows = 20, kColumns = 12;
  const TensorView<const float> inputs = report.raw_inputs;
  const std::size_t values = inputs.sample_size(), shown = std::min(values, kColumns);
  html << "<h2>Misclassified samples</h2><p>" << wrong.size() << " of " << e.samples << " samples are misclassified"
       << (wrong.size() > kRows ? "; the first " + std::to_string(kRows) + " are listed" : "")
       << (values > kColumns ? ", with their first " + std::to_string(kColumns) + " input values" : "")
       << ". Samples count from 0; values are as the file has them.</p>\n";
  if (wrong.empty()) return;
  html << "<table class='values'><tr><th>sample</th><th>true</th><th>predicted</th>";
  for (std::size_t i = 0; i < shown; ++i) {
    html << "<th>" << (i < report.feature_names.size() ? escape(report.feature_names[i]) : "x" + std::to_string(i))
         << "</th>";
  }
  if (values > shown) html << "<th>&hellip;</th>";
  html << "</tr>\n";
  for (std::size_t k = 0; k < wrong.size() && k < kRows; ++k) {
    const std::size_t n = wrong[k];
    html << "<tr><td>" << n << "</td><td>" << class_label(report, target_class(data.targets, n))
         << "</td><td class='wrong'>" << class_label(report, e.predicted[n]) << "</td>";
    for (std::size_t i = 0; i < shown; ++i) {
      char text[32];
      std::snprintf(text, sizeof text, "%.4g", static_cast<double>(inputs[n * values + i]));
      html << "<td>" << text << "</td>";
    }
    if (values > shown) html << "<td>&hellip;</td>";
    html << "</tr>\n";
  }
  html << "</table>\n";
}

// Regression: per output (the first few), predicted against true with the line y = x, and the
// residuals (true - predicted) against the prediction, inline and as DIR/*.svg.
void regression_plots(std::ostringstream& html, const std::string& dir, const Evaluation& e, const PreparedData& data,
                      const ReportInputs& report) {
  constexpr std::size_t kOutputs = 4, kPoints = 2000;
  const std::size_t K = e.outputs, drawn = std::min(e.samples, kPoints);
  html << "<h2>Predicted against true</h2><p>Each point is a sample"
       << (e.samples > drawn ? " (the first " + std::to_string(drawn) + " of " + std::to_string(e.samples) + ")" : "")
       << ": on the left its prediction against its target, on the dashed line y = x when exact; on the right its "
          "residual (target &minus; prediction) against the prediction, which should scatter evenly about 0."
       << (K > kOutputs ? " The first " + std::to_string(kOutputs) + " of " + std::to_string(K) + " outputs are shown."
                        : "")
       << "</p>\n";
  for (std::size_t k = 0; k < K && k < kOutputs; ++k) {
    const std::string name =
        k < report.target_names.size() ? escape(report.target_names[k]) : "output " + std::to_string(k);
    ScatterPlot truth_plot{.title = name, .x_label = "true", .y_label = "predicted"};
    ScatterPlot residual_plot{.title = name + " residuals",
                              .x_label = "predicted",
                              .y_label = "true - predicted",
                              .reference = ScatterPlot::Reference::zero};
    for (std::size_t n = 0; n < drawn; ++n) {
      const double predicted = e.predictions[n * K + k], target = data.targets[n * K + k];
      truth_plot.x.push_back(target);
      truth_plot.y.push_back(predicted);
      residual_plot.x.push_back(predicted);
      residual_plot.y.push_back(target - predicted);
    }
    const std::string scatter = scatter_svg(truth_plot), residuals = scatter_svg(residual_plot);
    write_file_atomically(dir + "/scatter_output" + std::to_string(k) + ".svg", scatter);
    write_file_atomically(dir + "/residuals_output" + std::to_string(k) + ".svg", residuals);
    html << "<div class='pair'>\n" << scatter << residuals << "</div>\n";
  }
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
          "figcaption b{color:#c00}\n"
          "table.values{border-collapse:collapse;font-size:13px}\n"
          "table.values td,table.values th{border:1px solid #ccc;padding:3px 8px;text-align:right}\n"
          "table.values td.wrong{color:#c00;font-weight:bold}\n"
          ".pair{display:flex;flex-wrap:wrap;gap:12px}\n</style></head><body>\n"
       << "<h1>bpnn evaluation report</h1>\n<table class='summary'>"
       << "<tr><td>model</td><td>" << escape(inputs.model_path) << "</td></tr>"
       << "<tr><td>data</td><td>" << escape(inputs.data_path) << " (" << e.samples << " samples)</td></tr>"
       << "<tr><td>loss</td><td>" << e.loss << "</td></tr>";
  if (e.classification) {
    html << "<tr><td>accuracy</td><td class='big'>" << percent(e.accuracy) << "</td></tr>";
  } else {
    html << "<tr><td>MSE</td><td>" << e.mse << "</td></tr><tr><td>MAE</td><td>" << e.mae << "</td></tr>"
         << "<tr><td>R²</td><td class='big'>" << e.r2 << "</td></tr>";
  }
  html << "</table>\n";
  if (!inputs.log_path.empty()) {
    const std::string svg = training_curves_svg(read_training_log(inputs.log_path));
    write_file_atomically(dir + "/curves.svg", svg);
    html << "<h2>Training curves</h2>\n" << svg;
  }
  if (e.classification) {
    html << "<h2>Confusion matrix</h2><p>Rows are the true classes, columns the predicted ones.</p>\n";
    confusion_table(html, e, inputs);
    const std::vector<std::size_t> wrong = misclassified(e, data);
    if (samples_are_images(data)) {
      misclassified_grid(html, e, data, wrong, inputs);
    } else {
      misclassified_table(html, e, data, wrong, inputs);
    }
  } else {
    regression_plots(html, dir, e, data, inputs);
  }
  html << "</body></html>\n";
  write_file_atomically(dir + "/index.html", html.str());
}

}  // namespace bpnn::cli
