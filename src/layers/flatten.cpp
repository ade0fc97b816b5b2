// Flatten, forward and backward: the elements stay where they are, only the shape changes.
//   forward:  y = x       backward: dx = dy
#include "bpnn/layers/flatten.hpp"

namespace bpnn {

template <class T>
void Flatten<T>::infer(TensorView<const T> x, TensorView<T> y, Tensor<T>& /*scratch*/) const {
  copy(x, y);
}

template <class T>
void Flatten<T>::backward(TensorView<const T> /*x*/, TensorView<const T> /*y*/, TensorView<const T> dy,
                          TensorView<T> dx) {
  if (!dx.empty()) copy(dy, dx);
}

template class Flatten<float>;
template class Flatten<double>;

}  // namespace bpnn
