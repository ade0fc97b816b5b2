// Data-parallel training step, bit-identical at any process count: each global batch is cut into
// K fixed shards, each shard's gradient computed alone, and the K shard gradients summed in shard
// order 0, 1, ..., K-1 on every rank, however the shards are spread over the processes. One
// process with the same K takes the same path, so 1, 2 and 4 processes give the same weights.
// fit_distributed (distributed_fit.hpp) composes it with fit. See docs/distributed.md.
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <utility>
#include <vector>

#include "bpnn/core/rng.hpp"
#include "bpnn/core/tensor.hpp"
#include "bpnn/distributed/communicator.hpp"
#include "bpnn/losses/loss.hpp"
#include "bpnn/model/sequential.hpp"
#include "bpnn/optim/optimizer.hpp"
#include "bpnn/train/fit.hpp"

namespace bpnn {

// How the shard gradients are summed across processes.
enum class GradientSum {
  // In shard order on every rank (an exchange of shard slices, then an allgather of the sums):
  // the same bytes at any process count.
  ordered,
  // MPI_Allreduce with MPI_SUM of each rank's local sum: faster, equal only within float rounding.
  plain,
};

struct ShardedStepOptions {
  std::size_t shards = 8;  // K; the process count must divide it
  GradientSum sum = GradientSum::ordered;
  double max_grad_norm = 0.0;  // clip_gradient_norm of the summed gradient (0: none)
  Task task = Task::automatic;
  // This rank's own stop request (a signal seen), polled once per step and shared with every rank
  // in that step's exchange, so that all ranks stop after the same batch. Empty: none.
  std::function<bool()> local_stop = nullptr;
};

// One step of a fit (FitOptions::batch_step) over a global batch of sample indices:
//   shard k of a batch of B samples is samples [k B / K, (k+1) B / K) of it; rank r computes the
//   shards [r K / P, (r+1) K / P) with the model's own backend (same thread count on every rank),
//   each shard's loss gradient scaled by n_k / B, so that the sum over shards of the gradients is
//   dE/dp of the loss's mean over the whole batch;
//   batch norm normalizes with the statistics of the whole global batch (each shard's part
//   gathered from every rank and combined in shard order, Sequential::forward_shards), and so do
//   its running statistics; a model with batch norm needs B >= K (a sample in every shard);
//   dropout draws from a generator seeded per step and shard (from one draw of rng per step);
//   the sum goes to the model's gradients, then clipping, then optimizer.step on every rank.
// The first step broadcasts rank 0's weights and optimizer state to every rank.
class ShardedStep {
 public:
  // Keeps references to everything; inputs and targets are the whole training set, on every rank.
  // Throws Error when shards is 0 or the process count does not divide it; operator() throws Error
  // (on every rank alike) for a batch smaller than shards when the model has batch norm.
  ShardedStep(Sequential<float>& model, const Loss<float>& loss, Optimizer<float>& optimizer,
              Communicator& communicator, TensorView<const float> inputs, TensorView<const float> targets,
              Rng& rng, ShardedStepOptions options);

  // Not copied: batch norm's gather refers to this step.
  ShardedStep(const ShardedStep&) = delete;
  ShardedStep& operator=(const ShardedStep&) = delete;

  BatchOutcome operator()(std::span<const std::size_t> indices);

  // Whether any rank asked for a stop in the last step (the same answer on every rank).
  bool stop_agreed() const { return stop_agreed_; }
  std::size_t steps() const { return steps_; }
  double seconds() const { return seconds_; }                    // in operator(), all of it
  double communication_seconds() const { return comm_seconds_; }  // in the collectives
  std::size_t exchanged_floats() const { return slot_; }          // per shard and step
  std::size_t layer_exchanges() const { return layer_exchanges_; }  // batch norm's gathers, in all

 private:
  void broadcast_state();
  // Computes this rank's shards of indices into their slots (slot_ floats each).
  void compute_shards(std::span<const std::size_t> indices, std::uint64_t step_seed);
  // Sums the local slots over every rank into sum_ (slot_ floats).
  void reduce();

  Sequential<float>& model_;
  const Loss<float>& loss_;
  Optimizer<float>& optimizer_;
  Communicator& comm_;
  TensorView<const float> inputs_, targets_;
  Rng& rng_;
  ShardedStepOptions options_;
  bool classification_;
  std::size_t params_ = 0;  // P: values in the parameter store
  std::size_t slot_ = 0;    // P + 3: gradient (and unused buffer) values, loss sum, correct, stop
  std::size_t first_shard_ = 0, local_shards_ = 0;
  bool reduces_over_batch_ = false;  // the model has a layer that needs every shard (batch norm)
  std::vector<float> local_, send_, recv_, partial_, sum_;
  std::vector<std::size_t> rows_;            // L + 1: where each local shard starts in the stack
  std::vector<GradientSink<float>> sinks_;   // L: local shard j's slot
  std::vector<Rng> rngs_;                    // L: local shard j's generator this step
  ShardedBatch<float> batch_;
  Tensor<float> batch_inputs_, batch_targets_, loss_grad_;
  bool stop_agreed_ = false;
  std::size_t steps_ = 0, layer_exchanges_ = 0;
  double seconds_ = 0, comm_seconds_ = 0;
};

}  // namespace bpnn
