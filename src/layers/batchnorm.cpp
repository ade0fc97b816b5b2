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
// Sharded training (Context::shards): x is this process's shards of a global batch; the sums above
// run over the whole global batch. Each shard's part (a mean and squared deviations, or the two
// gradient sums) is gathered from every shard and combined in shard order: one exchange in
// forward, one in backward, the same numbers on every process.
#include "bpnn/layers/batchnorm.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

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

namespace {

// A shard's part of a channel reduction, as ShardedBatch::gather moves it: per shard 2C + 1
// values, its count of values per channel, then two sums per channel ([C] each).
struct ShardPart {
  std::size_t C;
  std::size_t size() const { return 2 * C + 1; }
  static double& count(double* part) { return part[0]; }
  double* first(double* part) const { return part + 1; }
  double* second(double* part) const { return part + 1 + C; }
};

// The workspace's partials as room for every shard's part (all: K of them, in shard order) and,
// after them, this process's own (local: one per local shard).
struct ShardParts {
  double* all;
  double* local;
};
template <class T>
ShardParts shard_parts(const Context<T>& ctx, const ShardPart& part) {
  std::vector<double>& partials = ctx.workspace->partials;
  const std::size_t K = ctx.shards->shards;
  partials.resize((K + ctx.shards->local_shards()) * part.size());
  return {partials.data(), partials.data() + K * part.size()};
}

// Every shard's part (K of them in all), in shard order, merged into all's first: the mean and
// squared deviations of the union (Chan, Golub and LeVeque): with n = n_a + n_b and
// d = mean_b - mean_a, mean_a += d n_b / n and squares_a += squares_b + d^2 n_a n_b / n.
void merge_moments(const ShardPart& part, std::size_t K, double* all) {
  double* a = all;
  for (std::size_t k = 1; k < K; ++k) {
    double* b = all + k * part.size();
    const double na = ShardPart::count(a), nb = ShardPart::count(b), n = na + nb;
    if (nb == 0) continue;
    for (std::size_t c = 0; c < part.C; ++c) {
      const double d = part.first(b)[c] - part.first(a)[c];
      part.first(a)[c] += d * nb / n;
      part.second(a)[c] += part.second(b)[c] + d * d * na * nb / n;
    }
    ShardPart::count(a) = n;
  }
}

// Every shard's part, in shard order, summed into all's first.
void sum_parts(const ShardPart& part, std::size_t K, double* all) {
  for (std::size_t k = 1; k < K; ++k) {
    const double* b = all + k * part.size();
    for (std::size_t i = 0; i < part.size(); ++i) all[i] += b[i];
  }
}

}  // namespace

