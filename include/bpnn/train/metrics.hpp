// Evaluation of a model on a data set: the loss; for classification the accuracy, the confusion
// matrix and per-class precision and recall; for regression MSE, MAE, R² and the outputs.
#pragma once

#include <cstddef>
#include <vector>

#include "bpnn/core/tensor.hpp"
#include "bpnn/losses/loss.hpp"
#include "bpnn/model/sequential.hpp"

namespace bpnn {

// The index of the largest value (the first, on ties): a model output's predicted class.
std::size_t argmax(const float* values, std::size_t count);

// What a data set's targets stand for. automatic: read from their shape by is_classification,
// which takes [N, C] rows with C = outputs > 1 for one-hot classes, so regression with several
// outputs (CSV --target-cols K) has to say regression.
enum class Task { automatic, classification, regression };

// Whether targets make a classification task for a model with `outputs` outputs. automatic: [N]
// class indices, or [N, C] one-hot rows with C = outputs > 1; otherwise they are regression targets.
bool is_classification(TensorView<const float> targets, std::size_t outputs, Task task = Task::automatic);

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
  // Regression only: the coefficient of determination as scikit-learn's r2_score with
  // multioutput='uniform_average': per output 1 - SS_res / SS_tot (SS_tot about that output's
  // mean target), then the mean over the outputs. An output whose targets are all equal scores 1
  // when predicted exactly and 0 otherwise (sklearn's force_finite). 1 is perfect, 0 is as good as
  // predicting the mean, and it can be negative.
  double r2 = 0.0;
  std::size_t outputs = 0;          // the model's output count
  std::vector<float> predictions;   // regression only: the outputs, [samples, outputs] row-major

  double precision(std::size_t c) const;  // of the samples predicted c, the share that are c (0 if none)
  double recall(std::size_t c) const;     // of the samples of class c, the share predicted c (0 if none)
};

// Runs the model over inputs [N, input shape...] in batches of batch_size and scores the outputs
// against targets. Classification or regression as is_classification(targets, outputs, task) says:
// [N] class indices, or [N, C] one-hot rows (argmax), unless task is regression.
Evaluation evaluate(const Sequential<float>& model, const Loss<float>& loss, TensorView<const float> inputs,
                    TensorView<const float> targets, std::size_t batch_size = 256, Task task = Task::automatic);

}  // namespace bpnn
