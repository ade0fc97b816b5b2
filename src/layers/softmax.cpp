// Softmax over each row, forward and backward. Legend: N batch, C classes.
//   forward:  y[n,j] = e^{x[n,j] - m} / sum_k e^{x[n,k] - m},  m = max_k x[n,k] (no overflow)
//   backward: dx[n,j] = y[n,j] (dy[n,j] - sum_k dy[n,k] y[n,k])    (Jacobian diag(y) - y y^T)
#include "bpnn/layers/softmax.hpp"

#include "bpnn/core/error.hpp"

namespace bpnn {

template <class T>
Shape Softmax<T>::build(const Shape& input_shape) {
  if (input_shape.rank() != 1) throw Error("takes flat samples [classes], got " + input_shape.str());
  return input_shape;
}

template <class T>
void Softmax<T>::forward(const Context<T>& ctx, TensorView<const T> x, TensorView<T> y) const {
  ctx.backend->softmax_forward(x.batch(), x.sample_size(), x.data(), y.data());
}

template <class T>
void Softmax<T>::backward(const Context<T>& ctx, TensorView<const T> /*x*/, TensorView<const T> y,
                          TensorView<const T> dy, TensorView<T> dx) const {
  if (!dx.empty()) ctx.backend->softmax_backward(y.batch(), y.sample_size(), y.data(), dy.data(), dx.data());
}

template class Softmax<float>;
template class Softmax<double>;

}  // namespace bpnn
