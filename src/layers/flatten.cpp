// Flatten, forward and backward: the elements stay where they are, only the shape changes.
//   forward:  y = x       backward: dx = dy
#include "bpnn/layers/flatten.hpp"

namespace bpnn {

template <class T>
void Flatten<T>::forward(const Context<T>& ctx, TensorView<const T> x, TensorView<T> y) const {
  ctx.backend->copy(x.size(), x.data(), y.data());
}

template <class T>
void Flatten<T>::backward(const Context<T>& ctx, TensorView<const T> /*x*/, TensorView<const T> /*y*/,
                          TensorView<const T> dy, TensorView<T> dx) const {
  if (!dx.empty()) ctx.backend->copy(dy.size(), dy.data(), dx.data());
}

template class Flatten<float>;
template class Flatten<double>;

}  // namespace bpnn
