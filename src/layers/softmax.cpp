// Softmax over each row, forward and backward. Legend: N batch, C classes.
//   forward:  y[n,j] = e^{x[n,j] - m} / sum_k e^{x[n,k] - m},  m = max_k x[n,k] (no overflow)
//   backward: dx[n,j] = y[n,j] (dy[n,j] - sum_k dy[n,k] y[n,k])    (Jacobian diag(y) - y y^T)
#include "bpnn/layers/softmax.hpp"

#include <algorithm>
#include <cmath>

#include "bpnn/core/error.hpp"

namespace bpnn {

template <class T>
Shape Softmax<T>::build(const Shape& input_shape) {
  if (input_shape.rank() != 1) throw Error("takes flat samples [classes], got " + input_shape.str());
  return input_shape;
}

template <class T>
void Softmax<T>::infer(TensorView<const T> x, TensorView<T> y, Tensor<T>& /*scratch*/) const {
  const std::size_t N = x.batch(), C = x.sample_size();
  for (std::size_t n = 0; n < N; ++n) {
    const T* xn = x.data() + n * C;
    T* yn = y.data() + n * C;
    const T m = *std::max_element(xn, xn + C);
    T sum = 0;
    for (std::size_t j = 0; j < C; ++j) sum += yn[j] = std::exp(xn[j] - m);
    for (std::size_t j = 0; j < C; ++j) yn[j] /= sum;
  }
}

template <class T>
void Softmax<T>::backward(TensorView<const T> /*x*/, TensorView<const T> y, TensorView<const T> dy,
                          TensorView<T> dx) {
  if (dx.empty()) return;
  const std::size_t N = y.batch(), C = y.sample_size();
  for (std::size_t n = 0; n < N; ++n) {
    const std::size_t row = n * C;
    T dot = 0;
    for (std::size_t k = 0; k < C; ++k) dot += dy[row + k] * y[row + k];
    for (std::size_t j = 0; j < C; ++j) dx[row + j] = y[row + j] * (dy[row + j] - dot);
  }
}

template class Softmax<float>;
template class Softmax<double>;

}  // namespace bpnn
