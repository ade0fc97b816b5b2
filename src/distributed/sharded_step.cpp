// The sharded step. Legend: B samples in the global batch, K shards, P processes (ranks), L = K / P
// shards per rank, S floats per shard slot (the parameter store's P values, then 3 tallies),
// C = ceil(S / P) floats of each slot that each rank sums.
#include "bpnn/distributed/sharded_step.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <string>

#include "bpnn/core/error.hpp"
#include "bpnn/train/metrics.hpp"
#include "bpnn/train/trainer.hpp"

namespace bpnn {
namespace {

// The tallies after the P values of a slot.
enum Tally : std::size_t { loss_sum = 0, correct = 1, stop = 2, tallies = 3 };

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
  params_ = model_.parameters().values().size();
  slot_ = params_ + tallies;
  local_.assign(local_shards_ * slot_, 0.0f);
  sum_.assign(slot_, 0.0f);
  for (std::size_t i = 0; i < model_.size(); ++i) {
    if (model_.layer(i).reduces_over_batch()) reduces_over_batch_ = true;
  }
  // Shard j's gradients go to its slot as they are, the loss gradient being scaled instead.
  rows_.assign(local_shards_ + 1, 0);
  for (std::size_t j = 0; j < local_shards_; ++j) sinks_.push_back({.base = local_.data() + j * slot_, .scale = 1.0f});
  batch_ = {.rows = rows_,
            .sinks = sinks_,
            .shards = K,
            .gather = [this](const double* local, std::size_t n, double* all) {
              const auto start = std::chrono::steady_clock::now();
              comm_.allgather(local, local_shards_ * n, all);
              comm_seconds_ += since(start);
              ++layer_exchanges_;
            }};
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

void ShardedStep::compute_shards(std::span<const std::size_t> indices, std::uint64_t step_seed) {
  const std::size_t B = indices.size(), K = options_.shards, L = local_shards_;
  auto begin = [&](std::size_t k) { return k * B / K; };  // shard k is samples [begin(k), begin(k + 1))
  const std::size_t first = begin(first_shard_);
  for (std::size_t j = 0; j <= L; ++j) rows_[j] = begin(first_shard_ + j) - first;
  std::fill(local_.begin(), local_.end(), 0.0f);
  if (rows_[L] == 0) return;  // a batch smaller than K: these shards add nothing
  const std::span<const std::size_t> mine = indices.subspan(first, rows_[L]);
  gather(inputs_, mine, batch_inputs_);
  gather(targets_, mine, batch_targets_);
  rngs_.clear();
  for (std::size_t j = 0; j < L; ++j) rngs_.emplace_back(mix(step_seed ^ mix(first_shard_ + j)));
  const TensorView<const float> output = model_.forward_shards(batch_inputs_.view(), batch_, rngs_);
  loss_grad_.resize(output.shape());
  const std::size_t outputs = model_.output_shape().numel();
  for (std::size_t j = 0; j < L; ++j) {
    const std::size_t n = rows_[j + 1] - rows_[j];
    if (n == 0) continue;
    float* slot = local_.data() + j * slot_;
    const TensorView<const float> out = output.samples(rows_[j], n);
    const TensorView<const float> target = std::as_const(batch_targets_).view().samples(rows_[j], n);
    const TensorView<float> grad = loss_grad_.view().samples(rows_[j], n);
    const float shard_loss = loss_.value_and_gradient(model_.backend(), out, target, grad);
    // The mean over the shard times n / B: this shard's part of dE/doutput for the mean over the
    // batch, so that every backward (batch norm's sums over all shards too) works in those units.
    const float share = static_cast<float>(n) / static_cast<float>(B);
    for (std::size_t i = 0; i < grad.size(); ++i) grad[i] *= share;
    if (classification_) {
      std::size_t right = 0;
      for (std::size_t s = 0; s < n; ++s) {
        right += predicted_class(out.data() + s * outputs, outputs) == target_class(target, s);
      }
      slot[params_ + correct] = static_cast<float>(right);
    }
    slot[params_ + loss_sum] = shard_loss * static_cast<float>(n);
  }
  model_.backward_shards(loss_grad_.view(), batch_);
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
  if (reduces_over_batch_ && indices.size() < options_.shards) {
    throw Error("a batch of " + std::to_string(indices.size()) + " samples cannot give each of the " +
                std::to_string(options_.shards) +
                " shards a sample, as batch norm needs: choose a batch size (and a last, partial batch) of at "
                "least --shards");
  }
  if (steps_ == 0 && comm_.size() > 1) broadcast_state();
  ++steps_;
  const std::uint64_t step_seed = rng_.next();  // one draw on every rank, whatever the process count
  compute_shards(indices, step_seed);
  const bool stop_here = options_.local_stop && options_.local_stop();
  local_[params_ + stop] = stop_here ? 1.0f : 0.0f;
  reduce();

  // Batch norm's running statistics were updated by its forward, from the global batch, the same
  // on every rank; nothing adds into their places of the sum.
  ParameterStore<float>& p = model_.parameters();
  std::copy_n(sum_.begin(), params_, p.grads().data());
  stop_agreed_ = sum_[params_ + stop] > 0.0f;
  // A diverging shard may have sent NaN for its count too: no count then (the fit stops anyway).
  const float right = sum_[params_ + correct];
  const BatchOutcome outcome{.loss = sum_[params_ + loss_sum] / static_cast<float>(indices.size()),
                             .correct = std::isfinite(right) ? static_cast<std::size_t>(right) : 0};
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
