// Flatten, forward and backward: the elements stay where they are, only the shape changes.
//   forward:  y = x       backward: dx = dy
// A copy, no backend op: its best form is the same on every host.
#include "bpnn/layers/flatten.hpp"

#include <algorithm>

namespace bpnn {

template <class T>
void Flatten<T>::forward(const Context<T>& /*ctx*/, TensorView<const T> x, TensorView<T> y) const {
  std::copy_n(x.data(), x.size(), y.data());
}

template <class T>
void Flatten<T>::backward(const Context<T>& /*ctx*/, TensorView<const T> /*x*/, TensorView<const T> /*y*/,
                          TensorView<const T> dy, TensorView<T> dx) const {
  if (!dx.empty()) std::copy_n(dy.data(), dy.size(), dx.data());
}

template class Flatten<float>;
template class Flatten<double>;

}  // namespace bpnn
