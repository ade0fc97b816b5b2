// fit composed with the sharded step: the stop agreement, checkpoints on rank 0, and the abort
// that ends every rank when one alone fails.
#include "bpnn/distributed/distributed_fit.hpp"

#include <exception>
#include <span>
#include <utility>

#include "bpnn/core/error.hpp"

namespace bpnn {

DistributedFitResult fit_distributed(Communicator& communicator, Sequential<float>& model, const Loss<float>& loss,
                                     Optimizer<float>& optimizer, TensorView<const float> inputs,
                                     TensorView<const float> targets, Rng& rng, FitOptions options,
                                     const DistributedOptions& distributed, HeldOut test, HeldOut validation) {
  if (options.batch_step) throw Error("fit_distributed: FitOptions::batch_step is the sharded step's; leave it empty");
  ShardedStep step(model, loss, optimizer, communicator, inputs, targets, rng,
                   {.shards = distributed.shards,
                    .sum = distributed.sum,
                    .max_grad_norm = options.max_grad_norm,
                    .task = options.task,
                    .local_stop = std::move(options.stop_requested)});
  options.batch_step = [&step](std::span<const std::size_t> indices) { return step(indices); };
  // Every rank stops after the same batch: the one whose exchange carried a rank's request.
  options.stop_requested = [&step] { return step.stop_agreed(); };
  if (communicator.rank() != 0) options.checkpoint_path.clear();
  DistributedFitResult result;
  try {
    result.fit = fit(model, loss, optimizer, inputs, targets, rng, options, test, validation);
  } catch (const TrainingDiverged&) {
    throw;  // from the exchanged loss: the same on every rank
  } catch (const TrainingInterrupted&) {
    throw;  // from the agreed stop: the same on every rank
  } catch (const std::exception& e) {
    if (communicator.size() == 1) throw;
    if (distributed.on_abort) {
      distributed.on_abort("rank " + std::to_string(communicator.rank()) + " of " +
                           std::to_string(communicator.size()) + ": " + e.what());
    }
    communicator.abort(1);
  }
  result.steps = step.steps();
  result.seconds = step.seconds();
  result.communication_seconds = step.communication_seconds();
  result.exchanged_floats = step.exchanged_floats();
  result.layer_exchanges = step.layer_exchanges();
  return result;
}

}  // namespace bpnn
