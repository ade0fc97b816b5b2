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
// Channels are independent: they are shared out between the threads (core/parallel.hpp).
#include "bpnn/layers/batchnorm.hpp"

#include <cmath>

#include "bpnn/core/error.hpp"
#include "core/parallel.hpp"

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
  mean_.assign(C_, T(0));
  inv_std_.assign(C_, T(1));
  dgamma_.assign(C_, T(0));
  dbeta_.assign(C_, T(0));
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
void BatchNorm<T>::bind(ParameterStore<T>& store, std::size_t first) {
  if (options_.affine) {
    gamma_ = store.value(first);
    gamma_grad_ = store.grad(first);
    beta_ = store.value(first + 1);
    beta_grad_ = store.grad(first + 1);
    first += 2;
  }
  running_mean_ = store.value(first);
  running_var_ = store.value(first + 1);
  batches_tracked_ = store.value(first + 2);
}

template <class T>
T BatchNorm<T>::running_inv_std(std::size_t c) const {
  return static_cast<T>(1.0 / std::sqrt(static_cast<double>(running_var_[c]) + options_.eps));
}

template <class T>
void BatchNorm<T>::normalize(TensorView<const T> x, TensorView<T> y, bool running) const {
  const std::size_t N = x.batch();
  parallel::for_each(C_, N * HW_, [&](std::size_t c) {
    const T mean = running ? running_mean_[c] : mean_[c], inv_std = running ? running_inv_std(c) : inv_std_[c];
    const T gamma = options_.affine ? gamma_[c] : T(1), beta = options_.affine ? beta_[c] : T(0);
    const T scale = gamma * inv_std, shift = beta - mean * scale;
    for (std::size_t n = 0; n < N; ++n) {
      const T* xc = x.data() + (n * C_ + c) * HW_;
      T* yc = y.data() + (n * C_ + c) * HW_;
      for (std::size_t p = 0; p < HW_; ++p) yc[p] = xc[p] * scale + shift;
    }
  });
}

template <class T>
void BatchNorm<T>::infer(TensorView<const T> x, TensorView<T> y, Tensor<T>& /*scratch*/) const {
  normalize(x, y, true);
}

template <class T>
void BatchNorm<T>::forward(TensorView<const T> x, TensorView<T> y) {
  // Noted for backward, which then treats the statistics as constants.
  for (std::size_t c = 0; c < C_; ++c) {
    mean_[c] = running_mean_[c];
    inv_std_[c] = running_inv_std(c);
  }
  last_train_ = false;
  normalize(x, y, true);
}

template <class T>
void BatchNorm<T>::forward_train(TensorView<const T> x, TensorView<T> y, Rng& /*rng*/) {
  const std::size_t N = x.batch(), M = N * HW_;
  if (M < 2) throw Error("training needs more than one value per channel, got input " + x.shape().str());
  const double m = options_.momentum;
  parallel::for_each(C_, 3 * N * HW_, [&](std::size_t c) {
    // Two passes in double: the mean, then the squared deviations from it. The sums are vector
    // reductions (omp simd): a fixed order for a given build, so still deterministic.
    double sum = 0;
    for (std::size_t n = 0; n < N; ++n) {
      const T* xc = x.data() + (n * C_ + c) * HW_;
#pragma omp simd reduction(+ : sum)
      for (std::size_t p = 0; p < HW_; ++p) sum += static_cast<double>(xc[p]);
    }
    const double mu = sum / static_cast<double>(M);
    double squares = 0;
    for (std::size_t n = 0; n < N; ++n) {
      const T* xc = x.data() + (n * C_ + c) * HW_;
#pragma omp simd reduction(+ : squares)
      for (std::size_t p = 0; p < HW_; ++p) squares += (static_cast<double>(xc[p]) - mu) * (static_cast<double>(xc[p]) - mu);
    }
    const double var = squares / static_cast<double>(M);
    mean_[c] = static_cast<T>(mu);
    inv_std_[c] = static_cast<T>(1.0 / std::sqrt(var + options_.eps));
    running_mean_[c] = static_cast<T>((1 - m) * static_cast<double>(running_mean_[c]) + m * mu);
    running_var_[c] = static_cast<T>((1 - m) * static_cast<double>(running_var_[c]) +
                                     m * var * static_cast<double>(M) / static_cast<double>(M - 1));
  });
  batches_tracked_[0] += T(1);
  normalize(x, y, false);
  last_train_ = true;
}

template <class T>
void BatchNorm<T>::backward_sums(TensorView<const T> x, TensorView<const T> dy, TensorView<T> dx) {
  const std::size_t N = x.batch();
  const T M = static_cast<T>(N * HW_);
  parallel::for_each(C_, 3 * N * HW_, [&](std::size_t c) {
    const T mean = mean_[c], inv_std = inv_std_[c];
    T sum_dy = 0, sum_dy_xhat = 0;
    for (std::size_t n = 0; n < N; ++n) {
      const T* xc = x.data() + (n * C_ + c) * HW_;
      const T* dyc = dy.data() + (n * C_ + c) * HW_;
#pragma omp simd reduction(+ : sum_dy, sum_dy_xhat)
      for (std::size_t p = 0; p < HW_; ++p) {
        sum_dy += dyc[p];
        sum_dy_xhat += dyc[p] * (xc[p] - mean) * inv_std;
      }
    }
    dgamma_[c] = sum_dy_xhat;
    dbeta_[c] = sum_dy;
    if (dx.empty()) return;
    const T scale = (options_.affine ? gamma_[c] : T(1)) * inv_std;
    // Inference statistics are constants; training ones depend on every x of the channel.
    const T mean_dy = last_train_ ? sum_dy / M : T(0), mean_dy_xhat = last_train_ ? sum_dy_xhat / M : T(0);
    for (std::size_t n = 0; n < N; ++n) {
      const T* xc = x.data() + (n * C_ + c) * HW_;
      const T* dyc = dy.data() + (n * C_ + c) * HW_;
      T* dxc = dx.data() + (n * C_ + c) * HW_;
      for (std::size_t p = 0; p < HW_; ++p) {
        const T xhat = (xc[p] - mean) * inv_std;
        dxc[p] = scale * (dyc[p] - mean_dy - xhat * mean_dy_xhat);
      }
    }
  });
}

template <class T>
void BatchNorm<T>::backward(TensorView<const T> x, TensorView<const T> /*y*/, TensorView<const T> dy,
                            TensorView<T> dx) {
  backward_sums(x, dy, dx);
  if (!options_.affine) return;
  for (std::size_t c = 0; c < C_; ++c) {
    gamma_grad_[c] += dgamma_[c];
    beta_grad_[c] += dbeta_[c];
  }
}

template <class T>
void BatchNorm<T>::backward_sgd(TensorView<const T> x, TensorView<const T> /*y*/, TensorView<const T> dy,
                                TensorView<T> dx, T learning_rate) {
  backward_sums(x, dy, dx);  // dx with the old gamma
  if (!options_.affine) return;
  for (std::size_t c = 0; c < C_; ++c) {
    gamma_[c] -= learning_rate * dgamma_[c];
    beta_[c] -= learning_rate * dbeta_[c];
  }
}

template class BatchNorm<float>;
template class BatchNorm<double>;

}  // namespace bpnn
