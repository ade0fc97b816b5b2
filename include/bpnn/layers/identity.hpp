// Identity (linear) activation: y = x, the output of a regression network.
#pragma once

#include "bpnn/layers/layer.hpp"

namespace bpnn {

// input [N, ...], output the same shape; no parameters.
template <class T>
class Identity : public Layer<T> {
 public:
  std::string_view kind() const override { return "identity"; }
  Shape build(const Shape& input_shape) override { return input_shape; }
  void infer(TensorView<const T> input, TensorView<T> output, Tensor<T>& scratch) const override;
  void backward(TensorView<const T> input, TensorView<const T> output, TensorView<const T> output_grad,
                TensorView<T> input_grad) override;
};

extern template class Identity<float>;
extern template class Identity<double>;

}  // namespace bpnn
