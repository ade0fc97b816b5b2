// Batch normalization, as PyTorch's BatchNorm1d (input [N, F]) and BatchNorm2d ([N, C, H, W]):
// y = gamma (x - mean) / sqrt(var + eps) + beta per feature or channel, with the batch's statistics
// while training and the running ones in inference.
#pragma once

#include <cstddef>
#include <vector>

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
  void infer(TensorView<const T> input, TensorView<T> output, Tensor<T>& scratch) const override;
  void forward(TensorView<const T> input, TensorView<T> output) override;
  // Normalizes with the batch's statistics and updates the running ones. Throws Error when a
  // feature has a single value (N = 1 for [N, F]), as PyTorch does.
  void forward_train(TensorView<const T> input, TensorView<T> output, Rng& rng) override;
  void backward(TensorView<const T> input, TensorView<const T> output, TensorView<const T> output_grad,
                TensorView<T> input_grad) override;
  bool fuses_sgd() const override { return true; }
  void backward_sgd(TensorView<const T> input, TensorView<const T> output, TensorView<const T> output_grad,
                    TensorView<T> input_grad, T learning_rate) override;

  const BatchNormOptions& options() const { return options_; }

 private:
  // Normalizes x into y with the running statistics (running) or mean_ and inv_std_.
  void normalize(TensorView<const T> x, TensorView<T> y, bool running) const;
  // 1 / sqrt(running_var + eps) of channel c.
  T running_inv_std(std::size_t c) const;
  // Writes dx and the per-channel sums dgamma_ = sum dy xhat, dbeta_ = sum dy.
  void backward_sums(TensorView<const T> x, TensorView<const T> dy, TensorView<T> dx);

  BatchNormOptions options_;
  std::size_t C_ = 0, HW_ = 1;  // channels (features), and values per channel per sample
  TensorView<T> gamma_, gamma_grad_, beta_, beta_grad_, running_mean_, running_var_, batches_tracked_;
  // Per channel, from the last forward: the mean and 1 / sqrt(var + eps) it normalized with.
  std::vector<T> mean_, inv_std_, dgamma_, dbeta_;
  bool last_train_ = false;  // whether the last forward used the batch's statistics
};

extern template class BatchNorm<float>;
extern template class BatchNorm<double>;

}  // namespace bpnn
