// Tanh, forward and backward, elementwise.
//   forward:  y = tanh(x)
//   backward: dx = dy * (1 - y^2)
#include "bpnn/layers/tanh.hpp"

#include <cmath>

namespace bpnn {

template <class T>
void Tanh<T>::forward(TensorView<const T> x, TensorView<T> y) {
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = std::tanh(x[i]);
}

template <class T>
void Tanh<T>::backward(TensorView<const T> /*x*/, TensorView<const T> y, TensorView<const T> dy,
                       TensorView<T> dx) {
  if (dx.empty()) return;
  for (std::size_t i = 0; i < y.size(); ++i) dx[i] = dy[i] * (T(1) - y[i] * y[i]);
}

template class Tanh<float>;
template class Tanh<double>;

}  // namespace bpnn
