// Learning-rate schedules, applied at the start of each epoch as PyTorch's schedulers stepped once
// per epoch: StepLR and CosineAnnealingLR (T_max = the number of epochs), and scikit-learn's MLP
// invscaling (by the samples seen, which its SGD updates at each epoch's end).
#pragma once

#include <cstddef>

namespace bpnn {

struct LrSchedule {
  enum class Kind { constant, step, cosine, inverse_scaling };
  Kind kind = Kind::constant;
  std::size_t step_size = 1;  // step: multiply by gamma every step_size epochs
  double gamma = 0.1;
  double min_rate = 0.0;      // cosine: the rate it anneals to (PyTorch's eta_min)
  double power = 0.5;         // inverse_scaling: the exponent (scikit-learn's power_t)

  // The rate for epoch (0-based) of `epochs`, each of samples_per_epoch samples, from the base rate:
  //   constant: base;  step: base gamma^floor(epoch / step_size);
  //   cosine: min + (base - min) (1 + cos(pi epoch / epochs)) / 2;
  //   inverse_scaling: base / (1 + t)^power, t = epoch samples_per_epoch, the samples seen before it.
  double rate(double base, std::size_t epoch, std::size_t epochs, std::size_t samples_per_epoch) const;
};

}  // namespace bpnn
