// Batch normalization, as PyTorch's BatchNorm1d (input [N, F]) and BatchNorm2d ([N, C, H, W]):
// y = gamma (x - mean) / sqrt(var + eps) + beta per feature or channel, with the batch's statistics
// while training and the running ones in inference.
#pragma once

#include <cstddef>

#include "bpnn/layers/layer.hpp"

namespace bpnn {

struct BatchNormOptions {
  double momentum = 0.1;  // running = (1 - momentum) running + momentum batch, as PyTorch
  double eps = 1e-5;
  bool affine = true;     // learn gamma ("weight", ones) and beta ("bias", zeros)
};

// input [N, F] or [N, C, H, W], output the same shape. Parameters "weight" and "bias" [C]; buffers
// "running_mean" [C] (zeros), "running_var" [C] (ones) and "num_batches_tracked" [] (a count).
template <class T>
class BatchNorm : public Layer<T> {
 public:
  // Throws Error unless 0 <= momentum <= 1 and eps > 0.
  explicit BatchNorm(BatchNormOptions options = {});

  std::string_view kind() const override { return "batchnorm"; }
  Shape build(const Shape& input_shape) override;
  std::vector<ParameterSpec> parameter_specs() const override;
  void bind(ParameterStore<T>& store, std::size_t first) override;
  LayerConfig config() const override;
  // In train mode normalizes with the batch's statistics (the global batch's, in sharded
  // training: Context::shards) and updates the running ones; throws Error when a feature has a
  // single value (N = 1 for [N, F]), as PyTorch does. In eval mode normalizes with the running
  // statistics. Either way it saves the mean and 1 / std it used.
  void forward(const Context<T>& context, TensorView<const T> input, TensorView<T> output) const override;
  void backward(const Context<T>& context, TensorView<const T> input, TensorView<const T> output,
                TensorView<const T> output_grad, TensorView<T> input_grad) const override;
  bool updates_in_place() const override { return true; }
  bool reduces_over_batch() const override { return true; }

  const BatchNormOptions& options() const { return options_; }

 private:
  std::size_t sharded_moments(const Context<T>& ctx, TensorView<const T> x) const;
  void sharded_backward(const Context<T>& ctx, TensorView<const T> x, TensorView<const T> dy,
                        TensorView<T> dx) const;
  void add_parameter_grads(const GradientSink<T>& sink, const T* sum_dy, const T* sum_dy_xhat) const;

  BatchNormOptions options_;
  std::size_t C_ = 0, HW_ = 1;  // channels (features), and values per channel per sample
  TensorView<T> gamma_, beta_, running_mean_, running_var_, batches_tracked_;
  std::size_t gamma_offset_ = 0, beta_offset_ = 0;  // in the flat parameter buffer
};

extern template class BatchNorm<float>;
extern template class BatchNorm<double>;

}  // namespace bpnn
