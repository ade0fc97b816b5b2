// Flatten: each sample [C, H, W] (any shape) becomes one row [C * H * W], as PyTorch's nn.Flatten.
#pragma once

#include "bpnn/layers/layer.hpp"

namespace bpnn {

// input [N, d1, d2, ...], output [N, d1 * d2 * ...]; no parameters.
template <class T>
class Flatten : public Layer<T> {
 public:
  std::string_view kind() const override { return "flatten"; }
  Shape build(const Shape& input_shape) override { return Shape{input_shape.numel()}; }
  void infer(TensorView<const T> input, TensorView<T> output, Tensor<T>& scratch) const override;
  void backward(TensorView<const T> input, TensorView<const T> output, TensorView<const T> output_grad,
                TensorView<T> input_grad) override;
};

extern template class Flatten<float>;
extern template class Flatten<double>;

}  // namespace bpnn
