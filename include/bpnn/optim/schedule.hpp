// Learning-rate schedules, applied at the start of each epoch as PyTorch's schedulers stepped once
// per epoch: StepLR and CosineAnnealingLR (T_max = the number of epochs).
#pragma once

#include <cstddef>

namespace bpnn {

struct LrSchedule {
  enum class Kind { constant, step, cosine };
  Kind kind = Kind::constant;
  std::size_t step_size = 1;  // step: multiply by gamma every step_size epochs
  double gamma = 0.1;
  double min_rate = 0.0;      // cosine: the rate it anneals to (PyTorch's eta_min)

  // The rate for epoch (0-based) of `epochs`, from the base rate:
  //   constant: base;  step: base gamma^floor(epoch / step_size);
  //   cosine: min + (base - min) (1 + cos(pi epoch / epochs)) / 2.
  double rate(double base, std::size_t epoch, std::size_t epochs) const;
};

}  // namespace bpnn
