// 2-D max and average pooling, as PyTorch's nn.MaxPool2d and nn.AvgPool2d (no padding). Both
// live in one file pair because they share everything but the reduction over a window.
#pragma once

#include <cstddef>

#include "bpnn/layers/layer.hpp"

namespace bpnn {

struct Pool2dOptions {
  std::size_t kernel = 2;  // window height and width
  std::size_t stride = 0;  // 0: the kernel size, as PyTorch's default
};

// input [N, C, H, W], output [N, C, Ho, Wo] with Ho = (H - kernel) / stride + 1; no parameters.
template <class T>
class Pool2d : public Layer<T> {
 public:
  Shape build(const Shape& input_shape) override;
  LayerConfig config() const override;

 protected:
  explicit Pool2d(Pool2dOptions options);
  std::size_t planes(TensorView<const T> x) const { return x.batch() * C_; }
  std::size_t kernel_, stride_;
  std::size_t C_ = 0;
  PoolGeometry geometry_;
};

// y = the largest value in each window; the gradient flows to that value (the first, on ties).
template <class T>
class MaxPool2d : public Pool2d<T> {
 public:
  explicit MaxPool2d(Pool2dOptions options = {}) : Pool2d<T>(options) {}
  std::string_view kind() const override { return "maxpool2d"; }
  void forward(const Context<T>& context, TensorView<const T> input, TensorView<T> output) const override;
  void backward(const Context<T>& context, TensorView<const T> input, TensorView<const T> output,
                TensorView<const T> output_grad, TensorView<T> input_grad) const override;
};

// y = the mean of each window; the gradient is shared equally among its values.
template <class T>
class AvgPool2d : public Pool2d<T> {
 public:
  explicit AvgPool2d(Pool2dOptions options = {}) : Pool2d<T>(options) {}
  std::string_view kind() const override { return "avgpool2d"; }
  void forward(const Context<T>& context, TensorView<const T> input, TensorView<T> output) const override;
  void backward(const Context<T>& context, TensorView<const T> input, TensorView<const T> output,
                TensorView<const T> output_grad, TensorView<T> input_grad) const override;
};

extern template class MaxPool2d<float>;
extern template class MaxPool2d<double>;
extern template class AvgPool2d<float>;
extern template class AvgPool2d<double>;

}  // namespace bpnn
