// Identity, forward and backward.
//   forward:  y = x
//   backward: dx = dy
#include "bpnn/layers/identity.hpp"

namespace bpnn {

template <class T>
void Identity<T>::forward(TensorView<const T> x, TensorView<T> y) {
  copy(x, y);
}

template <class T>
void Identity<T>::backward(TensorView<const T> /*x*/, TensorView<const T> /*y*/, TensorView<const T> dy,
                           TensorView<T> dx) {
  if (!dx.empty()) copy(dy, dx);
}

template class Identity<float>;
template class Identity<double>;

}  // namespace bpnn
