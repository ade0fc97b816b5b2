// A data set in memory: the inputs and the targets of N samples, as the readers return it.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "bpnn/core/tensor.hpp"

namespace bpnn {

struct Dataset {
  Tensor<float> inputs;     // [N, sample dims...]: IDX images [N, rows, cols]; CSV and FANN [N, features]
  Tensor<float> targets;    // classification: [N] class indices; regression: [N, K]
  std::size_t classes = 0;  // classification: the largest label + 1 or class_names.size(); regression: 0
  std::string source;       // where it came from, for messages
  // Class id -> name when the labels are names (CSV "setosa"); empty when the labels are the class
  // numbers themselves (IDX, CSV "0", "1", ...).
  std::vector<std::string> class_names;
  // The header's names of the input columns (in the inputs' order), of the label or target columns
  // and of the columns left out (CsvOptions::drop), for a CSV with a header; empty otherwise.
  std::vector<std::string> feature_names;
  std::vector<std::string> target_names;
  std::vector<std::string> dropped_names;

  std::size_t size() const { return inputs.shape().rank() == 0 ? 0 : inputs.shape()[0]; }
};

// Class indices [N] -> one-hot rows [N, classes] holding off, with on at the label (the tutorial
// trains sigmoid outputs toward 0.01 and 0.99). Throws Error for a label >= classes.
Tensor<float> one_hot(const Tensor<float>& labels, std::size_t classes, float off = 0.0f, float on = 1.0f);

// Throws Error when values [N, ...] hold a NaN or an infinity (a float64 beyond float32's range
// becomes one when converted), naming the first as scikit-learn does, with `what` as the subject:
// "Input X contains NaN (sample 2, value 1)." Training on such values would give NaN weights, or
// none of the samples' NaN would show (relu(NaN) is 0) and the model would be silently wrong.
void check_finite(TensorView<const float> values, const std::string& what);

}  // namespace bpnn
