// Identity, forward and backward.
//   forward:  y = x
//   backward: dx = dy
#include "bpnn/layers/identity.hpp"

namespace bpnn {

template <class T>
void Identity<T>::forward(const Context<T>& ctx, TensorView<const T> x, TensorView<T> y) const {
  ctx.backend->activation_forward(Activation::identity, T(0), x.size(), x.data(), y.data());
}

template <class T>
void Identity<T>::backward(const Context<T>& ctx, TensorView<const T> x, TensorView<const T> y, TensorView<const T> dy,
                        TensorView<T> dx) const {
  if (!dx.empty()) {
    ctx.backend->activation_backward(Activation::identity, T(0), x.size(), x.data(), y.data(), dy.data(), dx.data());
  }
}

template class Identity<float>;
template class Identity<double>;

}  // namespace bpnn
