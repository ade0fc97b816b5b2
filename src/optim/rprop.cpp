// RPROP (iRPROP-): one loop over the flat parameter buffer, with the previous gradient and the
// step sizes beside it.
#include "bpnn/optim/rprop.hpp"

#include "bpnn/core/error.hpp"

namespace bpnn {

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
  for (std::size_t k = 0; k < parameters.count(); ++k) {
    if (!parameters.entry(k).trained()) continue;
    const std::size_t offset = parameters.entry(k).offset;
    backend.rprop_update(parameters.entry(k).shape.numel(), s, parameters.value(k).data(), parameters.grad(k).data(),
                         prev_.data() + offset, step_.data() + offset);
  }
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
