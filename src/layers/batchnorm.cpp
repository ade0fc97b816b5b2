// Batch normalization, forward and backward. Legend: N batch, C channels (features), HW values per
// channel per sample (1 for [N, F]), M = N HW values per channel; per channel c:
//   training:  mu = mean(x),  var = mean((x - mu)^2),  s = 1 / sqrt(var + eps)
//              running_mean <- (1 - m) running_mean + m mu
//              running_var  <- (1 - m) running_var + m var M / (M - 1)     (unbiased, as PyTorch)
//   inference: mu = running_mean,  s = 1 / sqrt(running_var + eps)
//   forward:   xhat = (x - mu) s,   y = gamma xhat + beta
//   backward:  dgamma += sum(dy xhat),  dbeta += sum(dy)
//              training:  dx = gamma s (dy - sum(dy) / M - xhat sum(dy xhat) / M)   (mu, s depend on x)
//              inference: dx = gamma s dy
// Channels are independent: the cpu backend shares them out between its threads.
#include "bpnn/layers/batchnorm.hpp"

#include <cmath>

#include "bpnn/core/error.hpp"

namespace bpnn {

template <class T>
BatchNorm<T>::BatchNorm(BatchNormOptions options) : options_(options) {
  if (!(options_.momentum >= 0 && options_.momentum <= 1)) throw Error("batchnorm: momentum must lie in [0, 1]");
  if (!(options_.eps > 0)) throw Error("batchnorm: eps must be > 0");
}

template <class T>
Shape BatchNorm<T>::build(const Shape& input_shape) {
  if (input_shape.rank() != 1 && input_shape.rank() != 3) {
    throw Error("takes features [F] or images [C, H, W], got " + input_shape.str());
  }
  C_ = input_shape[0];
  HW_ = input_shape.rank() == 3 ? input_shape[1] * input_shape[2] : 1;
  return input_shape;
}

template <class T>
std::vector<ParameterSpec> BatchNorm<T>::parameter_specs() const {
  std::vector<ParameterSpec> specs;
  if (options_.affine) {
    specs.push_back({"weight", Shape{C_}, Initializer::constant(1.0)});
    specs.push_back({"bias", Shape{C_}, Initializer::zeros()});
  }
  specs.push_back({"running_mean", Shape{C_}, Initializer::zeros(), true});
  specs.push_back({"running_var", Shape{C_}, Initializer::constant(1.0), true});
  specs.push_back({"num_batches_tracked", Shape{}, Initializer::zeros(), true, true});
  return specs;
}

template <class T>
LayerConfig BatchNorm<T>::config() const {
  return {"batchnorm", {{"momentum", options_.momentum}, {"eps", options_.eps}, {"affine", options_.affine}}};
}

template <class T>
void BatchNorm<T>::bind(ParameterStore<T>& store, std::size_t first) {
  if (options_.affine) {
    gamma_ = store.value(first);
    gamma_offset_ = store.entry(first).offset;
    beta_ = store.value(first + 1);
    beta_offset_ = store.entry(first + 1).offset;
    first += 2;
  }
  running_mean_ = store.value(first);
  running_var_ = store.value(first + 1);
  batches_tracked_ = store.value(first + 2);
}

// Saved for backward: mean [C], then inv_std [C].
template <class T>
void BatchNorm<T>::forward(const Context<T>& ctx, TensorView<const T> x, TensorView<T> y) const {
  const std::size_t N = x.batch();
  Tensor<T>& saved = ctx.workspace->saved;
  saved.resize(Shape{2 * C_});
  T* mean = saved.data();
  T* inv_std = mean + C_;
  if (ctx.training()) {
    if (N * HW_ < 2) throw Error("training needs more than one value per channel, got input " + x.shape().str());
    ctx.backend->batch_norm_statistics(N, C_, HW_, x.data(), options_.eps, options_.momentum, mean, inv_std,
                                       running_mean_.data(), running_var_.data());
    batches_tracked_[0] += T(1);
  } else {
    // The running statistics, noted for backward, which then treats them as constants.
    for (std::size_t c = 0; c < C_; ++c) {
      mean[c] = running_mean_[c];
      inv_std[c] = static_cast<T>(1.0 / std::sqrt(static_cast<double>(running_var_[c]) + options_.eps));
    }
  }
  ctx.backend->batch_norm_normalize(N, C_, HW_, x.data(), mean, inv_std, options_.affine ? gamma_.data() : nullptr,
                                    options_.affine ? beta_.data() : nullptr, y.data());
}

// dx first, with the forward's gamma: the sink may be gamma and beta themselves (fused plain SGD).
template <class T>
void BatchNorm<T>::backward(const Context<T>& ctx, TensorView<const T> x, TensorView<const T> /*y*/,
                            TensorView<const T> dy, TensorView<T> dx) const {
  const T* mean = ctx.workspace->saved.data();
  Tensor<T>& sums = ctx.workspace->scratch;
  sums.resize(Shape{2 * C_});
  T* sum_dy = sums.data();
  T* sum_dy_xhat = sum_dy + C_;
  ctx.backend->batch_norm_backward(x.batch(), C_, HW_, x.data(), dy.data(), mean, mean + C_,
                                   options_.affine ? gamma_.data() : nullptr, ctx.training(),
                                   dx.empty() ? nullptr : dx.data(), sum_dy, sum_dy_xhat);
  if (!options_.affine) return;
  const T scale = ctx.gradients.scale;
  T* dgamma = ctx.gradients.at(gamma_offset_);
  T* dbeta = ctx.gradients.at(beta_offset_);
  for (std::size_t c = 0; c < C_; ++c) {
    dgamma[c] += scale * sum_dy_xhat[c];
    dbeta[c] += scale * sum_dy[c];
  }
}

template class BatchNorm<float>;
template class BatchNorm<double>;

}  // namespace bpnn
