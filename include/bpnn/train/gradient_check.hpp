// The one gradient checker: back-propagated gradients against central finite differences
// (E(v + h) - E(v - h)) / 2h, tensor by tensor, in double. Every layer and loss test calls it in a
// line; bpnn explain --check-gradients, Python's Model.check_gradients and the playground check a
// whole model on real data with it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bpnn/layers/layer.hpp"
#include "bpnn/losses/loss.hpp"
#include "bpnn/model/sequential.hpp"

namespace bpnn {

struct GradientCheckOptions {
  double step = 1e-6;  // h
  // An element passes when |backprop - numeric| <= relative_tolerance max(|backprop|, |numeric|)
  // + absolute_tolerance: a relative error with a floor, below which differences are rounding noise.
  double relative_tolerance = 1e-6;
  double absolute_tolerance = 1e-9;
  std::uint64_t seed = 7;  // the random projection R of the output (check_model_gradients, check_layer_gradients)
  // Set: train mode, every forward drawing from a generator freshly seeded with this, so stochastic
  // layers (dropout) make the same draws each time and are checked too. Unset: eval mode.
  std::optional<std::uint64_t> train_seed = std::nullopt;
  // An element that fails where E has a kink (relu at exactly 0, mae at its target), where the
  // gradient is not defined, is counted as skipped, not failed: its one-sided differences disagree
  // and keep disagreeing at h / 2, where a smooth E's disagreement halves.
  bool skip_kinks = true;
  bool check_input = true;        // dE/dinput too, as the tensor "input"
  std::size_t max_elements = 0;   // per tensor, evenly spread; 0: every element
};

// One tensor's comparison.
struct TensorGradientCheck {
  std::string name;              // "0.weight", "input", "prediction"
  std::size_t size = 0;          // its elements
  std::size_t checked = 0;       // elements compared
  std::size_t skipped = 0;       // elements at a kink
  // |backprop - numeric| / (max(|backprop|, |numeric|) + absolute_tolerance / relative_tolerance):
  // the relative error with its floor; the tensor passes when it is at most relative_tolerance.
  double max_relative_error = 0.0;
  double max_absolute_error = 0.0;
  std::size_t worst = 0;         // the element of the largest relative error, and its two values
  double worst_backprop = 0.0;
  double worst_numeric = 0.0;
  bool passed = true;
};

struct GradientCheckReport {
  std::vector<TensorGradientCheck> tensors;  // "input" (if checked), then every trained tensor in order
  // Passed: every tensor passed and at least one element was compared (a check that compared
  // nothing, with an empty batch or every tensor frozen, proves nothing and fails).
  bool ok = true;
  std::size_t checked = 0;
  std::size_t skipped = 0;
  double worst_error = 0.0;  // the largest |b - n| / (atol + rtol max(|b|, |n|)): at most 1 when ok
  double max_relative_error = 0.0;  // over every tensor, and where: "0.weight[3]"
  double max_absolute_error = 0.0;
  std::string worst;
  double objective = 0.0;    // E where the check was made
  std::string report;        // one line per failure (the first 20), "0.weight[3]: backward ..., finite difference ..."
};

// E = loss(model(input), target): dE/dp for every trained tensor and (check_input) dE/dinput.
// Also checks the layer contract: the input gradient is poisoned with NaN first (it must be
// overwritten) and parameter gradients pre-filled with 0.5 (they must be accumulated). Leaves the
// model's values, buffers and gradients as it found them.
GradientCheckReport check_gradients(Sequential<double>& model, const Loss<double>& loss, TensorView<const double> input,
                                    TensorView<const double> target, const GradientCheckOptions& options = {});
// A float model is checked through a double copy of it (its network, values and frozen flags):
// float's seven digits cannot resolve a central difference. loss is the same loss, in double.
GradientCheckReport check_gradients(const Sequential<float>& model, const Loss<double>& loss,
                                    TensorView<const float> input, TensorView<const float> target,
                                    const GradientCheckOptions& options = {});

// E = sum(R * model(input)) for a fixed random R drawn from options.seed (so a transposed gradient
// cannot hide behind a plain sum): the layer contract without a loss.
GradientCheckReport check_model_gradients(Sequential<double>& model, Tensor<double> input,
                                          const GradientCheckOptions& options = {});
// The same for one layer, in a model of that one layer with parameters drawn from options.seed + 1.
GradientCheckReport check_layer_gradients(std::unique_ptr<Layer<double>> layer, Tensor<double> input,
                                          const GradientCheckOptions& options = {});
// dE/dprediction of a loss (the tensor "prediction") against central differences of its forward.
GradientCheckReport check_loss_gradients(const Loss<double>& loss, Tensor<double> prediction,
                                         const Tensor<double>& target, const GradientCheckOptions& options = {});

}  // namespace bpnn
