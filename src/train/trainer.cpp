#include "bpnn/train/trainer.hpp"

#include <cmath>
#include <utility>

#include "bpnn/core/error.hpp"

namespace bpnn {

// The norm's sum of squares is one loop on the calling thread, in double, tensor by tensor in
// order: shared out over threads its order (and so its last bits) would change with the thread
// count. The scaling is elementwise, so parallel_for may share it out without changing a bit.
template <class T>
void clip_gradient_norm(ParameterStore<T>& parameters, const Backend<T>& backend, double max_norm) {
  double sum_sq = 0;
  for (std::size_t k = 0; k < parameters.count(); ++k) {
    if (!parameters.entry(k).trained()) continue;
    const TensorView<const T> g = std::as_const(parameters).grad(k);
    double tensor_sum = 0;
    for (std::size_t i = 0; i < g.size(); ++i) tensor_sum += static_cast<double>(g[i]) * static_cast<double>(g[i]);
    sum_sq += tensor_sum;
  }
  const double scale = max_norm / (std::sqrt(sum_sq) + 1e-6);
  if (scale >= 1.0) return;
  const T s = static_cast<T>(scale);
  const TensorView<T> grads = parameters.grads();
  for_each_trained_range(parameters, backend, 1, [&](FlatRange r) {
    for (T& g : r.of(grads)) g *= s;
  });
}

template <class T>
Trainer<T>::Trainer(Sequential<T>& model, const Loss<T>& loss, Optimizer<T>& optimizer, TrainerOptions options)
    : model_(model), loss_(loss), optimizer_(optimizer), options_(options) {
  if (!(options_.max_grad_norm >= 0)) throw Error("max_grad_norm must be >= 0 (0: no clipping)");
  if (options_.max_grad_norm > 0) {
    const double max_norm = options_.max_grad_norm;
    add_gradient_hook([max_norm](ParameterStore<T>& p, const Backend<T>& b) { clip_gradient_norm(p, b, max_norm); });
  }
}

template <class T>
void Trainer<T>::add_gradient_hook(GradientHook<T> hook) {
  hooks_.push_back(std::move(hook));
}

template <class T>
T Trainer<T>::forward_and_loss_gradient(TensorView<const T> input, TensorView<const T> target) {
  TensorView<const T> output = model_.forward_train(input, options_.rng != nullptr ? *options_.rng : own_rng_);
  loss_grad_.resize(output.shape());
  return loss_.value_and_gradient(model_.backend(), output, target, loss_grad_.view());
}

template <class T>
T Trainer<T>::compute_gradients(TensorView<const T> input, TensorView<const T> target) {
  const T loss = forward_and_loss_gradient(input, target);
  model_.parameters().zero_grad();
  model_.backward(loss_grad_.view());
  return loss;
}

template <class T>
void Trainer<T>::run_gradient_hooks() {
  for (const GradientHook<T>& hook : hooks_) hook(model_.parameters(), model_.backend());
}

template <class T>
void Trainer<T>::apply_update() {
  optimizer_.step(model_.parameters(), model_.backend());
}

template <class T>
T Trainer<T>::fused_learning_rate() const {
  const double rate = optimizer_.plain_sgd_learning_rate();
  if (!(rate > 0) || !hooks_.empty() || !model_.updates_in_place()) return T(0);
  const ParameterStore<T>& p = model_.parameters();
  for (std::size_t k = 0; k < p.count(); ++k) {
    if (p.entry(k).frozen) return T(0);
  }
  return static_cast<T>(rate);
}

template <class T>
T Trainer<T>::step(TensorView<const T> input, TensorView<const T> target) {
  // Plain SGD adds -lr dE/dp straight into the parameters: the same arithmetic without three
  // passes over the gradient buffer per step (zero, accumulate, apply). Online training gains most.
  if (const T rate = fused_learning_rate(); rate > T(0)) {
    const T loss = forward_and_loss_gradient(input, target);
    model_.backward(loss_grad_.view(), {}, {.base = model_.parameters().values().data(), .scale = -rate});
    return loss;
  }
  const T loss = compute_gradients(input, target);
  run_gradient_hooks();
  apply_update();
  return loss;
}

template void clip_gradient_norm(ParameterStore<float>&, const Backend<float>&, double);
template void clip_gradient_norm(ParameterStore<double>&, const Backend<double>&, double);
template class Trainer<float>;
template class Trainer<double>;

}  // namespace bpnn
