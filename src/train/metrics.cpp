#include "bpnn/train/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "bpnn/core/error.hpp"
#include "bpnn/core/math.hpp"

namespace bpnn {
namespace {

template <class T>
std::size_t argmax_of(const T* values, std::size_t count) {
  return static_cast<std::size_t>(std::max_element(values, values + count) - values);
}

template <class T>
std::size_t predicted_class_of(const T* output, std::size_t outputs) {
  if (outputs == 1) return output[0] >= T(0.5) ? 1 : 0;
  return argmax_of(output, outputs);
}

template <class T>
Task resolve(TensorView<const T> targets, std::size_t outputs, Task task) {
  if (task != Task::automatic) return task;
  const bool classes = targets.shape().rank() == 1 || (outputs > 1 && targets.sample_size() == outputs);
  return classes ? Task::classification : Task::regression;
}

template <class T>
std::size_t target_class_of(TensorView<const T> targets, std::size_t n) {
  if (targets.shape().rank() == 1) return static_cast<std::size_t>(targets[n]);
  const std::size_t width = targets.sample_size();
  if (width == 1) return targets[n] >= T(0.5) ? 1 : 0;
  return argmax_of(targets.data() + n * width, width);
}

// Every output on the same side of 0.5 as its 0/1 label.
template <class T>
bool all_labels_right(const T* output, const T* target, std::size_t outputs) {
  for (std::size_t k = 0; k < outputs; ++k) {
    if ((output[k] >= T(0.5)) != (target[k] >= T(0.5))) return false;
  }
  return true;
}

template <class T>
std::size_t count_correct_of(TensorView<const T> outputs, TensorView<const T> targets, Task task) {
  const std::size_t n = outputs.batch(), K = outputs.sample_size();
  std::size_t right = 0;
  for (std::size_t s = 0; s < n; ++s) {
    const T* y = outputs.data() + s * K;
    if (task == Task::classification) right += predicted_class_of(y, K) == target_class_of(targets, s);
    if (task == Task::multilabel) right += all_labels_right(y, targets.data() + s * K, K);
  }
  return right;
}

template <class T>
Tensor<T> probabilities_of(const Backend<T>& backend, OutputReading reading, TensorView<const T> outputs) {
  const std::size_t N = outputs.shape().rank() == 0 ? 0 : outputs.batch(), K = N == 0 ? 0 : outputs.sample_size();
  if (reading == OutputReading::logits) {
    Tensor<T> p(Shape{N, K});
    if (N > 0) backend.softmax_forward(N, K, outputs.data(), p.data());
    return p;
  }
  if (K == 1 && reading != OutputReading::values) {
    Tensor<T> p(Shape{N, 2});
    for (std::size_t n = 0; n < N; ++n) p[2 * n] = T(1) - outputs[n], p[2 * n + 1] = outputs[n];
    return p;
  }
  Tensor<T> p(Shape{N, K});
  std::copy(outputs.data(), outputs.data() + N * K, p.data());
  return p;
}

OutputReading reading_of(std::string_view loss) {
  return outputs_are_logits(loss) ? OutputReading::logits : OutputReading::probabilities;
}

template <class T>
Tensor<T> predict_probabilities_of(const Sequential<T>& model, std::string_view loss, TensorView<const T> inputs,
                                   std::size_t batch_size) {
  if (batch_size == 0) throw Error("predict_probabilities: batch size must be at least 1");
  const std::size_t N = inputs.shape().rank() == 0 ? 0 : inputs.batch();
  const std::size_t outputs = model.output_shape().numel();
  const std::size_t C = outputs_are_logits(loss) ? outputs : class_count(outputs);
  Tensor<T> result(Shape{N, C});
  typename Sequential<T>::Workspace workspace;
  for (std::size_t first = 0; first < N; first += batch_size) {
    const std::size_t count = std::min(batch_size, N - first);
    const TensorView<const T> y = model.infer(inputs.samples(first, count), workspace);
    const Tensor<T> p = probabilities_of(model.backend(), reading_of(loss), y.reshaped(Shape{count, outputs}));
    std::copy(p.data(), p.data() + p.size(), result.data() + first * C);
  }
  return result;
}

// R² averaged over the outputs (see Evaluation::r2), from targets [N, K] and each output's sum of
// squared errors. The total sum of squares is taken about the mean in a second pass over the
// targets, which is steadier than accumulating sums of squares.
template <class T>
double r2_score(TensorView<const T> targets, const std::vector<double>& squared_per_output) {
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

// Sums of one evaluation, added to batch by batch.
struct Tally {
  double loss = 0, squared = 0, absolute = 0;
  std::vector<double> squared_per_output;
  std::size_t correct = 0;
};

// Scores the outputs y [count, K] of the samples first.. of a data set against their targets t.
template <class T>
void score_batch(Evaluation& e, Tally& tally, std::size_t first, TensorView<const T> y, TensorView<const T> t) {
  const std::size_t count = y.batch(), K = e.outputs;
  for (std::size_t n = 0; n < count; ++n) {
    const T* yn = y.data() + n * K;
    if (e.task == Task::classification) {
      const std::size_t truth = target_class_of(t, n), guess = predicted_class_of(yn, K);
      if (truth >= e.classes) {
        throw Error("evaluate: sample " + std::to_string(first + n) + " is of class " + std::to_string(truth) +
                    ", but the model tells " + std::to_string(e.classes) + " classes apart");
      }
      e.predicted[first + n] = guess;
      ++e.confusion[truth * e.classes + guess];
      tally.correct += truth == guess;
      continue;
    }
    std::copy(yn, yn + K, e.predictions.begin() + static_cast<long>((first + n) * K));
    if (e.task == Task::multilabel) {
      tally.correct += all_labels_right(yn, t.data() + n * K, K);
      continue;
    }
    for (std::size_t k = 0; k < K; ++k) {
      const double d = static_cast<double>(yn[k]) - static_cast<double>(t[n * K + k]);
      tally.squared += d * d;
      tally.squared_per_output[k] += d * d;
      tally.absolute += std::abs(d);
    }
  }
}

// log p of probabilities p, clamped at -100 (as bce clamps): logits whose softmax is p.
template <class T>
void log_of_probabilities(TensorView<const T> p, Tensor<T>& logits) {
  if (logits.shape() != p.shape()) logits = Tensor<T>(p.shape());
  for (std::size_t i = 0; i < p.size(); ++i) logits[i] = std::max(math::log(p[i]), T(-100));
}

template <class T>
Evaluation evaluate_of(const Sequential<T>& model, const Loss<T>& loss, TensorView<const T> inputs,
                       TensorView<const T> targets, std::size_t batch_size, Task task, OutputReading reading) {
  const std::size_t N = inputs.batch();
  if (targets.batch() != N) {
    throw Error("evaluate: " + std::to_string(N) + " inputs but " + std::to_string(targets.batch()) + " targets");
  }
  if (batch_size == 0) throw Error("evaluate: batch size must be at least 1");
  const std::size_t outputs = model.output_shape().numel();
  Evaluation e;
  e.samples = N;
  e.outputs = outputs;
  e.task = resolve(targets, outputs, task);
  e.classification = e.task == Task::classification;
  Tally tally;
  if (e.classification) {
    e.classes = class_count(outputs);
    e.confusion.assign(e.classes * e.classes, 0);
    e.predicted.resize(N);
  } else {
    e.predictions.resize(N * outputs);
    tally.squared_per_output.assign(outputs, 0.0);
  }
  // Cross-entropy of probabilities: the loss takes their logarithm (see evaluate).
  const bool log_probabilities = reading == OutputReading::probabilities && loss.name() == "cross_entropy";
  Tensor<T> logits;
  typename Sequential<T>::Workspace workspace;
  for (std::size_t first = 0; first < N; first += batch_size) {
    const std::size_t count = std::min(batch_size, N - first);
    const TensorView<const T> t = targets.samples(first, count);
    const TensorView<const T> y = model.infer(inputs.samples(first, count), workspace);
    if (log_probabilities) log_of_probabilities(y, logits);
    const TensorView<const T> scored = log_probabilities ? std::as_const(logits).view() : y;
    tally.loss += static_cast<double>(loss.forward(model.backend(), scored, t)) * static_cast<double>(count);
    score_batch(e, tally, first, y, t);
  }
  if (N > 0) {
    e.loss = tally.loss / static_cast<double>(N);
    e.accuracy = static_cast<double>(tally.correct) / static_cast<double>(N);
    e.mse = tally.squared / static_cast<double>(N * outputs);
    e.mae = tally.absolute / static_cast<double>(N * outputs);
    if (e.task == Task::regression) e.r2 = r2_score(targets, tally.squared_per_output);
  }
  return e;
}

}  // namespace

std::size_t argmax(const float* values, std::size_t count) { return argmax_of(values, count); }
std::size_t argmax(const double* values, std::size_t count) { return argmax_of(values, count); }
std::size_t predicted_class(const float* output, std::size_t outputs) { return predicted_class_of(output, outputs); }
std::size_t predicted_class(const double* output, std::size_t outputs) { return predicted_class_of(output, outputs); }

Task resolve_task(TensorView<const float> targets, std::size_t outputs, Task task) {
  return resolve(targets, outputs, task);
}
Task resolve_task(TensorView<const double> targets, std::size_t outputs, Task task) {
  return resolve(targets, outputs, task);
}
bool is_classification(TensorView<const float> targets, std::size_t outputs, Task task) {
  return resolve(targets, outputs, task) == Task::classification;
}
bool is_classification(TensorView<const double> targets, std::size_t outputs, Task task) {
  return resolve(targets, outputs, task) == Task::classification;
}
std::size_t target_class(TensorView<const float> targets, std::size_t n) { return target_class_of(targets, n); }
std::size_t target_class(TensorView<const double> targets, std::size_t n) { return target_class_of(targets, n); }

std::size_t count_correct(TensorView<const float> outputs, TensorView<const float> targets, Task task) {
  return count_correct_of(outputs, targets, task);
}
std::size_t count_correct(TensorView<const double> outputs, TensorView<const double> targets, Task task) {
  return count_correct_of(outputs, targets, task);
}

bool outputs_are_logits(std::string_view loss) { return loss == "cross_entropy"; }

std::string_view reading_name(OutputReading reading) {
  switch (reading) {
    case OutputReading::logits: return "logits";
    case OutputReading::probabilities: return "probabilities";
    case OutputReading::values: return "values";
    case OutputReading::automatic: break;
  }
  return "automatic";
}

OutputReading reading_named(std::string_view name) {
  for (OutputReading r : {OutputReading::logits, OutputReading::probabilities, OutputReading::values}) {
    if (reading_name(r) == name) return r;
  }
  throw Error("unknown output reading '" + std::string(name) + "'; use logits, probabilities or values");
}

Tensor<float> class_probabilities(const Backend<float>& backend, std::string_view loss,
                                  TensorView<const float> outputs) {
  return probabilities_of(backend, reading_of(loss), outputs);
}
Tensor<double> class_probabilities(const Backend<double>& backend, std::string_view loss,
                                   TensorView<const double> outputs) {
  return probabilities_of(backend, reading_of(loss), outputs);
}
Tensor<float> class_probabilities(const Backend<float>& backend, OutputReading reading,
                                  TensorView<const float> outputs) {
  return probabilities_of(backend, reading, outputs);
}
Tensor<double> class_probabilities(const Backend<double>& backend, OutputReading reading,
                                   TensorView<const double> outputs) {
  return probabilities_of(backend, reading, outputs);
}
Tensor<float> predict_probabilities(const Sequential<float>& model, std::string_view loss,
                                    TensorView<const float> inputs, std::size_t batch_size) {
  return predict_probabilities_of(model, loss, inputs, batch_size);
}
Tensor<double> predict_probabilities(const Sequential<double>& model, std::string_view loss,
                                     TensorView<const double> inputs, std::size_t batch_size) {
  return predict_probabilities_of(model, loss, inputs, batch_size);
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

Evaluation evaluate(const Sequential<float>& model, const Loss<float>& loss, TensorView<const float> inputs,
                    TensorView<const float> targets, std::size_t batch_size, Task task, OutputReading reading) {
  return evaluate_of(model, loss, inputs, targets, batch_size, task, reading);
}
Evaluation evaluate(const Sequential<double>& model, const Loss<double>& loss, TensorView<const double> inputs,
                    TensorView<const double> targets, std::size_t batch_size, Task task, OutputReading reading) {
  return evaluate_of(model, loss, inputs, targets, batch_size, task, reading);
}

}  // namespace bpnn
