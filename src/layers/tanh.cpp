// Tanh, forward and backward, elementwise.
//   forward:  y = tanh(x)
//   backward: dx = dy * (1 - y^2)
#include "bpnn/layers/tanh.hpp"

#include <cmath>

namespace bpnn {

template <class T>
void Tanh<T>::infer(TensorView<const T> x, TensorView<T> y, Tensor<T>& /*scratch*/) const {
  const std::size_t n = x.size();
  const T* in = x.data();
  T* out = y.data();
  for (std::size_t i = 0; i < n; ++i) out[i] = std::tanh(in[i]);
}

template <class T>
void Tanh<T>::backward(TensorView<const T> /*x*/, TensorView<const T> y, TensorView<const T> dy,
                       TensorView<T> dx) {
  if (dx.empty()) return;
  const std::size_t n = y.size();
  const T* out = y.data();
  const T* g = dy.data();
  T* in_grad = dx.data();
  for (std::size_t i = 0; i < n; ++i) in_grad[i] = g[i] * (T(1) - out[i] * out[i]);
}

template class Tanh<float>;
template class Tanh<double>;

}  // namespace bpnn
