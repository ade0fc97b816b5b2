#include "bpnn/train/trainer.hpp"

namespace bpnn {

template <class T>
Trainer<T>::Trainer(Sequential<T>& model, const Loss<T>& loss, Optimizer<T>& optimizer)
    : model_(model), loss_(loss), optimizer_(optimizer) {}

template <class T>
T Trainer<T>::forward_and_loss_gradient(TensorView<const T> input, TensorView<const T> target) {
  TensorView<const T> output = model_.forward(input);
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
  const bool fused = plain_rate > 0 && model_.backward_sgd(loss_grad_.view(), static_cast<T>(plain_rate));
  if (!fused) {
    model_.parameters().zero_grad();
    model_.backward(loss_grad_.view());
    optimizer_.step(model_.parameters());
  }
  return loss;
}

template class Trainer<float>;
template class Trainer<double>;

}  // namespace bpnn
