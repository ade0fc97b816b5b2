// Sigmoid, forward and backward, elementwise.
//   forward:  y = 1 / (1 + e^-x)
//   backward: dx = dy * y (1 - y)        (the derivative written through the output)
#include "bpnn/layers/sigmoid.hpp"

#include <cmath>

namespace bpnn {

template <class T>
void Sigmoid<T>::forward(TensorView<const T> x, TensorView<T> y) {
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = T(1) / (T(1) + std::exp(-x[i]));
}

template <class T>
void Sigmoid<T>::backward(TensorView<const T> /*x*/, TensorView<const T> y, TensorView<const T> dy,
                          TensorView<T> dx) {
  if (dx.empty()) return;
  for (std::size_t i = 0; i < y.size(); ++i) dx[i] = dy[i] * y[i] * (T(1) - y[i]);
}

template class Sigmoid<float>;
template class Sigmoid<double>;

}  // namespace bpnn
