// The training loop: epochs of shuffled (or file-order) mini-batches of SGD, with a callback after
// every batch and every epoch. fit() composes the pieces a front end may also use on its own: a
// Sampler (sampler.hpp), the BatchLoop below, keep_if_best and the callbacks (callbacks.hpp). Semantics match a plain PyTorch loop: with shuffle off the batches
// are consecutive samples in order, the last partial batch is used, and each batch loss is the
// loss's mean over that batch.
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <string>

#include "bpnn/core/error.hpp"
#include "bpnn/core/rng.hpp"
#include "bpnn/core/tensor.hpp"
#include "bpnn/losses/loss.hpp"
#include "bpnn/model/sequential.hpp"
#include "bpnn/optim/optimizer.hpp"
#include "bpnn/optim/schedule.hpp"
#include "bpnn/train/callbacks.hpp"
#include "bpnn/train/metrics.hpp"
#include "bpnn/train/sampler.hpp"
#include "bpnn/train/trainer.hpp"

namespace bpnn {

// What one step over a batch reports when a front end supplies the step (FitOptions::batch_step).
struct BatchOutcome {
  float loss = 0;           // the loss's mean over the batch, from before the update
  std::size_t correct = 0;  // samples of the batch classified right (classification only)
};

// A step in place of Trainer::step: updates the model from the batch with these sample indices
// (into the training set) and reports it. distributed/sharded_step.hpp is one.
using BatchStep = std::function<BatchOutcome(std::span<const std::size_t> indices)>;

struct FitOptions {
  std::size_t epochs = 1;
  std::size_t batch_size = 32;
  bool shuffle = true;  // draw a new order each epoch from the Rng; false: file order
  double max_grad_norm = 0.0;  // clip the gradients' total L2 norm to this (0: no clipping)
  LrSchedule schedule = {};    // the learning rate of each epoch, from the optimizer's at the start
  // With a validation set: stop once its loss has not improved for this many epochs (0: run every
  // epoch). Either way the model ends with the weights of its best validation epoch.
  std::size_t patience = 0;
  // What the targets stand for (metrics.hpp): regression with several outputs has to say so, or
  // its rows are read as one-hot classes and an accuracy is reported.
  Task task = Task::automatic;
  // Checkpoints: every checkpoint_every epochs (0: never), and when stop_requested (polled after
  // every batch) returns true, fit writes model, optimizer state, position and generator state
  // to checkpoint_path atomically. Set resume_path to continue from such a file: with the same
  // model, data, options and thread count, the run ends with exactly the weights of one never stopped.
  std::string checkpoint_path = "";
  std::size_t checkpoint_every = 0;
  std::string resume_path = "";
  std::function<bool()> stop_requested = nullptr;
  std::function<void(const BatchReport&)> on_batch = nullptr;
  std::function<void(const EpochReport&)> on_epoch = nullptr;
  // Replaces gather + Trainer::step + counting for every batch (then max_grad_norm is the step's
  // business). Empty: the Trainer's step.
  BatchStep batch_step = nullptr;
};

// Training stopped because the loss became NaN or infinite. The model holds the weights it had at
// the start of the failing epoch (the last good ones); epoch is that epoch, 1-based.
class TrainingDiverged : public Error {
 public:
  TrainingDiverged(const std::string& message, std::size_t epoch) : Error(message), epoch(epoch) {}
  std::size_t epoch;
};

// Training stopped because stop_requested said so. The checkpoint (if a path was given) holds
// the position: epoch (1-based) and the batches of it done.
class TrainingInterrupted : public Error {
 public:
  TrainingInterrupted(const std::string& message, std::size_t epoch, std::size_t batch)
      : Error(message), epoch(epoch), batch(batch) {}
  std::size_t epoch, batch;
};

// A data set evaluated after every epoch; empty inputs: none.
struct HeldOut {
  TensorView<const float> inputs = {};
  TensorView<const float> targets = {};
};

struct FitResult {
  std::size_t epochs = 0;      // epochs run
  std::size_t best_epoch = 0;  // with a validation set: the epoch whose weights the model ends with
  bool stopped_early = false;
};

// One epoch's batches: gathers each batch's samples (a view when they are consecutive), takes one
// Trainer step (or calls step, given one) and adds to the position's sums. Keeps references to all it is given and owns the
// gather buffers, so build it once per fit.
class BatchLoop {
 public:
  BatchLoop(Trainer<float>& trainer, Sequential<float>& model, TensorView<const float> inputs,
            TensorView<const float> targets, const Sampler& sampler, Task task = Task::automatic,
            BatchStep step = nullptr);

  // Runs position.epoch's batches from position.batch on, in order (from sampler.order), calling
  // callback.on_batch after each; returns true, with position.batch counting the batches done, as
  // soon as it asks for a stop. When a loss is not finite, restores position.last_good (if held)
  // into the model and throws TrainingDiverged.
  bool run(std::span<const std::size_t> order, FitPosition& position, FitCallback& callback);

 private:
  Trainer<float>& trainer_;
  Sequential<float>& model_;
  TensorView<const float> inputs_, targets_;
  const Sampler& sampler_;
  bool classification_;
  BatchStep step_;  // empty: trainer_.step
  Tensor<float> batch_inputs_, batch_targets_;
};

// After an epoch's validation: if its loss is the best so far (or the first), records epoch and
// loss in position and copies the model's weights into position.best. Returns whether it was best.
bool keep_if_best(const Evaluation& validation, std::size_t epoch, const Sequential<float>& model,
                  FitPosition& position);

// Trains model on inputs [N, input shape...] and targets ([N] class indices or [N, K]), then
// after each epoch evaluates the test and validation sets that are given. Shuffling (and dropout)
// draw from rng. Composes Sampler, BatchLoop, keep_if_best and the callbacks ProgressCallback,
// EarlyStopping, StopRequest and Checkpoints (in that order) from options. Throws Error for
// mismatched sample counts or shapes or a checkpoint that does not fit, TrainingDiverged when the
// loss stops being finite, TrainingInterrupted when asked to stop.
FitResult fit(Sequential<float>& model, const Loss<float>& loss, Optimizer<float>& optimizer,
              TensorView<const float> inputs, TensorView<const float> targets, Rng& rng, const FitOptions& options,
              HeldOut test = {}, HeldOut validation = {});

}  // namespace bpnn
