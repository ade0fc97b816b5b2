// Rectified linear unit: y = max(0, x).
#pragma once

#include "bpnn/layers/layer.hpp"

namespace bpnn {

// input [N, ...], output the same shape; no parameters.
template <class T>
class Relu : public Layer<T> {
 public:
  std::string_view kind() const override { return "relu"; }
  Shape build(const Shape& input_shape) override { return input_shape; }
  void forward(const Context<T>& context, TensorView<const T> input, TensorView<T> output) const override;
  void backward(const Context<T>& context, TensorView<const T> input, TensorView<const T> output,
                TensorView<const T> output_grad, TensorView<T> input_grad) const override;
};

extern template class Relu<float>;
extern template class Relu<double>;

}  // namespace bpnn
