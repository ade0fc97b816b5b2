// Leaky ReLU: y = x for x > 0, slope * x otherwise (PyTorch's negative_slope, default 0.01).
#pragma once

#include "bpnn/layers/layer.hpp"

namespace bpnn {

struct LeakyReluOptions {
  double slope = 0.01;
};

// input [N, ...], output the same shape; no parameters.
template <class T>
class LeakyRelu : public Layer<T> {
 public:
  explicit LeakyRelu(LeakyReluOptions options = {}) : options_(options), slope_(static_cast<T>(options.slope)) {}

  std::string_view kind() const override { return "leaky_relu"; }
  LayerConfig config() const override { return {"leaky_relu", {{"slope", options_.slope}}}; }
  Shape build(const Shape& input_shape) override { return input_shape; }
  void forward(const Context<T>& context, TensorView<const T> input, TensorView<T> output) const override;
  void backward(const Context<T>& context, TensorView<const T> input, TensorView<const T> output,
                TensorView<const T> output_grad, TensorView<T> input_grad) const override;

  T slope() const { return slope_; }

 private:
  LeakyReluOptions options_;  // as given, so a float model reports 0.2, not 0.2 rounded to float
  T slope_;
};

extern template class LeakyRelu<float>;
extern template class LeakyRelu<double>;

}  // namespace bpnn
