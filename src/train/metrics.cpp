#include "bpnn/train/metrics.hpp"

#include <algorithm>
#include <cmath>

#include "bpnn/core/error.hpp"

namespace bpnn {

std::size_t argmax(const float* values, std::size_t count) {
  return static_cast<std::size_t>(std::max_element(values, values + count) - values);
}

bool is_classification(TensorView<const float> targets, std::size_t outputs, Task task) {
  if (task != Task::automatic) return task == Task::classification;
  return targets.shape().rank() == 1 || (outputs > 1 && targets.sample_size() == outputs);
}

std::size_t target_class(TensorView<const float> targets, std::size_t n) {
  if (targets.shape().rank() == 1) return static_cast<std::size_t>(targets[n]);
  const std::size_t classes = targets.sample_size();
  return argmax(targets.data() + n * classes, classes);
}

double Evaluation::precision(std::size_t c) const {
  std::size_t predicted_c = 0;
  for (std::size_t t = 0; t < classes; ++t) predicted_c += confusion[t * classes + c];
  return predicted_c == 0 ? 0.0 : static_cast<double>(confusion[c * classes + c]) / static_cast<double>(predicted_c);
}

double Evaluation::recall(std::size_t c) const {
  std::size_t of_class_c = 0;
  for (std::size_t p = 0; p < classes; ++p) of_class_c += confusion[c * classes + p];
  return of_class_c == 0 ? 0.0 : static_cast<double>(confusion[c * classes + c]) / static_cast<double>(of_class_c);
}

namespace {

// R² averaged over the outputs (see Evaluation::r2), from targets [N, K] and each output's sum of
// squared errors. The total sum of squares is taken about the mean in a second pass over the
// targets, which is steadier than accumulating sums of squares.
double r2_score(TensorView<const float> targets, const std::vector<double>& squared_per_output) {
  const std::size_t N = targets.batch(), K = squared_per_output.size();
  double sum = 0;
  for (std::size_t k = 0; k < K; ++k) {
    double mean = 0, total = 0;
    for (std::size_t n = 0; n < N; ++n) mean += static_cast<double>(targets[n * K + k]);
    mean /= static_cast<double>(N);
    for (std::size_t n = 0; n < N; ++n) {
      const double d = static_cast<double>(targets[n * K + k]) - mean;
      total += d * d;
    }
    const double residual = squared_per_output[k];
    sum += total > 0 ? 1.0 - residual / total : (residual == 0 ? 1.0 : 0.0);
  }
  return K == 0 ? 0.0 : sum / static_cast<double>(K);
}

}  // namespace

Evaluation evaluate(const Sequential<float>& model, const Loss<float>& loss, TensorView<const float> inputs,
                    TensorView<const float> targets, std::size_t batch_size, Task task) {
  const std::size_t N = inputs.batch();
  if (targets.batch() != N) {
    throw Error("evaluate: " + std::to_string(N) + " inputs but " + std::to_string(targets.batch()) + " targets");
  }
  if (batch_size == 0) throw Error("evaluate: batch size must be at least 1");
  const std::size_t outputs = model.output_shape().numel();
  Evaluation e;
  e.samples = N;
  e.outputs = outputs;
  e.classification = is_classification(targets, outputs, task);
  if (e.classification) {
    e.classes = outputs;
    e.confusion.assign(outputs * outputs, 0);
    e.predicted.resize(N);
  } else {
    e.predictions.resize(N * outputs);
  }
  double loss_sum = 0, squared = 0, absolute = 0;
  std::vector<double> squared_per_output(e.classification ? 0 : outputs, 0.0);
  std::size_t correct = 0;
  Sequential<float>::Workspace workspace;
  for (std::size_t first = 0; first < N; first += batch_size) {
    const std::size_t count = std::min(batch_size, N - first);
    TensorView<const float> t = targets.samples(first, count);
    TensorView<const float> y = model.infer(inputs.samples(first, count), workspace);
    loss_sum += static_cast<double>(loss.forward(model.backend(), y, t)) * static_cast<double>(count);
    for (std::size_t n = 0; n < count; ++n) {
      const float* yn = y.data() + n * outputs;
      if (e.classification) {
        const std::size_t truth = target_class(t, n);
        const std::size_t guess = argmax(yn, outputs);
        e.predicted[first + n] = guess;
        ++e.confusion[truth * outputs + guess];
        correct += truth == guess;
      } else {
        std::copy(yn, yn + outputs, e.predictions.begin() + static_cast<long>((first + n) * outputs));
        for (std::size_t k = 0; k < outputs; ++k) {
          const double d = static_cast<double>(yn[k]) - static_cast<double>(t[n * outputs + k]);
          squared += d * d;
          squared_per_output[k] += d * d;
          absolute += std::abs(d);
        }
      }
    }
  }
  if (N > 0) {
    e.loss = loss_sum / static_cast<double>(N);
    e.accuracy = static_cast<double>(correct) / static_cast<double>(N);
    e.mse = squared / static_cast<double>(N * outputs);
    e.mae = absolute / static_cast<double>(N * outputs);
    if (!e.classification) e.r2 = r2_score(targets, squared_per_output);
  }
  return e;
}

}  // namespace bpnn
