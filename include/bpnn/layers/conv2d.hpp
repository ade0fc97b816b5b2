// 2-D convolution, as PyTorch's nn.Conv2d (cross-correlation, square kernel, zero padding):
// y[f] = b[f] + sum_c W[f, c] * x[c], each output pixel a dense neuron over one input window.
#pragma once

#include <cstddef>
#include <optional>
#include <utility>

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
  // fan_in = channels * kernel * kernel.
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
  void infer(TensorView<const T> input, TensorView<T> output, Tensor<T>& scratch) const override;
  void backward(TensorView<const T> input, TensorView<const T> output, TensorView<const T> output_grad,
                TensorView<T> input_grad) override;

  const Conv2dOptions& options() const { return options_; }

 private:
  // Unfolds sample x [C, H, W] into col [C K K, Ho Wo]: column p holds the window of output pixel p.
  void im2col(const T* x, T* col) const;
  // The reverse, adding: dx [C, H, W] += each column's values back at their window positions.
  void col2im(const T* col, T* dx) const;
  // The output columns [first, end) whose kernel tap kj reads inside the input row, not the padding.
  std::pair<std::size_t, std::size_t> inside_columns(std::size_t kj) const;

  Conv2dOptions options_;
  std::size_t C_ = 0, H_ = 0, W_ = 0, Ho_ = 0, Wo_ = 0;
  TensorView<T> weight_, weight_grad_, bias_, bias_grad_;
  Tensor<T> columns_;        // backward's workspace, one [C K K, Ho Wo] per thread
  Tensor<T> partial_grads_;  // dW and db of each thread but the first
};

extern template class Conv2d<float>;
extern template class Conv2d<double>;

}  // namespace bpnn
