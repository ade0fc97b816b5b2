// Hyperbolic tangent: y = tanh(x), a zero-centred sigmoid with range (-1, 1).
#pragma once

#include "bpnn/layers/layer.hpp"

namespace bpnn {

// input [N, ...], output the same shape; no parameters.
template <class T>
class Tanh : public Layer<T> {
 public:
  std::string_view kind() const override { return "tanh"; }
  Shape build(const Shape& input_shape) override { return input_shape; }
  void infer(TensorView<const T> input, TensorView<T> output, Tensor<T>& scratch) const override;
  void backward(TensorView<const T> input, TensorView<const T> output, TensorView<const T> output_grad,
                TensorView<T> input_grad) override;
};

extern template class Tanh<float>;
extern template class Tanh<double>;

}  // namespace bpnn
