// Leaky ReLU, forward and backward, elementwise (s = slope).
//   forward:  y = x if x > 0, else s x
//   backward: dx = dy if x > 0, else s dy
#include "bpnn/layers/leaky_relu.hpp"

namespace bpnn {

template <class T>
void LeakyRelu<T>::forward(const Context<T>& ctx, TensorView<const T> x, TensorView<T> y) const {
  ctx.backend->activation_forward(Activation::leaky_relu, slope_, x.size(), x.data(), y.data());
}

template <class T>
void LeakyRelu<T>::backward(const Context<T>& ctx, TensorView<const T> x, TensorView<const T> y, TensorView<const T> dy,
                        TensorView<T> dx) const {
  if (!dx.empty()) {
    ctx.backend->activation_backward(Activation::leaky_relu, slope_, x.size(), x.data(), y.data(), dy.data(), dx.data());
  }
}

template class LeakyRelu<float>;
template class LeakyRelu<double>;

}  // namespace bpnn
