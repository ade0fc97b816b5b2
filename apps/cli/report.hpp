// The HTML report of `bpnn eval --report DIR`: summary and training curves; for classification the
// confusion matrix and the misclassified samples (images, or rows of values for tabular data); for
// regression MSE, MAE, R² and per output predicted-against-true and residual scatter plots.
#pragma once

#include <string>
#include <vector>

#include "bpnn/train/metrics.hpp"
#include "data_flags.hpp"

namespace bpnn::cli {

struct ReportInputs {
  std::string model_path;
  std::string data_path;
  std::string log_path;  // empty: no curves
  std::pair<float, float> input_range{0.0f, 1.0f};  // where IDX pixels lie
  // The inputs as the file holds them, before the model's input scaling, [N, sample dims...].
  TensorView<const float> raw_inputs;
  // The names the model keeps (its data recipe): class id -> name, its inputs', its outputs'. Empty:
  // ids, x0, x1, ... and output0, output1, ...
  std::vector<std::string> class_names, feature_names, target_names;
};

// Writes DIR/index.html (and DIR/curves.svg when a log is given; for regression
// DIR/scatter_outputK.svg and DIR/residuals_outputK.svg for the first 4 outputs), creating DIR.
// Misclassified samples are drawn as images when they are IDX images (in input_range) or a perfect
// square of at least 64 values (8 x 8, 28 x 28; from their smallest to their largest value), and
// listed as their raw values otherwise; classes, inputs and outputs go by the names given.
void write_report(const std::string& dir, const ReportInputs& inputs, const Evaluation& evaluation,
                  const PreparedData& data);

}  // namespace bpnn::cli
