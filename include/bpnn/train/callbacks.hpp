// What a fit reports and carries between batches and epochs, and the callbacks it is composed
// with: progress reporting, a stop request, early stopping and checkpoints. The library never
// prints: a front end's callbacks decide what to show.
#pragma once

#include <cstddef>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bpnn/core/tensor.hpp"
#include "bpnn/train/metrics.hpp"
#include "bpnn/train/training_run.hpp"

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
  bool best = false;      // the best validation epoch so far (FitOptions::best_by)
  double seconds = 0.0;   // spent in the batch loop of this epoch (not evaluation)
  double learning_rate = 0.0;  // the optimizer's rate in this epoch (its schedule's)
  // The L2 term of the loss the optimizer's coupled weight decay adds the gradient of, at the
  // epoch's end (l2_penalty in optim/optimizer.hpp; 0 without it). train_loss does not hold it.
  double l2_penalty = 0.0;
  // And the L1 term of the optimizer's l1 option (l1_penalty; 0 without it), likewise.
  double l1_penalty = 0.0;
};

// What makes a validation epoch the best (FitOptions::best_by).
enum class BestBy {
  validation_loss,   // the lowest loss
  validation_score,  // the highest score (Evaluation::score: accuracy, or R² for regression)
};

// A fit's best validation epoch so far: what early stopping judges by and what the model ends with.
// A checkpoint holds it beside the run's position.
struct BestEpoch {
  std::size_t epoch = 0;  // 1-based; 0: none yet
  double loss = 0;        // its validation loss, or its score when the best is judged by score
  Tensor<float> weights;  // the parameters after it
};

// A hook into a fit. Every method has a do-nothing default; a stop asked for is taken as described.
class FitCallback {
 public:
  virtual ~FitCallback() = default;
  // After each batch's step. true asks for a stop (a checkpoint, then TrainingInterrupted): at once,
  // or after the epoch's evaluation when this was its last batch.
  virtual bool on_batch(const BatchReport& /*report*/) { return false; }
  // After each epoch's evaluation (report.best already marked). true ends training after this
  // epoch: fit returns normally, as after early stopping.
  virtual bool on_epoch(const EpochReport& /*report*/) { return false; }
  // Between epochs, when training goes on with next_epoch (the position is at its start). true asks
  // for a stop there.
  virtual bool between_epochs(std::size_t /*next_epoch*/) { return false; }
};

// Several callbacks as one, called in list order: on_batch and on_epoch reach every one (any true
// wins); between_epochs stops at the first that asks for a stop. Holds pointers; nulls are skipped.
class CallbackList : public FitCallback {
 public:
  CallbackList(std::initializer_list<FitCallback*> callbacks);
  bool on_batch(const BatchReport& report) override;
  bool on_epoch(const EpochReport& report) override;
  bool between_epochs(std::size_t next_epoch) override;

 private:
  std::vector<FitCallback*> callbacks_;
};

// Progress reporting through plain functions (either may be empty); never asks for a stop.
class ProgressCallback : public FitCallback {
 public:
  ProgressCallback(std::function<void(const BatchReport&)> on_batch, std::function<void(const EpochReport&)> on_epoch)
      : on_batch_(std::move(on_batch)), on_epoch_(std::move(on_epoch)) {}
  bool on_batch(const BatchReport& report) override;
  bool on_epoch(const EpochReport& report) override;

 private:
  std::function<void(const BatchReport&)> on_batch_;
  std::function<void(const EpochReport&)> on_epoch_;
};

// Asks for a stop when `requested` (e.g. a signal seen) returns true, polled after every batch but
// an epoch's last and once between epochs. An empty function never stops.
class StopRequest : public FitCallback {
 public:
  explicit StopRequest(std::function<bool()> requested) : requested_(std::move(requested)) {}
  bool on_batch(const BatchReport& report) override;
  bool between_epochs(std::size_t next_epoch) override;

 private:
  std::function<bool()> requested_;
};

// Early stopping: ends training once the best validation epoch (by loss, or score) is `patience`
// epochs old (0: never), judged by best.epoch, which keep_if_best (fit.hpp) maintains with the weights.
class EarlyStopping : public FitCallback {
 public:
  EarlyStopping(std::size_t patience, const BestEpoch& best) : patience_(patience), best_(best) {}
  bool on_epoch(const EpochReport& report) override;

 private:
  std::size_t patience_;
  const BestEpoch& best_;
};

// FANN's desired_error: ends training after the first epoch whose training loss (train_loss, the
// mean over the epoch's samples as computed while training, FANN's MSE for mse) is at most
// `loss`. reached() says whether it did.
class StopAtLoss : public FitCallback {
 public:
  explicit StopAtLoss(std::optional<double> loss) : loss_(loss) {}
  bool on_epoch(const EpochReport& report) override;
  bool reached() const { return reached_; }

 private:
  std::optional<double> loss_;
  bool reached_ = false;
};

// Checkpoints to `path` (empty: none): write() on demand (fit calls it on a stop), and between
// epochs after every `every`-th epoch (0: never). Keeps references to what it saves.
class Checkpoints : public FitCallback {
 public:
  Checkpoints(std::string path, std::size_t every, const TrainingRun<float>& run, const BestEpoch& best)
      : path_(std::move(path)), every_(every), run_(run), best_(best) {}
  // Writes the run's model, optimizer state, generator state and position, and the best epoch,
  // atomically; nothing without a path.
  void write() const;
  const std::string& path() const { return path_; }
  bool between_epochs(std::size_t next_epoch) override;

 private:
  std::string path_;
  std::size_t every_;
  const TrainingRun<float>& run_;
  const BestEpoch& best_;
};

}  // namespace bpnn