// Saved for backward: mean [C], then inv_std [C].
template <class T>
void BatchNorm<T>::forward(const Context<T>& ctx, TensorView<const T> x, TensorView<T> y) const {
  const std::size_t N = x.batch();
  Tensor<T>& saved = ctx.workspace->saved;
  saved.resize(Shape{2 * C_});
  T* mean = saved.data();
  T* inv_std = mean + C_;
  if (ctx.training()) {
    // The batch's count M, mean and squared deviations per channel: x's own, or the global batch's.
    std::vector<double>& moments = ctx.workspace->partials;
    const ShardPart part{C_};
    std::size_t M = N * HW_;
    if (ctx.shards == nullptr) {
      if (M < 2) throw Error("training needs more than one value per channel, got input " + x.shape().str());
      moments.resize(part.size());
      ctx.backend->batch_norm_moments(N, C_, HW_, x.data(), part.first(moments.data()), part.second(moments.data()));
    } else {
      M = sharded_moments(ctx, x);
      if (M < 2) throw Error("training needs more than one value per channel, got a global batch of " +
                             std::to_string(M / HW_) + " samples");
    }
    const double* mu = part.first(moments.data());
    const double* squares = part.second(moments.data());
    const double m = options_.momentum;
    for (std::size_t c = 0; c < C_; ++c) {
      const double var = squares[c] / static_cast<double>(M);
      mean[c] = static_cast<T>(mu[c]);
      inv_std[c] = static_cast<T>(1.0 / std::sqrt(var + options_.eps));
      running_mean_[c] = static_cast<T>((1 - m) * static_cast<double>(running_mean_[c]) + m * mu[c]);
      running_var_[c] = static_cast<T>((1 - m) * static_cast<double>(running_var_[c]) +
                                       m * var * static_cast<double>(M) / static_cast<double>(M - 1));
    }
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

// Each local shard's moments, every shard's gathered, merged in shard order into the workspace's
// first C means and C squared deviations; returns the global count of values per channel.
template <class T>
std::size_t BatchNorm<T>::sharded_moments(const Context<T>& ctx, TensorView<const T> x) const {
  const ShardedBatch<T>& shards = *ctx.shards;
  const std::size_t L = shards.local_shards(), K = shards.shards;
  const ShardPart part{C_};
  const auto [all, local] = shard_parts(ctx, part);
  for (std::size_t j = 0; j < L; ++j) {
    double* p = local + j * part.size();
    const std::size_t n = shards.rows[j + 1] - shards.rows[j];
    ShardPart::count(p) = static_cast<double>(n * HW_);
    if (n == 0) {  // an empty shard adds nothing (and has no mean)
      std::fill_n(part.first(p), 2 * C_, 0.0);
      continue;
    }
    ctx.backend->batch_norm_moments(n, C_, HW_, x.samples(shards.rows[j], n).data(), part.first(p), part.second(p));
  }
  shards.gather(local, part.size(), all);
  merge_moments(part, K, all);
  return static_cast<std::size_t>(ShardPart::count(all));
}

// dx first, with the forward's gamma: the sink may be gamma and beta themselves (fused plain SGD).
template <class T>
void BatchNorm<T>::backward(const Context<T>& ctx, TensorView<const T> x, TensorView<const T> /*y*/,
                            TensorView<const T> dy, TensorView<T> dx) const {
  if (ctx.shards != nullptr && ctx.training()) {
    sharded_backward(ctx, x, dy, dx);
    return;
  }
  const T* mean = ctx.workspace->saved.data();
  Tensor<T>& sums = ctx.workspace->scratch;
  sums.resize(Shape{2 * C_});
  T* sum_dy = sums.data();
  T* sum_dy_xhat = sum_dy + C_;
  ctx.backend->batch_norm_backward(x.batch(), C_, HW_, x.data(), dy.data(), mean, mean + C_,
                                   options_.affine ? gamma_.data() : nullptr, ctx.training(),
                                   dx.empty() ? nullptr : dx.data(), sum_dy, sum_dy_xhat);
  if (options_.affine) add_parameter_grads(ctx.gradients, sum_dy, sum_dy_xhat);
}

// Each local shard's sums of dy and dy xhat (its part of dgamma and dbeta into its own sink), then,
// when dx is wanted, every shard's gathered and summed in shard order for dx over the global batch.
template <class T>
void BatchNorm<T>::sharded_backward(const Context<T>& ctx, TensorView<const T> x, TensorView<const T> dy,
                                    TensorView<T> dx) const {
  const ShardedBatch<T>& shards = *ctx.shards;
  const std::size_t L = shards.local_shards(), K = shards.shards;
  const ShardPart part{C_};
  const T* mean = ctx.workspace->saved.data();
  const T* gamma = options_.affine ? gamma_.data() : nullptr;
  Tensor<T>& sums = ctx.workspace->scratch;
  sums.resize(Shape{2 * C_});
  T* sum_dy = sums.data();
  T* sum_dy_xhat = sum_dy + C_;
  const auto [all, local] = shard_parts(ctx, part);
  for (std::size_t j = 0; j < L; ++j) {
    double* p = local + j * part.size();
    const std::size_t first = shards.rows[j], n = shards.rows[j + 1] - first;
    ShardPart::count(p) = static_cast<double>(n * HW_);
    if (n == 0) {
      std::fill_n(sum_dy, 2 * C_, T(0));
    } else {
      ctx.backend->batch_norm_backward(n, C_, HW_, x.samples(first, n).data(), dy.samples(first, n).data(), mean,
                                       mean + C_, gamma, true, nullptr, sum_dy, sum_dy_xhat);
    }
    if (options_.affine) add_parameter_grads(shards.sinks[j], sum_dy, sum_dy_xhat);
    std::copy_n(sum_dy, 2 * C_, part.first(p));
  }
  if (dx.empty()) return;  // the same on every process: nobody gathers
  shards.gather(local, part.size(), all);
  sum_parts(part, K, all);
  for (std::size_t i = 0; i < 2 * C_; ++i) sum_dy[i] = static_cast<T>(part.first(all)[i]);
  ctx.backend->batch_norm_input_grad(x.batch(), C_, HW_, x.data(), dy.data(), mean, mean + C_, gamma, sum_dy,
                                     sum_dy_xhat, static_cast<std::size_t>(ShardPart::count(all)), dx.data());
}

template <class T>
void BatchNorm<T>::add_parameter_grads(const GradientSink<T>& sink, const T* sum_dy, const T* sum_dy_xhat) const {
  const T scale = sink.scale;
  T* dgamma = sink.at(gamma_offset_);
  T* dbeta = sink.at(beta_offset_);
  for (std::size_t c = 0; c < C_; ++c) {
    dgamma[c] += scale * sum_dy_xhat[c];
    dbeta[c] += scale * sum_dy[c];
  }
}

template class BatchNorm<float>;
template class BatchNorm<double>;

}  // namespace bpnn
