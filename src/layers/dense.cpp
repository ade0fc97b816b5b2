// Dense layer, forward and backward.
// Legend: N batch, I input features, O output features (units).
//   forward:  y[n,o] = sum_i x[n,i] W[o,i] + b[o]           y = x W^T + b
//   backward: dx[n,i] = sum_o dy[n,o] W[o,i]                dx = dy W       (overwrite)
//             dW[o,i] += sum_n dy[n,o] x[n,i]               dW += dy^T x    (accumulate)
//             db[o]   += sum_n dy[n,o]                                      (accumulate)
//   online SGD: dx as above with the old W, then W -= lr dy^T x and b -= lr sum_n dy[n,o] in place
//             (for one sample, an outer product: no gradient buffer is touched)
#include "bpnn/layers/dense.hpp"

#include <cmath>

#include "bpnn/core/error.hpp"
#include "kernels/gemm.hpp"

namespace bpnn {

using kernels::gemm;
using kernels::Transpose;

template <class T>
Dense<T>::Dense(DenseOptions options) : options_(options) {
  if (options_.units == 0) throw Error("dense: units must be at least 1");
}

template <class T>
Shape Dense<T>::build(const Shape& input_shape) {
  if (input_shape.rank() != 1) {
    throw Error("takes flat samples [features], got " + input_shape.str() +
                "; put a flatten layer before it");
  }
  in_ = input_shape[0];
  return Shape{options_.units};
}

template <class T>
std::vector<ParameterSpec> Dense<T>::parameter_specs() const {
  const double bound = 1.0 / std::sqrt(static_cast<double>(in_));
  const Initializer pytorch_default = Initializer::uniform(-bound, bound);
  std::vector<ParameterSpec> specs{
      {"weight", Shape{options_.units, in_}, options_.weight_init.value_or(pytorch_default)}};
  if (options_.bias) specs.push_back({"bias", Shape{options_.units}, options_.bias_init.value_or(pytorch_default)});
  return specs;
}

template <class T>
void Dense<T>::bind(ParameterStore<T>& store, std::size_t first) {
  weight_ = store.value(first);
  weight_grad_ = store.grad(first);
  if (options_.bias) {
    bias_ = store.value(first + 1);
    bias_grad_ = store.grad(first + 1);
  }
}

template <class T>
void Dense<T>::infer(TensorView<const T> x, TensorView<T> y, Tensor<T>& /*scratch*/) const {
  const std::size_t N = x.batch(), I = in_, O = options_.units;
  // y = b broadcast over the batch, then y += x W^T in one GEMM.
  for (std::size_t n = 0; n < N; ++n) {
    for (std::size_t o = 0; o < O; ++o) y[n * O + o] = options_.bias ? bias_[o] : T(0);
  }
  gemm<T>(Transpose::no, Transpose::yes, N, O, I, T(1), x.data(), I, weight_.data(), I, T(1), y.data(), O);
}

template <class T>
void Dense<T>::backward(TensorView<const T> x, TensorView<const T> /*y*/, TensorView<const T> dy,
                        TensorView<T> dx) {
  const std::size_t N = x.batch(), I = in_, O = options_.units;
  gemm<T>(Transpose::yes, Transpose::no, O, I, N, T(1), dy.data(), O, x.data(), I, T(1), weight_grad_.data(), I);
  if (options_.bias) {
    for (std::size_t n = 0; n < N; ++n) {
      for (std::size_t o = 0; o < O; ++o) bias_grad_[o] += dy[n * O + o];
    }
  }
  if (!dx.empty()) {
    gemm<T>(Transpose::no, Transpose::no, N, I, O, T(1), dy.data(), O, weight_.data(), I, T(0), dx.data(), I);
  }
}

template <class T>
void Dense<T>::backward_sgd(TensorView<const T> x, TensorView<const T> /*y*/, TensorView<const T> dy,
                            TensorView<T> dx, T learning_rate) {
  const std::size_t N = x.batch(), I = in_, O = options_.units;
  if (!dx.empty()) {
    gemm<T>(Transpose::no, Transpose::no, N, I, O, T(1), dy.data(), O, weight_.data(), I, T(0), dx.data(), I);
  }
  gemm<T>(Transpose::yes, Transpose::no, O, I, N, -learning_rate, dy.data(), O, x.data(), I, T(1), weight_.data(), I);
  if (options_.bias) {
    for (std::size_t n = 0; n < N; ++n) {
      for (std::size_t o = 0; o < O; ++o) bias_[o] -= learning_rate * dy[n * O + o];
    }
  }
}

template class Dense<float>;
template class Dense<double>;

}  // namespace bpnn
