// Identity, forward and backward.
//   forward:  y = x
//   backward: dx = dy
#include "bpnn/layers/identity.hpp"

namespace bpnn {

template <class T>
void Identity<T>::infer(TensorView<const T> x, TensorView<T> y, Tensor<T>& /*scratch*/) const {
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
