// Dropout, as PyTorch's nn.Dropout: while training each element is zeroed with probability p and
// the survivors scaled by 1 / (1 - p) (inverted dropout), so inference needs no rescaling and is
// the identity.
#pragma once

#include "bpnn/layers/layer.hpp"

namespace bpnn {

struct DropoutOptions {
  double p = 0.5;  // probability of zeroing an element, in [0, 1)
};

// input [N, ...], output the same shape; no parameters.
template <class T>
class Dropout : public Layer<T> {
 public:
  // Throws Error unless 0 <= p < 1.
  explicit Dropout(DropoutOptions options = {});

  std::string_view kind() const override { return "dropout"; }
  Shape build(const Shape& input_shape) override { return input_shape; }
  LayerConfig config() const override { return {"dropout", {{"p", p_}}}; }
  // In train mode draws the mask from the context's generator (saved for backward); in eval mode
  // the identity.
  void forward(const Context<T>& context, TensorView<const T> input, TensorView<T> output) const override;
  void backward(const Context<T>& context, TensorView<const T> input, TensorView<const T> output,
                TensorView<const T> output_grad, TensorView<T> input_grad) const override;

  double p() const { return p_; }

 private:
  double p_;
};

extern template class Dropout<float>;
extern template class Dropout<double>;

}  // namespace bpnn
