// What a fit reports and carries between batches and epochs, and the callbacks it is composed
// with: progress reporting, a stop request, early stopping and checkpoints. The library never
// prints: a front end's callbacks decide what to show.
#pragma once

#include <cstddef>
#include <functional>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "bpnn/core/rng.hpp"
#include "bpnn/core/tensor.hpp"
#include "bpnn/model/sequential.hpp"
#include "bpnn/optim/optimizer.hpp"
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

// Where a fit is: everything a checkpoint holds besides the model, the optimizer and the generator,
// so that a resumed run continues with exactly the weights an uninterrupted one would have.
struct FitPosition {
  std::size_t epoch = 1;  // the epoch to continue in, 1-based
  std::size_t batch = 0;  // batches of it already done
  std::vector<std::size_t> order;  // this epoch's sample order (shuffled runs; file order is implied)
  double loss_sum = 0;             // this epoch so far
  std::size_t correct = 0, seen = 0;
  std::size_t best_epoch = 0;  // validation: the best epoch so far, its loss and weights
  double best_loss = 0;
  Tensor<float> best;
  Tensor<float> last_good;  // the parameters at the start of this epoch

  // Moves to the start of epoch e: no batch done, no order drawn, the sums at 0.
  void begin_epoch(std::size_t e) {
    epoch = e;
    batch = 0;
    order.clear();
    loss_sum = 0;
    correct = seen = 0;
  }
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

// Early stopping: ends training once the validation loss has not improved for `patience` epochs
// (0: never), judged by position.best_epoch, which keep_if_best (fit.hpp) maintains with the weights.
class EarlyStopping : public FitCallback {
 public:
  EarlyStopping(std::size_t patience, const FitPosition& position) : patience_(patience), position_(position) {}
  bool on_epoch(const EpochReport& report) override;

 private:
  std::size_t patience_;
  const FitPosition& position_;
};

// Checkpoints to `path` (empty: none): write() on demand (fit calls it on a stop), and between
// epochs after every `every`-th epoch (0: never). Keeps references to what it saves.
class Checkpoints : public FitCallback {
 public:
  Checkpoints(std::string path, std::size_t every, const Sequential<float>& model, const Optimizer<float>& optimizer,
              const Rng& rng, const FitPosition& position)
      : path_(std::move(path)), every_(every), model_(model), optimizer_(optimizer), rng_(rng), position_(position) {}
  // Writes model, optimizer state, generator state and position atomically; nothing without a path.
  void write() const;
  const std::string& path() const { return path_; }
  bool between_epochs(std::size_t next_epoch) override;

 private:
  std::string path_;
  std::size_t every_;
  const Sequential<float>& model_;
  const Optimizer<float>& optimizer_;
  const Rng& rng_;
  const FitPosition& position_;
};

}  // namespace bpnn
