// Softmax over the features of each sample: y_j = e^{x_j} / sum_k e^{x_k}, outputs summing to 1.
// For classification training prefer a plain output and the cross_entropy loss, which takes
// logits and fuses the softmax (more accurate, as in PyTorch); use this layer for probabilities.
#pragma once

#include "bpnn/layers/layer.hpp"

namespace bpnn {

// input [N, C], output [N, C]; no parameters.
template <class T>
class Softmax : public Layer<T> {
 public:
  std::string_view kind() const override { return "softmax"; }
  Shape build(const Shape& input_shape) override;
  void forward(const Context<T>& context, TensorView<const T> input, TensorView<T> output) const override;
  void backward(const Context<T>& context, TensorView<const T> input, TensorView<const T> output,
                TensorView<const T> output_grad, TensorView<T> input_grad) const override;
};

extern template class Softmax<float>;
extern template class Softmax<double>;

}  // namespace bpnn
