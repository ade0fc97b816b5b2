// SGD: one loop over the flat parameter buffer, tensor by tensor so frozen ones are skipped.
//   g = dE/dp + wd p;  b = mu b + g (b = g at the first step);  p -= lr (nesterov ? g + mu b : b)
#include "bpnn/optim/sgd.hpp"

#include "bpnn/core/error.hpp"

namespace bpnn {

template <class T>
Sgd<T>::Sgd(SgdOptions options) : options_(options) {
  if (!(options_.learning_rate >= 0) || !(options_.momentum >= 0) || !(options_.weight_decay >= 0)) {
    throw Error("sgd: learning rate, momentum and weight decay must be >= 0");
  }
  if (options_.nesterov && options_.momentum == 0) throw Error("sgd: Nesterov momentum needs a momentum > 0");
}

template <class T>
double Sgd<T>::plain_sgd_learning_rate() const {
  return options_.momentum == 0 && options_.weight_decay == 0 ? options_.learning_rate : 0.0;
}

template <class T>
void Sgd<T>::step(ParameterStore<T>& parameters, const Backend<T>& backend) {
  const T momentum = static_cast<T>(options_.momentum);
  if (momentum != T(0) && velocity_.size() != parameters.values().size()) {
    velocity_ = Tensor<T>(parameters.values().shape());
    started_ = false;
  }
  const SgdStep<T> s{.learning_rate = static_cast<T>(options_.learning_rate),
                     .momentum = momentum,
                     .weight_decay = static_cast<T>(options_.weight_decay),
                     .nesterov = options_.nesterov,
                     .first = !started_};
  for (std::size_t k = 0; k < parameters.count(); ++k) {
    if (!parameters.entry(k).trained()) continue;
    T* velocity = s.momentum != T(0) ? velocity_.data() + parameters.entry(k).offset : nullptr;
    backend.sgd_update(parameters.entry(k).shape.numel(), s, parameters.value(k).data(), parameters.grad(k).data(),
                       velocity);
  }
  started_ = true;
}

template <class T>
OptimizerState<T> Sgd<T>::state() const {
  OptimizerState<T> state{.kind = "sgd", .buffers = {}, .steps = started_ ? 1u : 0u};
  if (velocity_.size() > 0) state.buffers.emplace_back("velocity", velocity_);
  return state;
}

template <class T>
void Sgd<T>::set_state(const OptimizerState<T>& state, std::size_t parameter_count) {
  restore_buffer(state, "sgd", "velocity", parameter_count, velocity_);
  started_ = state.steps > 0;
}

template class Sgd<float>;
template class Sgd<double>;

}  // namespace bpnn
