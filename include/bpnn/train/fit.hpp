// The training loop: epochs of shuffled (or file-order) mini-batches, with a callback after every
// batch and every epoch. fit() is a loop over a TrainingRun (training_run.hpp), which takes the
// steps, with evaluation, keep_if_best and the callbacks (callbacks.hpp) around it. Semantics match
// a plain PyTorch loop: with shuffle off the batches are consecutive samples in order, the last
// partial batch is used, and each batch loss is the loss's mean over that batch.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
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
#include "bpnn/train/training_run.hpp"

namespace bpnn {

struct FitOptions {
  std::size_t epochs = 1;
  std::size_t batch_size = 32;
  bool shuffle = true;  // draw a new order each epoch from the Rng; false: file order
  double max_grad_norm = 0.0;  // clip the gradients' total L2 norm to this (0: no clipping)
  LrSchedule schedule = {};    // the learning rate of each epoch, from the optimizer's at the start
  // With a validation set: stop once its loss has not improved for this many epochs (0: run every
  // epoch). Either way the model ends with the weights of its best validation epoch.
  std::size_t patience = 0;
  // What the best validation epoch is: the lowest loss, or the highest score (accuracy, or R² for
  // regression: scikit-learn's score, by which its MLP keeps the best weights).
  BestBy best_by = BestBy::validation_loss;
  // FANN's desired_error: end training after the first epoch whose training loss is at most this
  // (StopAtLoss, callbacks.hpp); fit returns normally with FitResult::reached_loss. Unset: never.
  std::optional<double> stop_at_loss = std::nullopt;
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
  // After each epoch's evaluation (and on_epoch): true ends training there, as early stopping
  // does: fit returns normally (FitResult::stopped_early), no checkpoint, no exception.
  std::function<bool(const EpochReport&)> end_after_epoch = nullptr;
  // After each epoch that training goes on from (end_after_epoch said no, epochs remain): a new
  // base rate for the schedule from the next epoch on, or nullopt to keep it. How a front end
  // lowers the rate on a plateau (scikit-learn's learning_rate='adaptive' divides it by 5).
  // Checkpoints do not keep it: a resumed run starts from the optimizer's rate.
  std::function<std::optional<double>(const EpochReport&)> rate_after_epoch = nullptr;
  // Replaces gather + Trainer::step + counting for every batch (then max_grad_norm is the step's
  // business). Empty: the Trainer's step. See TrainingRunOptions.
  BatchStep batch_step = nullptr;
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
  bool reached_loss = false;   // ended by FitOptions::stop_at_loss
};

// After an epoch's validation: if it is the best so far by `by` (a lower loss, or a higher score;
// or the first), records epoch, loss (or score) and the model's weights in best. Returns whether
// it was best.
bool keep_if_best(const Evaluation& validation, std::size_t epoch, const Sequential<float>& model, BestEpoch& best,
                  BestBy by = BestBy::validation_loss);

// Trains model on inputs [N, input shape...] and targets ([N] class indices or [N, K]), then
// after each epoch evaluates the test and validation sets that are given. Shuffling (and dropout)
// draw from rng. Steps a TrainingRun a batch at a time and composes keep_if_best and the callbacks
// ProgressCallback, EarlyStopping, StopAtLoss, StopRequest and Checkpoints (in that order) from
// options. Throws Error for mismatched sample counts or shapes, a NaN or infinite input or target
// (check_finite, naming the set, the sample and the value) or a checkpoint that does not fit,
// TrainingDiverged when the loss stops being finite, TrainingInterrupted when asked to stop.
FitResult fit(Sequential<float>& model, const Loss<float>& loss, Optimizer<float>& optimizer,
              TensorView<const float> inputs, TensorView<const float> targets, Rng& rng, const FitOptions& options,
              HeldOut test = {}, HeldOut validation = {});

}  // namespace bpnn
