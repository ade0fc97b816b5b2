// SGD: one loop over the flat parameter buffer, tensor by tensor so frozen ones are skipped, each
// tensor shared out by the backend's parallel_for.
//   g = dE/dp + wd p + l1 sign(p);  b = mu b + g (b = g at the first step);  p -= lr (nesterov ? g + mu b : b)
#include "bpnn/optim/sgd.hpp"

#include <span>

#include "bpnn/core/error.hpp"

namespace bpnn {
namespace {

// The hyperparameters of one step, in T.
template <class T>
struct SgdStep {
  T learning_rate, momentum, weight_decay, l1;
  bool nesterov;
  bool first;  // the first step with momentum: b = g
};

// The update of one span of parameters p with gradients g and momentum buffer b (empty when the
// momentum is 0), over the same elements.
template <class T>
void sgd_update(const SgdStep<T>& s, std::span<T> p, std::span<const T> g, std::span<T> b) {
  const std::size_t n = p.size();
  const T lr = s.learning_rate, wd = s.weight_decay, mu = s.momentum, l1 = s.l1;
  if (mu == T(0)) {
    if (wd == T(0) && l1 == T(0)) {
      for (std::size_t i = 0; i < n; ++i) p[i] -= lr * g[i];
    } else {
      for (std::size_t i = 0; i < n; ++i) p[i] -= lr * regularized_gradient(g[i], p[i], wd, l1);
    }
    return;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const T gi = regularized_gradient(g[i], p[i], wd, l1);
    b[i] = s.first ? gi : mu * b[i] + gi;
    p[i] -= lr * (s.nesterov ? gi + mu * b[i] : b[i]);
  }
}

// About an element's operations, for parallel_for's choice of whether to split a tensor.
constexpr std::size_t kSgdWork = 4;

}  // namespace

template <class T>
Sgd<T>::Sgd(SgdOptions options) : options_(options) {
  if (!(options_.learning_rate >= 0) || !(options_.momentum >= 0) || !(options_.weight_decay >= 0) ||
      !(options_.l1 >= 0)) {
    throw Error("sgd: learning rate, momentum, weight decay and l1 must be >= 0");
  }
  if (options_.nesterov && options_.momentum == 0) throw Error("sgd: Nesterov momentum needs a momentum > 0");
}

template <class T>
double Sgd<T>::plain_sgd_learning_rate() const {
  return options_.momentum == 0 && options_.weight_decay == 0 && options_.l1 == 0 ? options_.learning_rate : 0.0;
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
                     .l1 = static_cast<T>(options_.l1),
                     .nesterov = options_.nesterov,
                     .first = !started_};
  const TensorView<T> p = parameters.values(), g = parameters.grads();
  for_each_trained_range(parameters, backend, kSgdWork, [&](FlatRange r) {
    sgd_update<T>(s, r.of(p), r.of(g), momentum != T(0) ? r.of(velocity_) : std::span<T>());
  });
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
