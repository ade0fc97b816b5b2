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
  void forward(const Context<T>& context, TensorView<const T> input, TensorView<T> output) const override;
  void backward(const Context<T>& context, TensorView<const T> input, TensorView<const T> output,
                TensorView<const T> output_grad, TensorView<T> input_grad) const override;
};

extern template class Identity<float>;
extern template class Identity<double>;

}  // namespace bpnn
