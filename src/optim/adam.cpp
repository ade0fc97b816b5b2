// Adam / AdamW: one loop over the flat parameter buffer, with m and v beside it, each tensor shared
// out by the backend's parallel_for.
#include "bpnn/optim/adam.hpp"

#include <cmath>
#include <span>

#include "bpnn/core/error.hpp"
#include "bpnn/core/math.hpp"

namespace bpnn {
namespace {

// The hyperparameters of step t, in T.
template <class T>
struct AdamStep {
  T beta1, beta2, eps;
  T step_size;         // lr / (1 - beta1^t)
  T root_correction2;  // sqrt(1 - beta2^t)
  T l2;                // Adam's weight decay, added to the gradient (0 for AdamW)
  T l1;                // l1 sign(p), added to the gradient (Adam and AdamW)
  T shrink;            // AdamW's p *= 1 - lr weight_decay (1 for Adam)
  bool decoupled;
};

// The update of one span of parameters p with gradients g and moments m and v, over the same
// elements. As PyTorch, the denominator is sqrt(v) / sqrt(1 - beta2^t) + eps.
template <class T>
void adam_update(const AdamStep<T>& s, std::span<T> p, std::span<const T> g, std::span<T> m, std::span<T> v) {
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (s.decoupled) p[i] *= s.shrink;
    const T gi = regularized_gradient(g[i], p[i], s.l2, s.l1);
    m[i] = s.beta1 * m[i] + (T(1) - s.beta1) * gi;
    v[i] = s.beta2 * v[i] + (T(1) - s.beta2) * gi * gi;
    p[i] -= s.step_size * m[i] / (std::sqrt(v[i]) / s.root_correction2 + s.eps);
  }
}

// About an element's operations, for parallel_for's choice of whether to split a tensor.
constexpr std::size_t kAdamWork = 16;

}  // namespace

template <class T>
Adam<T>::Adam(AdamOptions options) : options_(options) {
  const AdamOptions& o = options_;
  if (!(o.learning_rate >= 0) || !(o.eps >= 0) || !(o.weight_decay >= 0) || !(o.l1 >= 0)) {
    throw Error("adam: learning rate, eps, weight decay and l1 must be >= 0");
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
      .step_size = static_cast<T>(lr / (1 - math::pow(options_.beta1, static_cast<double>(t_)))),
      .root_correction2 = static_cast<T>(std::sqrt(1 - math::pow(options_.beta2, static_cast<double>(t_)))),
      .l2 = options_.decoupled_weight_decay ? T(0) : static_cast<T>(wd),
      .l1 = static_cast<T>(options_.l1),
      .shrink = static_cast<T>(1 - lr * wd),
      .decoupled = options_.decoupled_weight_decay};
  const TensorView<T> p = parameters.values(), g = parameters.grads();
  for_each_trained_range(parameters, backend, kAdamWork,
                         [&](FlatRange r) { adam_update<T>(s, r.of(p), r.of(g), r.of(m_), r.of(v_)); });
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
