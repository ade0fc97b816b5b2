// The HTML report of `bpnn eval --report DIR`: summary, training curves, confusion matrix and the
// misclassified samples drawn as images.
#pragma once

#include <string>

#include "bpnn/train/metrics.hpp"
#include "data_flags.hpp"

namespace bpnn::cli {

struct ReportInputs {
  std::string model_path;
  std::string data_path;
  std::string log_path;  // empty: no curves
  std::pair<float, float> input_range{0.0f, 1.0f};
};

// Writes DIR/index.html (and DIR/curves.svg when a log is given), creating DIR. Images of the
// misclassified samples are drawn when a sample is a square grey image (e.g. 28 x 28).
void write_report(const std::string& dir, const ReportInputs& inputs, const Evaluation& evaluation,
                  const PreparedData& data);

}  // namespace bpnn::cli
