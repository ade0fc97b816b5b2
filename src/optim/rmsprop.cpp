// RMSprop: one loop over the flat parameter buffer, with the running averages beside it, each
// tensor shared out by the backend's parallel_for.
//   a = alpha a + (1 - alpha) g^2;  p -= lr g / (sqrt(a [- ga^2]) + eps), through a momentum buffer if any
#include "bpnn/optim/rmsprop.hpp"

#include <cmath>
#include <span>
#include <string>
#include <utility>

#include "bpnn/core/error.hpp"

namespace bpnn {
namespace {

// The hyperparameters of one step, in T.
template <class T>
struct RmspropStep {
  T learning_rate, alpha, eps, weight_decay, momentum, l1;
  bool centered;
};

// The update of one span of parameters p with gradients g, square average a, momentum buffer b
// (empty without momentum) and gradient average ga (empty unless centered), over the same elements:
// g = dE/dp + wd p + l1 sign(p);  a = alpha a + (1 - alpha) g^2;
// centered: ga = alpha ga + (1 - alpha) g, d = sqrt(a - ga^2) + eps; else d = sqrt(a) + eps;
// momentum: b = momentum b + g / d, p -= lr b; else p -= lr g / d.
template <class T>
void rmsprop_update(const RmspropStep<T>& s, std::span<T> p, std::span<const T> g, std::span<T> a, std::span<T> b,
                    std::span<T> ga) {
  for (std::size_t i = 0; i < p.size(); ++i) {
    const T gi = regularized_gradient(g[i], p[i], s.weight_decay, s.l1);
    a[i] = s.alpha * a[i] + (T(1) - s.alpha) * gi * gi;
    T d;
    if (s.centered) {
      ga[i] = s.alpha * ga[i] + (T(1) - s.alpha) * gi;
      d = std::sqrt(a[i] - ga[i] * ga[i]) + s.eps;
    } else {
      d = std::sqrt(a[i]) + s.eps;
    }
    if (s.momentum > T(0)) {
      b[i] = s.momentum * b[i] + gi / d;
      p[i] -= s.learning_rate * b[i];
    } else {
      p[i] -= s.learning_rate * gi / d;
    }
  }
}

// About an element's operations, for parallel_for's choice of whether to split a tensor.
constexpr std::size_t kRmspropWork = 16;

}  // namespace

template <class T>
Rmsprop<T>::Rmsprop(RmspropOptions options) : options_(options) {
  const RmspropOptions& o = options_;
  if (!(o.learning_rate >= 0) || !(o.eps >= 0) || !(o.weight_decay >= 0) || !(o.momentum >= 0) || !(o.l1 >= 0)) {
    throw Error("rmsprop: learning rate, eps, weight decay, momentum and l1 must be >= 0");
  }
  // PyTorch accepts any alpha >= 0, but at 1 the average never leaves 0 (every step is g / eps) and
  // above 1 it is no average: both are mistakes, so they are refused here.
  if (!(o.alpha >= 0 && o.alpha < 1)) throw Error("rmsprop: alpha must lie in [0, 1)");
}

template <class T>
void Rmsprop<T>::step(ParameterStore<T>& parameters, const Backend<T>& backend) {
  const RmspropOptions& o = options_;
  if (square_avg_.size() != parameters.values().size()) {
    // PyTorch starts every buffer at zero (not at g or g^2 as SGD's momentum does), so the first
    // step needs no special case.
    square_avg_ = Tensor<T>(parameters.values().shape());
    momentum_buffer_ = o.momentum > 0 ? Tensor<T>(parameters.values().shape()) : Tensor<T>();
    grad_avg_ = o.centered ? Tensor<T>(parameters.values().shape()) : Tensor<T>();
    t_ = 0;
  }
  ++t_;
  const RmspropStep<T> s{.learning_rate = static_cast<T>(o.learning_rate),
                         .alpha = static_cast<T>(o.alpha),
                         .eps = static_cast<T>(o.eps),
                         .weight_decay = static_cast<T>(o.weight_decay),
                         .momentum = static_cast<T>(o.momentum),
                         .l1 = static_cast<T>(o.l1),
                         .centered = o.centered};
  const TensorView<T> p = parameters.values(), g = parameters.grads();
  for_each_trained_range(parameters, backend, kRmspropWork, [&](FlatRange r) {
    rmsprop_update<T>(s, r.of(p), r.of(g), r.of(square_avg_), r.of(momentum_buffer_), r.of(grad_avg_));
  });
}

template <class T>
OptimizerState<T> Rmsprop<T>::state() const {
  OptimizerState<T> state{.kind = "rmsprop", .buffers = {}, .steps = t_};
  if (square_avg_.size() > 0) state.buffers.emplace_back("square_avg", square_avg_);
  if (momentum_buffer_.size() > 0) state.buffers.emplace_back("momentum_buffer", momentum_buffer_);
  if (grad_avg_.size() > 0) state.buffers.emplace_back("grad_avg", grad_avg_);
  return state;
}

template <class T>
void Rmsprop<T>::set_state(const OptimizerState<T>& state, std::size_t parameter_count) {
  Tensor<T> square_avg, momentum_buffer, grad_avg;
  restore_buffer(state, "rmsprop", "square_avg", parameter_count, square_avg);
  restore_buffer(state, "rmsprop", "momentum_buffer", parameter_count, momentum_buffer);
  restore_buffer(state, "rmsprop", "grad_avg", parameter_count, grad_avg);
  // A state from before the first step holds no buffers; after it, exactly the ones these options use
  // (a checkpoint of an RMSprop with other momentum or centering would otherwise half-apply).
  if (square_avg.size() > 0) {
    if ((momentum_buffer.size() > 0) != (options_.momentum > 0)) {
      throw Error(std::string("optimizer state: this RMSprop ") + (options_.momentum > 0 ? "uses" : "has no") +
                  " momentum, the state " + (momentum_buffer.size() > 0 ? "has" : "has no") + " momentum_buffer");
    }
    if ((grad_avg.size() > 0) != options_.centered) {
      throw Error(std::string("optimizer state: this RMSprop is ") + (options_.centered ? "" : "not ") +
                  "centered, the state " + (grad_avg.size() > 0 ? "has" : "has no") + " grad_avg");
    }
  } else if (momentum_buffer.size() > 0 || grad_avg.size() > 0) {
    throw Error("optimizer state: RMSprop needs square_avg beside momentum_buffer and grad_avg");
  }
  square_avg_ = std::move(square_avg);
  momentum_buffer_ = std::move(momentum_buffer);
  grad_avg_ = std::move(grad_avg);
  t_ = state.steps;
}

template class Rmsprop<float>;
template class Rmsprop<double>;

}  // namespace bpnn
