// 2-D convolution, as PyTorch's nn.Conv2d (cross-correlation, square kernel, zero padding):
// y[f] = b[f] + sum_c W[f, c] * x[c], each output pixel a dense neuron over one input window.
#pragma once

#include <cstddef>
#include <optional>

#include "bpnn/init/initializer.hpp"
#include "bpnn/layers/layer.hpp"

namespace bpnn {

struct Conv2dOptions {
  std::size_t filters = 0;  // output channels
  std::size_t kernel = 3;   // kernel height and width
  std::size_t stride = 1;
  std::size_t padding = 0;  // zeros added on every side
  bool bias = true;
  // Defaults, as PyTorch's Conv2d: weight and bias both U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
  // fan_in = channels * kernel * kernel. A fan-based bias_init takes the weight's fans, as dense's.
  std::optional<Initializer> weight_init = std::nullopt;
  std::optional<Initializer> bias_init = std::nullopt;
};

// input [N, C, H, W], output [N, F, Ho, Wo] with Ho = (H + 2 padding - kernel) / stride + 1;
// parameters "weight" [F, C, kernel, kernel] and "bias" [F].
template <class T>
class Conv2d : public Layer<T> {
 public:
  explicit Conv2d(Conv2dOptions options);

  std::string_view kind() const override { return "conv2d"; }
  Shape build(const Shape& input_shape) override;
  std::vector<ParameterSpec> parameter_specs() const override;
  void bind(ParameterStore<T>& store, std::size_t first) override;
  LayerConfig config() const override;
  void forward(const Context<T>& context, TensorView<const T> input, TensorView<T> output) const override;
  void backward(const Context<T>& context, TensorView<const T> input, TensorView<const T> output,
                TensorView<const T> output_grad, TensorView<T> input_grad) const override;

  const Conv2dOptions& options() const { return options_; }
  const ConvGeometry& geometry() const { return geometry_; }

 private:
  Conv2dOptions options_;
  ConvGeometry geometry_;
  TensorView<T> weight_, bias_;
  std::size_t weight_offset_ = 0, bias_offset_ = 0;  // in the flat parameter buffer
};

extern template class Conv2d<float>;
extern template class Conv2d<double>;

}  // namespace bpnn
