// Data-parallel training in one call: fit (train/fit.hpp) with every batch taken by a ShardedStep
// over a communicator, the ranks' stop requests agreed, checkpoints written by rank 0 alone, and an
// error that only one rank sees ending every rank. See docs/distributed.md.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "bpnn/core/rng.hpp"
#include "bpnn/core/tensor.hpp"
#include "bpnn/distributed/communicator.hpp"
#include "bpnn/distributed/sharded_step.hpp"
#include "bpnn/losses/loss.hpp"
#include "bpnn/model/sequential.hpp"
#include "bpnn/optim/optimizer.hpp"
#include "bpnn/train/fit.hpp"

namespace bpnn {

struct DistributedOptions {
  std::size_t shards = 8;  // K; the process count must divide it
  GradientSum sum = GradientSum::ordered;
  // Called with "rank r of N: <message>" when an error that only this rank saw during training is
  // about to end every rank (Communicator::abort(1)): the program's last chance to say why, since
  // the library prints nothing. Empty: the ranks end without a word.
  std::function<void(const std::string& message)> on_abort = nullptr;
};

struct DistributedFitResult {
  FitResult fit;
  std::size_t steps = 0;              // sharded steps this process took
  double seconds = 0;                 // in those steps, all of it
  double communication_seconds = 0;   // of it in the collectives
  std::size_t exchanged_floats = 0;   // per shard and step
  std::size_t layer_exchanges = 0;    // batch norm's gathers, in all
};

// Every rank calls it with the same model description, data, options and generator seed (a
// collective; check_same_configuration can make sure). Trains as fit does, each batch by
// ShardedStep (rank 0's weights and optimizer state broadcast at the first step), so that the
// weights are the same bytes at every process count dividing distributed.shards, and one process
// with a LocalCommunicator takes the same path. Of options: batch_step must be empty (the sharded
// step is it); max_grad_norm and task go to the step; stop_requested is this rank's own request,
// polled once per step and shared in that step's exchange, so that every rank stops after the same
// batch; checkpoint_path is used on rank 0 only (resume_path is read on every rank); on_batch and
// on_epoch are called on every rank with the same reports (print on one).
// Throws alike on every rank: Error before the first step (shards 0, or not divisible by the
// process count), TrainingDiverged and TrainingInterrupted. Any other error during training, which
// one rank may see alone while the others wait for it in an exchange: with one process rethrown,
// with more distributed.on_abort, then Communicator::abort(1) ends every rank.
DistributedFitResult fit_distributed(Communicator& communicator, Sequential<float>& model, const Loss<float>& loss,
                                     Optimizer<float>& optimizer, TensorView<const float> inputs,
                                     TensorView<const float> targets, Rng& rng, FitOptions options,
                                     const DistributedOptions& distributed, HeldOut test = {},
                                     HeldOut validation = {});

}  // namespace bpnn
