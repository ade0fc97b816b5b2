#include "data_flags.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <vector>

namespace bpnn::cli {

void add_data_flags(CLI::App& command, DataFlags& flags, bool targets_from_model) {
  command.add_option("--input-range", flags.input_range, "IDX pixels 0..255 map to LOW,HIGH (tutorial: 0.01,0.99)")
      ->capture_default_str();
  command.add_option("--target-cols", flags.target_cols, "CSV: the last K columns are regression targets")
      ->capture_default_str();
  if (targets_from_model) {
    flags.targets.clear();
    command.add_option("--targets", flags.targets,
                       "OFF,ON values of one-hot targets for mse, mae and bce (default: the model's own)");
  } else {
    command.add_option("--targets", flags.targets, "OFF,ON values of one-hot targets for mse, mae and bce")
        ->capture_default_str();
  }
}

std::pair<float, float> parse_range(const std::string& text, const std::string& option) {
  const std::size_t comma = text.find(',');
  float low = 0, high = 0;
  const char* end = text.data() + text.size();
  if (comma != std::string::npos) {
    auto [p1, e1] = std::from_chars(text.data(), text.data() + comma, low);
    auto [p2, e2] = std::from_chars(text.data() + comma + 1, end, high);
    if (e1 == std::errc() && e2 == std::errc() && p1 == text.data() + comma && p2 == end) return {low, high};
  }
  throw Error(option + ": expected two numbers LOW,HIGH such as 0.01,0.99, got '" + text + "'");
}

TensorView<const float> PreparedData::inputs() const {
  return dataset.inputs.view().reshaped(input_shape.with_batch(dataset.size()));
}

PreparedData load_data(const std::string& path, const std::string& labels_path, const DataFlags& flags,
                       const Sequential<float>& model, std::string_view loss) {
  DataOptions options;
  const auto [low, high] = parse_range(flags.input_range, "--input-range");
  options.idx.low = low;
  options.idx.high = high;
  options.idx.labels_path = labels_path;
  options.csv.target_columns = flags.target_cols;
  PreparedData data{read_dataset(path, options), {}, model.input_shape()};

  const Dataset& d = data.dataset;
  const std::size_t N = d.size();
  const std::size_t sample = N == 0 ? 0 : d.inputs.size() / N;
  if (N == 0) throw Error(path + ": holds no samples");
  if (sample != model.input_shape().numel()) {
    throw Error(path + ": samples have " + std::to_string(sample) + " values, the network takes " +
                model.input_shape().str() + " (" + std::to_string(model.input_shape().numel()) + ")");
  }
  const std::size_t outputs = model.output_shape().numel();
  if (d.classes > 0) {
    for (std::size_t n = 0; n < N; ++n) {
      if (static_cast<std::size_t>(d.targets[n]) >= outputs) {
        throw Error(path + ": sample " + std::to_string(n) + " has label " +
                    std::to_string(static_cast<long>(d.targets[n])) + ", but the network has only " +
                    std::to_string(outputs) + " outputs (classes 0.." + std::to_string(outputs - 1) + ")");
      }
    }
    if (loss == "cross_entropy") {
      data.targets = d.targets;
    } else {
      const auto [off, on] = parse_range(flags.targets, "--targets");
      data.targets = one_hot(d.targets, outputs, off, on);
    }
  } else {
    if (d.targets.shape().rank() != 2 || d.targets.shape()[1] != outputs) {
      throw Error(path + ": has targets " + d.targets.shape().str() + " but the network has " +
                  std::to_string(outputs) + " outputs");
    }
    data.targets = d.targets;
  }
  return data;
}

PreparedData split_validation(PreparedData& data, double fraction, Rng& rng) {
  const std::size_t N = data.dataset.size();
  const auto held = static_cast<std::size_t>(std::llround(fraction * static_cast<double>(N)));
  if (!(fraction > 0 && fraction < 1) || held == 0 || held == N) {
    throw Error("--val-fraction " + std::to_string(fraction) + " of " + std::to_string(N) +
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
  validation.dataset.inputs = take(data.dataset.inputs, true, held);
  validation.targets = take(data.targets, true, held);
  data.dataset.inputs = take(data.dataset.inputs, false, N - held);
  data.targets = take(data.targets, false, N - held);
  return validation;
}

}  // namespace bpnn::cli
