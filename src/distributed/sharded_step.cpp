// The sharded step. Legend: B samples in the global batch, K shards, P processes (ranks), L = K / P
// shards per rank, S floats per shard slot (the parameter store's P values, then 4 tallies),
// C = ceil(S / P) floats of each slot that each rank sums.
#include "bpnn/distributed/sharded_step.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "bpnn/core/error.hpp"
#include "bpnn/train/metrics.hpp"
#include "bpnn/train/trainer.hpp"

namespace bpnn {
namespace {

// The tallies after the P values of a slot.
enum Tally : std::size_t { loss_sum = 0, correct = 1, stop = 2, non_empty = 3, tallies = 4 };

double since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// SplitMix64: a well-mixed seed for shard k's generator from the step's draw.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

void gather(TensorView<const float> source, std::span<const std::size_t> indices, Tensor<float>& batch) {
  const std::size_t row = source.sample_size();
  batch.resize(source.shape().without_batch().with_batch(indices.size()));
  for (std::size_t n = 0; n < indices.size(); ++n) {
    std::memcpy(batch.data() + n * row, source.data() + indices[n] * row, row * sizeof(float));
  }
}

}  // namespace

ShardedStep::ShardedStep(Sequential<float>& model, const Loss<float>& loss, Optimizer<float>& optimizer,
                         Communicator& communicator, TensorView<const float> inputs, TensorView<const float> targets,
                         Rng& rng, ShardedStepOptions options)
    : model_(model),
      loss_(loss),
      optimizer_(optimizer),
      comm_(communicator),
      inputs_(inputs),
      targets_(targets),
      rng_(rng),
      options_(std::move(options)),
      classification_(is_classification(targets, model.output_shape().numel(), options_.task)) {
  const auto K = options_.shards, ranks = static_cast<std::size_t>(comm_.size());
  if (K == 0) throw Error("--shards must be at least 1");
  if (K % ranks != 0) {
    throw Error("--shards " + std::to_string(K) + " cannot be shared out evenly over " + std::to_string(ranks) +
                " processes: the process count must divide the shard count (try -np 1, 2, 4 or 8 with --shards 8)");
  }
  local_shards_ = K / ranks;
  first_shard_ = static_cast<std::size_t>(comm_.rank()) * local_shards_;
  const ParameterStore<float>& p = model_.parameters();
  params_ = p.values().size();
  slot_ = params_ + tallies;
  is_buffer_.assign(params_, 0);
  for (std::size_t e = 0; e < p.count(); ++e) {
    if (!p.entry(e).buffer) continue;
    std::fill_n(is_buffer_.begin() + static_cast<std::ptrdiff_t>(p.entry(e).offset), p.value(e).size(), char{1});
    buffers_.push_back({p.entry(e).offset, p.value(e).size()});
  }
  local_.assign(local_shards_ * slot_, 0.0f);
  sum_.assign(slot_, 0.0f);
}

void ShardedStep::broadcast_state() {
  ParameterStore<float>& p = model_.parameters();
  comm_.broadcast(p.values().data(), params_ * sizeof(float), 0);
  OptimizerState<float> state = optimizer_.state();
  for (auto& [name, buffer] : state.buffers) comm_.broadcast(buffer.data(), buffer.size() * sizeof(float), 0);
  std::uint64_t steps = state.steps;
  comm_.broadcast(&steps, sizeof steps, 0);
  state.steps = static_cast<std::size_t>(steps);
  optimizer_.set_state(state, params_);
}

void ShardedStep::compute_shard(std::span<const std::size_t> indices, std::size_t k, std::uint64_t step_seed,
                                float* slot) {
  const std::size_t B = indices.size(), K = options_.shards;
  const std::span<const std::size_t> shard = indices.subspan(k * B / K, (k + 1) * B / K - k * B / K);
  std::fill_n(slot, slot_, 0.0f);
  float* values = model_.parameters().values().data();
  if (shard.empty()) return;  // a batch smaller than K: this shard adds nothing and is not counted
  gather(inputs_, shard, batch_inputs_);
  gather(targets_, shard, batch_targets_);
  // Every shard starts from the running statistics of before the step: keep them to put back.
  for (const auto& [offset, size] : buffers_) std::copy_n(values + offset, size, saved_buffers_.data() + offset);
  Rng shard_rng(mix(step_seed ^ mix(k)));
  TensorView<const float> output = model_.forward_train(batch_inputs_.view(), shard_rng);
  const float shard_loss = loss_.forward(model_.backend(), output, batch_targets_.view());
  loss_grad_.resize(output.shape());
  loss_.backward(model_.backend(), output, batch_targets_.view(), loss_grad_.view());
  const std::size_t n = shard.size();
  if (classification_) {
    const std::size_t outputs = model_.output_shape().numel();
    std::size_t right = 0;
    for (std::size_t s = 0; s < n; ++s) {
      right += argmax(output.data() + s * outputs, outputs) == target_class(batch_targets_.view(), s);
    }
    slot[params_ + correct] = static_cast<float>(right);
  }
  // The mean over the shard times n / B: this shard's part of dE/dp of the mean over the batch.
  model_.backward(loss_grad_.view(), {}, {.base = slot, .scale = static_cast<float>(n) / static_cast<float>(B)});
  for (const auto& [offset, size] : buffers_) {
    std::copy_n(values + offset, size, slot + offset);  // what this shard's forward left in the running statistics
    std::copy_n(saved_buffers_.data() + offset, size, values + offset);
  }
  slot[params_ + loss_sum] = shard_loss * static_cast<float>(n);
  slot[params_ + non_empty] = 1.0f;
}

void ShardedStep::reduce() {
  const auto start = std::chrono::steady_clock::now();
  const std::size_t L = local_shards_, ranks = static_cast<std::size_t>(comm_.size());
  if (options_.sum == GradientSum::plain) {
    // This rank's shards summed in order, then the transport's sum over ranks.
    std::copy_n(local_.begin(), slot_, sum_.begin());
    for (std::size_t j = 1; j < L; ++j) {
      const float* s = local_.data() + j * slot_;
      for (std::size_t i = 0; i < slot_; ++i) sum_[i] += s[i];
    }
    comm_.allreduce_sum(sum_.data(), slot_);
    comm_seconds_ += since(start);
    return;
  }
  // Ordered: rank d sums elements [d C, (d+1) C) of every slot, over the K shards in shard order,
  // then every rank gathers the P sums. Each element is ((0 + g_0) + g_1) + ... + g_{K-1} at any P.
  const std::size_t C = (slot_ + ranks - 1) / ranks, K = options_.shards;
  send_.assign(ranks * L * C, 0.0f);  // block d: this rank's L slots' slices d, in shard order
  for (std::size_t d = 0; d < ranks; ++d) {
    const std::size_t first = d * C, count = first < slot_ ? std::min(C, slot_ - first) : 0;
    for (std::size_t j = 0; j < L; ++j) {
      std::copy_n(local_.data() + j * slot_ + first, count, send_.data() + (d * L + j) * C);
    }
  }
  recv_.resize(ranks * L * C);  // from rank s: its L slices of this rank's part, so shard s L + j
  comm_.alltoall(send_.data(), L * C, recv_.data());
  partial_.assign(C, 0.0f);
  for (std::size_t k = 0; k < K; ++k) {
    const float* s = recv_.data() + k * C;
    for (std::size_t i = 0; i < C; ++i) partial_[i] += s[i];
  }
  std::vector<float>& all = send_;  // reused: P parts of C sums
  all.resize(ranks * C);
  comm_.allgather(partial_.data(), C, all.data());
  std::copy_n(all.begin(), slot_, sum_.begin());
  comm_seconds_ += since(start);
}

BatchOutcome ShardedStep::operator()(std::span<const std::size_t> indices) {
  const auto start = std::chrono::steady_clock::now();
  if (steps_ == 0 && comm_.size() > 1) broadcast_state();
  ++steps_;
  saved_buffers_.resize(params_);
  const std::uint64_t step_seed = rng_.next();  // one draw on every rank, whatever the process count
  for (std::size_t j = 0; j < local_shards_; ++j) {
    compute_shard(indices, first_shard_ + j, step_seed, local_.data() + j * slot_);
  }
  const bool stop_here = options_.local_stop && options_.local_stop();
  if (options_.poison_step == steps_) local_[params_ + loss_sum] = std::numeric_limits<float>::quiet_NaN();
  local_[params_ + stop] = stop_here ? 1.0f : 0.0f;
  reduce();

  const float B = static_cast<float>(indices.size());
  const float shards_used = sum_[params_ + non_empty];
  ParameterStore<float>& p = model_.parameters();
  float* values = p.values().data();
  float* grads = p.grads().data();
  for (std::size_t i = 0; i < params_; ++i) {
    if (is_buffer_[i]) {
      values[i] = sum_[i] / shards_used;  // the mean of the shards' running statistics
      grads[i] = 0.0f;
    } else {
      grads[i] = sum_[i];
    }
  }
  stop_agreed_ = sum_[params_ + stop] > 0.0f;
  const BatchOutcome outcome{.loss = sum_[params_ + loss_sum] / B,
                             .correct = static_cast<std::size_t>(sum_[params_ + correct])};
  // A loss that is not finite stops the fit (the same on every rank); the update would spoil nothing
  // the fit keeps, but skip it anyway.
  if (std::isfinite(outcome.loss)) {
    if (options_.max_grad_norm > 0) clip_gradient_norm(p, model_.backend(), options_.max_grad_norm);
    optimizer_.step(p, model_.backend());
  }
  seconds_ += since(start);
  return outcome;
}

}  // namespace bpnn
