// The training loop: epochs of shuffled (or file-order) mini-batches of SGD, with a callback after
// every batch and every epoch. Semantics match a plain PyTorch loop: with shuffle off the batches
// are consecutive samples in order, the last partial batch is used, and each batch loss is the
// loss's mean over that batch.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "bpnn/core/error.hpp"
#include "bpnn/core/rng.hpp"
#include "bpnn/core/tensor.hpp"
#include "bpnn/losses/loss.hpp"
#include "bpnn/model/sequential.hpp"
#include "bpnn/optim/optimizer.hpp"
#include "bpnn/optim/schedule.hpp"
#include "bpnn/train/metrics.hpp"

namespace bpnn {

struct BatchReport {
  std::size_t epoch = 0;        // 1-based
  std::size_t batch = 0;        // 1-based within the epoch
  std::size_t batches = 0;      // per epoch
  std::size_t samples_seen = 0;  // in this epoch so far
  double loss = 0.0;            // mean loss over this epoch's samples so far
  double accuracy = -1.0;       // share of this epoch's samples so far classified right; -1 for regression
  double seconds = 0.0;         // spent training in this epoch so far
};

struct EpochReport {
  std::size_t epoch = 0;  // 1-based
  double train_loss = 0.0;      // sample-weighted mean of the batch losses, as computed during training
  double train_accuracy = -1.0;  // likewise from the training outputs; -1 for regression
  bool has_test = false;
  Evaluation test;        // on the test set after the epoch, if one was given
  bool has_validation = false;
  Evaluation validation;  // on the validation set after the epoch, if one was given
  bool best = false;      // the best validation loss so far
  double seconds = 0.0;   // spent in the batch loop of this epoch (not evaluation)
};

struct FitOptions {
  std::size_t epochs = 1;
  std::size_t batch_size = 32;
  bool shuffle = true;  // draw a new order each epoch from the Rng; false: file order
  double max_grad_norm = 0.0;  // clip the gradients' total L2 norm to this (0: no clipping)
  LrSchedule schedule = {};    // the learning rate of each epoch, from the optimizer's at the start
  // With a validation set: stop once its loss has not improved for this many epochs (0: run every
  // epoch). Either way the model ends with the weights of its best validation epoch.
  std::size_t patience = 0;
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

// Trains model on inputs [N, input shape...] and targets ([N] class indices or [N, K]), then
// after each epoch evaluates the test and validation sets that are given. Shuffling (and dropout)
// draw from rng. Throws Error for mismatched sample counts or shapes or a checkpoint that does not
// fit, TrainingDiverged when the loss stops being finite, TrainingInterrupted when asked to stop.
FitResult fit(Sequential<float>& model, const Loss<float>& loss, Optimizer<float>& optimizer,
              TensorView<const float> inputs, TensorView<const float> targets, Rng& rng, const FitOptions& options,
              HeldOut test = {}, HeldOut validation = {});

}  // namespace bpnn
