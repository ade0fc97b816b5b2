#include "bpnn/data/prepare.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "bpnn/core/error.hpp"

namespace bpnn {

TensorView<const float> PreparedData::inputs() const {
  return dataset.inputs.view().reshaped(input_shape.with_batch(dataset.size()));
}

Tensor<float> prepare_targets(const Dataset& dataset, std::size_t outputs, const PrepareOptions& options) {
  const Dataset& d = dataset;
  const std::size_t N = d.size();
  // Inputs only (predicting on new data): no targets to shape.
  if (d.targets.shape().rank() == 2 && d.targets.shape()[1] == 0) return d.targets;
  if (d.classes > 0) {
    // One output other than cross_entropy's: the probability of class 1, so 0/1 labels are a
    // column of off/on targets.
    const bool binary = outputs == 1 && options.loss != "cross_entropy";
    for (std::size_t n = 0; n < N; ++n) {
      if (binary && d.targets[n] <= 1) continue;
      if (static_cast<std::size_t>(d.targets[n]) >= outputs) {
        throw Error(d.source + ": sample " + std::to_string(n) + " has label " +
                    std::to_string(static_cast<long>(d.targets[n])) + ", but the network has only " +
                    std::to_string(outputs) + " outputs (classes 0.." + std::to_string(outputs - 1) + ")");
      }
    }
    if (binary) {
      Tensor<float> column(Shape{N, 1});
      for (std::size_t n = 0; n < N; ++n) column[n] = d.targets[n] == 1 ? options.on : options.off;
      return column;
    }
    // Cross-entropy reads class indices directly; the other losses compare rows of outputs.
    return options.loss == "cross_entropy" ? d.targets : one_hot(d.targets, outputs, options.off, options.on);
  }
  if (d.targets.shape().rank() != 2 || d.targets.shape()[1] != outputs) {
    throw Error(d.source + ": has targets " + d.targets.shape().str() + " but the network has " +
                std::to_string(outputs) + " outputs");
  }
  return d.targets;
}

PreparedData prepare_data(Dataset dataset, const Shape& input_shape, std::size_t outputs,
                          const PrepareOptions& options) {
  const std::size_t N = dataset.size();
  if (N == 0) throw Error(dataset.source + ": holds no samples");
  const std::size_t sample = dataset.inputs.size() / N;
  if (sample != input_shape.numel()) {
    throw Error(dataset.source + ": samples have " + std::to_string(sample) + " values, the network takes " +
                input_shape.str() + " (" + std::to_string(input_shape.numel()) + ")");
  }
  PreparedData data{std::move(dataset), {}, input_shape};
  data.targets = prepare_targets(data.dataset, outputs, options);
  return data;
}

PreparedData split_validation(PreparedData& data, double fraction, Rng& rng) {
  const std::size_t N = data.dataset.size();
  const auto held = static_cast<std::size_t>(std::llround(fraction * static_cast<double>(N)));
  if (!(fraction > 0 && fraction < 1) || held == 0 || held == N) {
    throw Error("a validation fraction of " + std::to_string(fraction) + " of " + std::to_string(N) +
                " samples leaves no training or no validation sample");
  }
  std::vector<std::size_t> order(N);
  for (std::size_t i = 0; i < N; ++i) order[i] = i;
  for (std::size_t i = N; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
  std::vector<bool> is_validation(N, false);
  for (std::size_t k = 0; k < held; ++k) is_validation[order[k]] = true;

  // Copies the rows of `from` whose flag equals `want` into a new tensor, in file order.
  auto take = [&](const Tensor<float>& from, bool want, std::size_t count) {
    const std::size_t row = from.size() / N;
    Tensor<float> to(from.shape().without_batch().with_batch(count));
    std::size_t r = 0;
    for (std::size_t n = 0; n < N; ++n) {
      if (is_validation[n] != want) continue;
      std::copy(from.data() + n * row, from.data() + (n + 1) * row, to.data() + r++ * row);
    }
    return to;
  };
  PreparedData validation;
  validation.input_shape = data.input_shape;
  validation.dataset.source = data.dataset.source + " (validation part)";
  validation.dataset.classes = data.dataset.classes;
  validation.dataset.class_names = data.dataset.class_names;
  validation.dataset.feature_names = data.dataset.feature_names;
  validation.dataset.target_names = data.dataset.target_names;
  validation.dataset.inputs = take(data.dataset.inputs, true, held);
  validation.targets = take(data.targets, true, held);
  data.dataset.inputs = take(data.dataset.inputs, false, N - held);
  data.targets = take(data.targets, false, N - held);
  return validation;
}

}  // namespace bpnn
