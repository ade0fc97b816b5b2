// Adam / AdamW: one loop over the flat parameter buffer, with m and v beside it.
#include "bpnn/optim/adam.hpp"

#include <cmath>

#include "bpnn/core/error.hpp"

namespace bpnn {

template <class T>
Adam<T>::Adam(AdamOptions options) : options_(options) {
  const AdamOptions& o = options_;
  if (!(o.learning_rate >= 0) || !(o.eps >= 0) || !(o.weight_decay >= 0)) {
    throw Error("adam: learning rate, eps and weight decay must be >= 0");
  }
  if (!(o.beta1 >= 0 && o.beta1 < 1) || !(o.beta2 >= 0 && o.beta2 < 1)) throw Error("adam: betas must lie in [0, 1)");
}

template <class T>
void Adam<T>::step(ParameterStore<T>& parameters, const Backend<T>& backend) {
  if (m_.size() != parameters.values().size()) {
    m_ = Tensor<T>(parameters.values().shape());
    v_ = Tensor<T>(parameters.values().shape());
    t_ = 0;
  }
  ++t_;
  const double lr = options_.learning_rate, wd = options_.weight_decay;
  const AdamStep<T> s{
      .beta1 = static_cast<T>(options_.beta1),
      .beta2 = static_cast<T>(options_.beta2),
      .eps = static_cast<T>(options_.eps),
      .step_size = static_cast<T>(lr / (1 - std::pow(options_.beta1, static_cast<double>(t_)))),
      .root_correction2 = static_cast<T>(std::sqrt(1 - std::pow(options_.beta2, static_cast<double>(t_)))),
      .l2 = options_.decoupled_weight_decay ? T(0) : static_cast<T>(wd),
      .shrink = static_cast<T>(1 - lr * wd),
      .decoupled = options_.decoupled_weight_decay};
  for (std::size_t k = 0; k < parameters.count(); ++k) {
    if (!parameters.entry(k).trained()) continue;
    const std::size_t offset = parameters.entry(k).offset;
    backend.adam_update(parameters.entry(k).shape.numel(), s, parameters.value(k).data(), parameters.grad(k).data(),
                        m_.data() + offset, v_.data() + offset);
  }
}

template <class T>
OptimizerState<T> Adam<T>::state() const {
  OptimizerState<T> state{.kind = "adam", .buffers = {}, .steps = t_};
  if (m_.size() > 0) {
    state.buffers.emplace_back("m", m_);
    state.buffers.emplace_back("v", v_);
  }
  return state;
}

template <class T>
void Adam<T>::set_state(const OptimizerState<T>& state, std::size_t parameter_count) {
  restore_buffer(state, "adam", "m", parameter_count, m_);
  restore_buffer(state, "adam", "v", parameter_count, v_);
  if (m_.size() != v_.size()) throw Error("optimizer state: Adam needs both m and v");
  t_ = state.steps;
}

template class Adam<float>;
template class Adam<double>;

}  // namespace bpnn
