// Sigmoid, forward and backward, elementwise.
//   forward:  y = 1 / (1 + e^-x)
//   backward: dx = dy * y (1 - y)        (the derivative written through the output)
#include "bpnn/layers/sigmoid.hpp"

#include <cmath>

namespace bpnn {

template <class T>
void Sigmoid<T>::infer(TensorView<const T> x, TensorView<T> y, Tensor<T>& /*scratch*/) const {
  const std::size_t n = x.size();
  const T* in = x.data();
  T* out = y.data();
  for (std::size_t i = 0; i < n; ++i) out[i] = T(1) / (T(1) + std::exp(-in[i]));
}

template <class T>
void Sigmoid<T>::backward(TensorView<const T> /*x*/, TensorView<const T> y, TensorView<const T> dy,
                          TensorView<T> dx) {
  if (dx.empty()) return;
  const std::size_t n = y.size();
  const T* out = y.data();
  const T* g = dy.data();
  T* in_grad = dx.data();
  for (std::size_t i = 0; i < n; ++i) in_grad[i] = g[i] * out[i] * (T(1) - out[i]);
}

template class Sigmoid<float>;
template class Sigmoid<double>;

}  // namespace bpnn
