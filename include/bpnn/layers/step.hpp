// The M-P threshold unit (sgn): y = 1 if x >= 0, else 0. With a dense layer before it, the unit
// fires when its weighted sum reaches its threshold (threshold = -bias).
// Its derivative is 0 almost everywhere, so no gradient can flow through it: backward throws
// Error rather than return silent zeros. Train perceptrons of step units with the perceptron rule.
#pragma once

#include "bpnn/layers/layer.hpp"

namespace bpnn {

// input [N, ...], output the same shape; no parameters.
template <class T>
class Step : public Layer<T> {
 public:
  std::string_view kind() const override { return "step"; }
  Shape build(const Shape& input_shape) override { return input_shape; }
  void forward(const Context<T>& context, TensorView<const T> input, TensorView<T> output) const override;
  // Throws Error whenever a gradient is wanted (input_grad not empty).
  void backward(const Context<T>& context, TensorView<const T> input, TensorView<const T> output,
                TensorView<const T> output_grad, TensorView<T> input_grad) const override;
};

extern template class Step<float>;
extern template class Step<double>;

}  // namespace bpnn
