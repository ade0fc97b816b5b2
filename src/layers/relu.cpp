// ReLU, forward and backward, elementwise.
//   forward:  y = max(0, x)
//   backward: dx = dy if x > 0, else 0     (0 at the kink x = 0, as PyTorch)
#include "bpnn/layers/relu.hpp"

namespace bpnn {

template <class T>
void Relu<T>::infer(TensorView<const T> x, TensorView<T> y, Tensor<T>& /*scratch*/) const {
  const std::size_t n = x.size();
  const T* in = x.data();
  T* out = y.data();
  for (std::size_t i = 0; i < n; ++i) out[i] = in[i] > T(0) ? in[i] : T(0);
}

template <class T>
void Relu<T>::backward(TensorView<const T> x, TensorView<const T> /*y*/, TensorView<const T> dy,
                       TensorView<T> dx) {
  if (dx.empty()) return;
  const std::size_t n = x.size();
  const T* in = x.data();
  const T* g = dy.data();
  T* out = dx.data();
  for (std::size_t i = 0; i < n; ++i) {
    const T gi = g[i];  // read unconditionally, so the loop vectorizes
    out[i] = in[i] > T(0) ? gi : T(0);
  }
}

template class Relu<float>;
template class Relu<double>;

}  // namespace bpnn
