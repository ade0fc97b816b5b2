// Leaky ReLU, forward and backward, elementwise (s = slope).
//   forward:  y = x if x > 0, else s x
//   backward: dx = dy if x > 0, else s dy
#include "bpnn/layers/leaky_relu.hpp"

namespace bpnn {

template <class T>
void LeakyRelu<T>::forward(TensorView<const T> x, TensorView<T> y) {
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = x[i] > T(0) ? x[i] : slope_ * x[i];
}

template <class T>
void LeakyRelu<T>::backward(TensorView<const T> x, TensorView<const T> /*y*/, TensorView<const T> dy,
                            TensorView<T> dx) {
  if (dx.empty()) return;
  for (std::size_t i = 0; i < x.size(); ++i) dx[i] = x[i] > T(0) ? dy[i] : slope_ * dy[i];
}

template class LeakyRelu<float>;
template class LeakyRelu<double>;

}  // namespace bpnn
