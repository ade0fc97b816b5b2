// ReLU, forward and backward, elementwise.
//   forward:  y = max(0, x)
//   backward: dx = dy if x > 0, else 0     (0 at the kink x = 0, as PyTorch)
#include "bpnn/layers/relu.hpp"

namespace bpnn {

template <class T>
void Relu<T>::forward(TensorView<const T> x, TensorView<T> y) {
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = x[i] > T(0) ? x[i] : T(0);
}

template <class T>
void Relu<T>::backward(TensorView<const T> x, TensorView<const T> /*y*/, TensorView<const T> dy,
                       TensorView<T> dx) {
  if (dx.empty()) return;
  for (std::size_t i = 0; i < x.size(); ++i) dx[i] = x[i] > T(0) ? dy[i] : T(0);
}

template class Relu<float>;
template class Relu<double>;

}  // namespace bpnn
