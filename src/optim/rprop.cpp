// RPROP (iRPROP-): one loop over the flat parameter buffer, with the previous gradient and the
// step sizes beside it, each tensor shared out by the backend's parallel_for.
#include "bpnn/optim/rprop.hpp"

#include <algorithm>
#include <span>

#include "bpnn/core/error.hpp"

namespace bpnn {
namespace {

// The hyperparameters of every step, in T.
template <class T>
struct RpropStep {
  T eta_minus, eta_plus;  // the step's factors after a sign change and after sign agreement
  T step_min, step_max;   // the step's bounds
};

// The update of one span of parameters p with gradients g, previous gradients prev and step sizes
// step, over the same elements. iRPROP- (RPROP without weight backtracking), as PyTorch's Rprop and
// FANN: the product of this gradient and the previous one grows the step (same sign), shrinks it
// and skips this update (a sign change: the last step jumped over a minimum), or keeps it (a zero:
// the first step, or the one after a skip); p then moves by the step against the gradient's sign,
// whatever its size.
template <class T>
void rprop_update(const RpropStep<T>& s, std::span<T> p, std::span<const T> g, std::span<T> prev,
                  std::span<T> step) {
  for (std::size_t i = 0; i < p.size(); ++i) {
    const T agreement = g[i] * prev[i];
    const T factor = agreement > T(0) ? s.eta_plus : agreement < T(0) ? s.eta_minus : T(1);
    // Clamped whatever the sign, as PyTorch, so a restored step out of bounds is brought in too.
    step[i] = std::clamp(step[i] * factor, s.step_min, s.step_max);
    const T gi = agreement < T(0) ? T(0) : g[i];
    // sign(gi) step; a NaN gradient makes p NaN, as in PyTorch, rather than hiding.
    p[i] -= gi > T(0) ? step[i] : gi < T(0) ? -step[i] : gi * step[i];
    prev[i] = gi;
  }
}

// About an element's operations, for parallel_for's choice of whether to split a tensor.
constexpr std::size_t kRpropWork = 8;

}  // namespace

template <class T>
Rprop<T>::Rprop(RpropOptions options) : options_(options) {
  const RpropOptions& o = options_;
  if (!(o.learning_rate >= 0)) throw Error("rprop: the learning rate (the initial step size) must be >= 0");
  if (!(o.eta_minus > 0 && o.eta_minus < 1 && o.eta_plus > 1)) {
    throw Error("rprop: the etas must satisfy 0 < eta_minus < 1 < eta_plus");
  }
  if (!(o.step_min >= 0 && o.step_min <= o.step_max)) throw Error("rprop: step sizes must satisfy 0 <= min <= max");
}

template <class T>
void Rprop<T>::step(ParameterStore<T>& parameters, const Backend<T>& backend) {
  if (prev_.size() != parameters.values().size()) {
    // The first step: no previous gradient (so no sign to compare), every step at the rate.
    prev_ = Tensor<T>(parameters.values().shape());
    step_ = Tensor<T>(parameters.values().shape());
    step_.fill(static_cast<T>(options_.learning_rate));
    t_ = 0;
  }
  ++t_;
  const RpropStep<T> s{.eta_minus = static_cast<T>(options_.eta_minus),
                       .eta_plus = static_cast<T>(options_.eta_plus),
                       .step_min = static_cast<T>(options_.step_min),
                       .step_max = static_cast<T>(options_.step_max)};
  const TensorView<T> p = parameters.values(), g = parameters.grads();
  for_each_trained_range(parameters, backend, kRpropWork,
                         [&](FlatRange r) { rprop_update<T>(s, r.of(p), r.of(g), r.of(prev_), r.of(step_)); });
}

template <class T>
OptimizerState<T> Rprop<T>::state() const {
  OptimizerState<T> state{.kind = "rprop", .buffers = {}, .steps = t_};
  if (prev_.size() > 0) {
    state.buffers.emplace_back("prev", prev_);
    state.buffers.emplace_back("step", step_);
  }
  return state;
}

template <class T>
void Rprop<T>::set_state(const OptimizerState<T>& state, std::size_t parameter_count) {
  restore_buffer(state, "rprop", "prev", parameter_count, prev_);
  restore_buffer(state, "rprop", "step", parameter_count, step_);
  if (prev_.size() != step_.size()) throw Error("optimizer state: Rprop needs both prev and step");
  t_ = state.steps;
}

template class Rprop<float>;
template class Rprop<double>;

}  // namespace bpnn
