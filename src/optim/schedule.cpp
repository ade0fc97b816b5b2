#include "bpnn/optim/schedule.hpp"

#include <numbers>

#include "bpnn/core/error.hpp"
#include "bpnn/core/math.hpp"

namespace bpnn {

double LrSchedule::rate(double base, std::size_t epoch, std::size_t epochs, std::size_t samples_per_epoch) const {
  switch (kind) {
    case Kind::constant:
      return base;
    case Kind::step:
      if (step_size == 0) throw Error("step schedule: step size must be at least 1");
      return base * math::pow(gamma, static_cast<double>(epoch / step_size));
    case Kind::cosine:
      if (epochs == 0) return base;
      return min_rate +
             (base - min_rate) *
                 (1 + math::cos(std::numbers::pi * static_cast<double>(epoch) / static_cast<double>(epochs))) / 2;
    case Kind::inverse_scaling:
      return base / math::pow(1 + static_cast<double>(epoch) * static_cast<double>(samples_per_epoch), power);
  }
  return base;
}

}  // namespace bpnn
