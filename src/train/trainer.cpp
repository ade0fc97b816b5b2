#include "bpnn/train/trainer.hpp"

#include <cmath>

#include "bpnn/core/error.hpp"

namespace bpnn {

namespace {

// PyTorch's clip_grad_norm_ over the trainable tensors: the total L2 norm n of all gradients, and
// if n > max_norm every gradient times max_norm / (n + 1e-6).
template <class T>
void clip_gradients(ParameterStore<T>& parameters, double max_norm) {
  double sum_sq = 0;
  for (std::size_t k = 0; k < parameters.count(); ++k) {
    if (!parameters.entry(k).trained()) continue;
    for (T g : parameters.grad(k).span()) sum_sq += static_cast<double>(g) * static_cast<double>(g);
  }
  const double scale = max_norm / (std::sqrt(sum_sq) + 1e-6);
  if (scale >= 1.0) return;
  for (std::size_t k = 0; k < parameters.count(); ++k) {
    if (!parameters.entry(k).trained()) continue;
    for (T& g : parameters.grad(k).span()) g *= static_cast<T>(scale);
  }
}

}  // namespace

template <class T>
Trainer<T>::Trainer(Sequential<T>& model, const Loss<T>& loss, Optimizer<T>& optimizer, TrainerOptions options)
    : model_(model), loss_(loss), optimizer_(optimizer), options_(options) {
  if (!(options_.max_grad_norm >= 0)) throw Error("max_grad_norm must be >= 0 (0: no clipping)");
}

template <class T>
T Trainer<T>::forward_and_loss_gradient(TensorView<const T> input, TensorView<const T> target) {
  TensorView<const T> output = model_.forward_train(input, options_.rng != nullptr ? *options_.rng : own_rng_);
  const T loss = loss_.forward(output, target);
  loss_grad_.resize(output.shape());
  loss_.backward(output, target, loss_grad_.view());
  return loss;
}

template <class T>
T Trainer<T>::compute_gradients(TensorView<const T> input, TensorView<const T> target) {
  const T loss = forward_and_loss_gradient(input, target);
  model_.parameters().zero_grad();
  model_.backward(loss_grad_.view());
  return loss;
}

template <class T>
T Trainer<T>::step(TensorView<const T> input, TensorView<const T> target) {
  const T loss = forward_and_loss_gradient(input, target);
  // Plain SGD fuses the update into back-propagation: the same arithmetic, without three passes
  // over the gradient buffers per step (zero, accumulate, apply). Online training gains most.
  const double plain_rate = optimizer_.plain_sgd_learning_rate();
  const bool fused = plain_rate > 0 && options_.max_grad_norm == 0 && model_.backward_sgd(loss_grad_.view(), static_cast<T>(plain_rate));
  if (!fused) {
    model_.parameters().zero_grad();
    model_.backward(loss_grad_.view());
    if (options_.max_grad_norm > 0) clip_gradients(model_.parameters(), options_.max_grad_norm);
    optimizer_.step(model_.parameters());
  }
  return loss;
}

template class Trainer<float>;
template class Trainer<double>;

}  // namespace bpnn
