// The one gradient checker every layer and loss test calls in a line. It compares back-propagated
// gradients with central finite differences, in double, and checks the layer contract (input
// gradients overwritten, parameter gradients accumulated).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "bpnn/bpnn.hpp"

namespace bpnn::testing {

struct GradCheckOptions {
  double step = 1e-6;              // h in (E(v + h) - E(v - h)) / 2h
  double relative_tolerance = 1e-6;
  double absolute_tolerance = 1e-9;  // the floor below which differences are noise
  std::uint64_t seed = 7;          // for the random projection of the output
  // Set: check training mode, every forward drawing from a generator freshly seeded with this, so
  // stochastic layers (dropout) make the same draws each time and are checked too.
  std::optional<std::uint64_t> train_seed = std::nullopt;
};

struct GradCheckResult {
  bool ok = true;
  std::size_t checked = 0;   // gradient entries compared
  double worst_error = 0.0;  // largest |analytic - numeric| / (atol + rtol max(|a|, |n|))
  std::string report;        // one line per failure (the first 20)
};

// E = sum(R * model(input)) for a fixed random R (so a transposed gradient cannot hide behind a
// plain sum). Checks dE/dinput and dE/dparameter for every trainable parameter element.
GradCheckResult check_model_gradients(Sequential<double>& model, Tensor<double> input,
                                      const GradCheckOptions& options = {});

// The same for one layer, wrapped in a model of that one layer with initialized parameters.
GradCheckResult check_layer_gradients(std::unique_ptr<Layer<double>> layer, Tensor<double> input,
                                      const GradCheckOptions& options = {});

// dE/dprediction of a loss against central differences of its forward.
GradCheckResult check_loss_gradients(const Loss<double>& loss, Tensor<double> prediction,
                                     const Tensor<double>& target, const GradCheckOptions& options = {});

// A tensor of uniform values in [low, high) whose magnitudes are at least min_magnitude (so inputs
// stay away from kinks such as relu's 0), drawn from seed.
Tensor<double> random_tensor(const Shape& shape, std::uint64_t seed, double low = -1.0, double high = 1.0,
                             double min_magnitude = 0.0);

}  // namespace bpnn::testing
