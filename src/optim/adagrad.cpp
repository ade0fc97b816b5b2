// Adagrad: one loop over the flat parameter buffer, with the sums of squared gradients beside it,
// each tensor shared out by the backend's parallel_for.
//   s += g^2;  p -= lr_t g / (sqrt(s) + eps)
#include "bpnn/optim/adagrad.hpp"

#include <cmath>
#include <span>
#include <utility>

#include "bpnn/core/error.hpp"

namespace bpnn {
namespace {

// The update of one span of parameters p with gradients g and sums s, over the same elements:
// g = dE/dp + wd p + l1 sign(p);  s += g^2;  p -= lr_t (g / (sqrt(s) + eps)), lr_t being this step's rate.
template <class T>
void adagrad_update(T lr_t, T weight_decay, T l1, T eps, std::span<T> p, std::span<const T> g, std::span<T> s) {
  for (std::size_t i = 0; i < p.size(); ++i) {
    const T gi = regularized_gradient(g[i], p[i], weight_decay, l1);
    s[i] += gi * gi;
    p[i] -= lr_t * (gi / (std::sqrt(s[i]) + eps));  // PyTorch's addcdiv: the quotient first
  }
}

// About an element's operations, for parallel_for's choice of whether to split a tensor.
constexpr std::size_t kAdagradWork = 8;

}  // namespace

template <class T>
Adagrad<T>::Adagrad(AdagradOptions options) : options_(options) {
  const AdagradOptions& o = options_;
  if (!(o.learning_rate >= 0) || !(o.lr_decay >= 0) || !(o.weight_decay >= 0) ||
      !(o.initial_accumulator_value >= 0) || !(o.eps >= 0) || !(o.l1 >= 0)) {
    throw Error("adagrad: learning rate, lr_decay, weight decay, initial_accumulator_value, eps and l1 must be >= 0");
  }
}

template <class T>
void Adagrad<T>::step(ParameterStore<T>& parameters, const Backend<T>& backend) {
  const AdagradOptions& o = options_;
  if (sum_.size() != parameters.values().size()) {
    sum_ = Tensor<T>(parameters.values().shape());
    sum_.fill(static_cast<T>(o.initial_accumulator_value));
    t_ = 0;
  }
  ++t_;
  // The decayed rate in double, then T, as PyTorch computes it in Python before the update.
  const T lr_t = static_cast<T>(o.learning_rate / (1 + static_cast<double>(t_ - 1) * o.lr_decay));
  const T weight_decay = static_cast<T>(o.weight_decay), l1 = static_cast<T>(o.l1), eps = static_cast<T>(o.eps);
  const TensorView<T> p = parameters.values(), g = parameters.grads();
  for_each_trained_range(parameters, backend, kAdagradWork, [&](FlatRange r) {
    adagrad_update<T>(lr_t, weight_decay, l1, eps, r.of(p), r.of(g), r.of(sum_));
  });
}

template <class T>
OptimizerState<T> Adagrad<T>::state() const {
  OptimizerState<T> state{.kind = "adagrad", .buffers = {}, .steps = t_};
  if (sum_.size() > 0) state.buffers.emplace_back("sum", sum_);
  return state;
}

template <class T>
void Adagrad<T>::set_state(const OptimizerState<T>& state, std::size_t parameter_count) {
  Tensor<T> sum;
  restore_buffer(state, "adagrad", "sum", parameter_count, sum);
  sum_ = std::move(sum);
  t_ = state.steps;
}

template class Adagrad<float>;
template class Adagrad<double>;

}  // namespace bpnn
