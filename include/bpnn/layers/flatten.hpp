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
  void forward(const Context<T>& context, TensorView<const T> input, TensorView<T> output) const override;
  void backward(const Context<T>& context, TensorView<const T> input, TensorView<const T> output,
                TensorView<const T> output_grad, TensorView<T> input_grad) const override;
};

extern template class Flatten<float>;
extern template class Flatten<double>;

}  // namespace bpnn
