// Evaluation of a model on a data set: the loss, and for classification the accuracy, the
// confusion matrix and per-class precision and recall.
#pragma once

#include <cstddef>
#include <vector>

#include "bpnn/core/tensor.hpp"
#include "bpnn/losses/loss.hpp"
#include "bpnn/model/sequential.hpp"

namespace bpnn {

// The index of the largest value (the first, on ties): a model output's predicted class.
std::size_t argmax(const float* values, std::size_t count);

// Whether targets make a classification task for a model with `outputs` outputs: [N] class
// indices, or [N, C] one-hot rows with C = outputs > 1. Otherwise they are regression targets.
bool is_classification(TensorView<const float> targets, std::size_t outputs);

// The class that sample n's target stands for: its index ([N] targets) or its one-hot row's argmax.
std::size_t target_class(TensorView<const float> targets, std::size_t n);

struct Evaluation {
  double loss = 0.0;          // the loss's mean over the samples (as one batch of all of them)
  std::size_t samples = 0;
  bool classification = false;
  double accuracy = 0.0;      // classification only
  std::size_t classes = 0;
  // confusion[true * classes + predicted]: how many samples of class `true` were predicted `predicted`.
  std::vector<std::size_t> confusion;
  std::vector<std::size_t> predicted;  // per sample, classification only
  double mse = 0.0;           // regression only: mean squared and absolute error over all outputs
  double mae = 0.0;

  double precision(std::size_t c) const;  // of the samples predicted c, the share that are c (0 if none)
  double recall(std::size_t c) const;     // of the samples of class c, the share predicted c (0 if none)
};

// Runs the model over inputs [N, input shape...] in batches of batch_size and scores the outputs
// against targets. Classification when targets are [N] class indices, or [N, C] with C > 1
// outputs treated as one-hot (argmax); regression otherwise.
Evaluation evaluate(const Sequential<float>& model, const Loss<float>& loss, TensorView<const float> inputs,
                    TensorView<const float> targets, std::size_t batch_size = 256);

}  // namespace bpnn
