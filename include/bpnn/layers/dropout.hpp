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
  void infer(TensorView<const T> input, TensorView<T> output, Tensor<T>& scratch) const override;
  void forward(TensorView<const T> input, TensorView<T> output) override;
  void forward_train(TensorView<const T> input, TensorView<T> output, Rng& rng) override;
  void backward(TensorView<const T> input, TensorView<const T> output, TensorView<const T> output_grad,
                TensorView<T> input_grad) override;

  double p() const { return p_; }

 private:
  double p_;
  Tensor<T> mask_;          // 0 or 1 / (1 - p) per element, from the last training forward
  bool last_train_ = false;  // whether the last forward was in training mode
};

extern template class Dropout<float>;
extern template class Dropout<double>;

}  // namespace bpnn
