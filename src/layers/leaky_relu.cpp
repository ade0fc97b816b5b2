// Leaky ReLU, forward and backward, elementwise (s = slope).
//   forward:  y = x if x > 0, else s x
//   backward: dx = dy if x > 0, else s dy
#include "bpnn/layers/leaky_relu.hpp"

namespace bpnn {

template <class T>
void LeakyRelu<T>::infer(TensorView<const T> x, TensorView<T> y, Tensor<T>& /*scratch*/) const {
  const std::size_t n = x.size();
  const T* in = x.data();
  T* out = y.data();
  for (std::size_t i = 0; i < n; ++i) out[i] = in[i] > T(0) ? in[i] : slope_ * in[i];
}

template <class T>
void LeakyRelu<T>::backward(TensorView<const T> x, TensorView<const T> /*y*/, TensorView<const T> dy,
                            TensorView<T> dx) {
  if (dx.empty()) return;
  const std::size_t n = x.size();
  const T* in = x.data();
  const T* g = dy.data();
  T* out = dx.data();
  for (std::size_t i = 0; i < n; ++i) {
    const T gi = g[i];
    out[i] = in[i] > T(0) ? gi : slope_ * gi;
  }
}

template class LeakyRelu<float>;
template class LeakyRelu<double>;

}  // namespace bpnn
