// ReLU, forward and backward, elementwise.
//   forward:  y = max(0, x)
//   backward: dx = dy if x > 0, else 0     (0 at the kink x = 0, as PyTorch)
#include "bpnn/layers/relu.hpp"

namespace bpnn {

template <class T>
void Relu<T>::forward(const Context<T>& ctx, TensorView<const T> x, TensorView<T> y) const {
  ctx.backend->activation_forward(Activation::relu, T(0), x.size(), x.data(), y.data());
}

template <class T>
void Relu<T>::backward(const Context<T>& ctx, TensorView<const T> x, TensorView<const T> y, TensorView<const T> dy,
                        TensorView<T> dx) const {
  if (!dx.empty()) {
    ctx.backend->activation_backward(Activation::relu, T(0), x.size(), x.data(), y.data(), dy.data(), dx.data());
  }
}

template class Relu<float>;
template class Relu<double>;

}  // namespace bpnn
