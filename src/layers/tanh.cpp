// Tanh, forward and backward, elementwise.
//   forward:  y = tanh(x)
//   backward: dx = dy * (1 - y^2)
#include "bpnn/layers/tanh.hpp"

namespace bpnn {

template <class T>
void Tanh<T>::forward(const Context<T>& ctx, TensorView<const T> x, TensorView<T> y) const {
  ctx.backend->activation_forward(Activation::tanh, T(0), x.size(), x.data(), y.data());
}

template <class T>
void Tanh<T>::backward(const Context<T>& ctx, TensorView<const T> x, TensorView<const T> y, TensorView<const T> dy,
                        TensorView<T> dx) const {
  if (!dx.empty()) {
    ctx.backend->activation_backward(Activation::tanh, T(0), x.size(), x.data(), y.data(), dy.data(), dx.data());
  }
}

template class Tanh<float>;
template class Tanh<double>;

}  // namespace bpnn
