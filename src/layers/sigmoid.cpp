// Sigmoid, forward and backward, elementwise.
//   forward:  y = 1 / (1 + e^-x)
//   backward: dx = dy * y (1 - y)        (the derivative written through the output)
#include "bpnn/layers/sigmoid.hpp"

namespace bpnn {

template <class T>
void Sigmoid<T>::forward(const Context<T>& ctx, TensorView<const T> x, TensorView<T> y) const {
  ctx.backend->activation_forward(Activation::sigmoid, T(0), x.size(), x.data(), y.data());
}

template <class T>
void Sigmoid<T>::backward(const Context<T>& ctx, TensorView<const T> x, TensorView<const T> y, TensorView<const T> dy,
                        TensorView<T> dx) const {
  if (!dx.empty()) {
    ctx.backend->activation_backward(Activation::sigmoid, T(0), x.size(), x.data(), y.data(), dy.data(), dx.data());
  }
}

template class Sigmoid<float>;
template class Sigmoid<double>;

}  // namespace bpnn
