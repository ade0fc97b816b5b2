// A training run you can step: the model, its loss, the update rule (an optimizer with the
// Trainer's gradient hooks, clipping and learning-rate schedule, or the perceptron rule), the data,
// the generator, each epoch's sample order and the position. It steps by one sample, one batch,
// one epoch or a budget (steps and/or seconds). fit (fit.hpp) is a loop over it with evaluation,
// callbacks, checkpoints and early stopping; a front end that trains step by step (the
// playground, Python) drives the same run, so its batches are fit's.
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "bpnn/core/error.hpp"
#include "bpnn/core/rng.hpp"
#include "bpnn/core/tensor.hpp"
#include "bpnn/losses/loss.hpp"
#include "bpnn/model/sequential.hpp"
#include "bpnn/optim/optimizer.hpp"
#include "bpnn/optim/schedule.hpp"
#include "bpnn/train/metrics.hpp"
#include "bpnn/train/sampler.hpp"
#include "bpnn/train/trainer.hpp"

namespace bpnn {

// What one step over a batch reports when a front end supplies the step (BatchStep).
struct BatchOutcome {
  float loss = 0;           // the loss's mean over the batch, from before the update
  std::size_t correct = 0;  // samples of the batch classified right (classification only)
};

// A step in place of the Trainer's: updates the model from the batch with these sample indices
// (into the training set) and reports it. distributed/sharded_step.hpp is one.
using BatchStep = std::function<BatchOutcome(std::span<const std::size_t> indices)>;

// How a run changes the weights.
enum class UpdateRule {
  // The Trainer's step (trainer.hpp): back-propagation, the gradient hooks, the optimizer's update.
  gradient_descent,
  // Rosenblatt's perceptron rule for a model of one dense layer and a step: for each sample,
  // y = step(W x + b), then W += lr (t - y) x^T and b += lr (t - y), lr being the optimizer's
  // learning rate (the optimizer itself is not used). No derivative: the step has none. Needs
  // batches of one sample and 0/1 targets; an epoch without a mistake is convergence.
  perceptron,
};

struct TrainingRunOptions {
  std::size_t batch_size = 32;
  bool shuffle = true;         // a new order each epoch drawn from the generator; false: file order
  double max_grad_norm = 0.0;  // clip the gradients' total L2 norm to this (0: no clipping)
  // The learning rate of epoch e (1-based) is schedule.rate(base, e - 1, epochs, samples), base being the
  // optimizer's rate when the run was made; it is set when the epoch's first step is due.
  LrSchedule schedule = {};
  std::size_t epochs = 1;
  Task task = Task::automatic;  // what the targets stand for (metrics.hpp): which steps count as right
  UpdateRule rule = UpdateRule::gradient_descent;
  // Keeps each step's numbers for inspection: the Trainer's three stages run apart (never the fused
  // plain-SGD step), so that after a step the model's gradient buffer holds the gradients the update
  // applied (after clipping and every hook), and last_update() each parameter's change. Costs a
  // copy of the parameters per step. Where fit would fuse the step, the separate stages may round
  // differently from it, and reproducible() says so.
  bool inspect = false;
  // Keeps what the last step started from (last_step()): its samples, the parameters and the
  // generator before it, so that explain_last_step (explain.hpp) shows the gradients it applied and
  // the update it made. The step itself is untouched (a fused plain-SGD step stays fused), so the
  // run stays reproducible(); costs a copy of the parameters per step.
  bool keep_last_step = false;
  // Replaces gathering the batch and the Trainer's step (then max_grad_norm is the step's business).
  BatchStep batch_step = nullptr;
};

// Where a run is: what a checkpoint holds besides the model, the optimizer and the generator.
template <class T>
struct RunPosition {
  std::size_t epoch = 1;  // the epoch in progress, 1-based (a finished one until the next step begins)
  std::size_t batch = 0;  // its batches whose every sample is done; batches() when it is finished
  std::size_t seen = 0;   // its samples done, the position in its order
  std::vector<std::size_t> order = {};  // its sample order, drawn when its first step is due (empty before)
  double loss_sum = 0;             // its steps' mean losses times their sample counts
  std::size_t correct = 0;         // its samples predicted right (see TrainingRun::task)
  Tensor<T> last_good = {};        // the parameters at its start: restored if the loss stops being finite
  std::size_t iterations = 0;      // sample or batch steps taken since the run began
  double last_loss = 0;            // the last step's loss, from before its update
};

// The totals of a finished epoch.
struct EpochTotals {
  std::size_t epoch = 0;  // 1-based; 0: none finished yet
  std::size_t samples = 0;
  double loss = 0;          // the sample-weighted mean of its steps' losses
  std::size_t correct = 0;  // samples predicted right (perceptron: without a mistake)
  double accuracy = -1;     // correct / samples; -1 when the targets are a regression's

  std::size_t mistakes() const { return samples - correct; }
};

enum class StepUnit {
  // The next sample of the epoch's order, alone. With batches of one this is a batch. With larger
  // batches fit has no such step: the run takes the sample as a batch of one (the next batch step
  // then takes the rest of that batch) and is no longer reproducible().
  sample,
  batch,  // the rest of the current batch: the next batch of the epoch's order, exactly as fit takes it
  epoch,  // batches to the end of the epoch (a whole epoch when the last one is finished)
};

// What the last step started from (TrainingRunOptions::keep_last_step).
template <class T>
struct LastStep {
  std::vector<std::size_t> samples = {};  // its batch: indices into the training set; empty when none is kept
  Tensor<T> before = {};  // the parameters (and buffers) before it, parallel to the flat parameter buffer
  Rng rng{0};             // the generator before it: what a train-mode forward drew (dropout's masks)
  double learning_rate = 0;  // the optimizer's rate in it
  std::size_t iteration = 0;  // its number: position().iterations just after it
};

// What a step did.
struct StepReport {
  std::size_t samples = 0;      // trained on
  std::size_t steps = 0;        // sample or batch steps taken (an epoch is several)
  double loss = 0;              // the last step's loss, from before its update
  bool epoch_finished = false;  // the last step ended an epoch
};

// At most `count` units and/or `seconds` of wall time (checked after every sample or batch step),
// and, if asked, no further than the end of an epoch. A limit of 0 is none; one is needed.
struct Budget {
  StepUnit unit = StepUnit::batch;
  std::size_t count = 0;
  double seconds = 0;
  bool to_epoch_end = false;
  // After every sample or batch step; returning true stops the budget there.
  std::function<bool(const StepReport&)> after_step = nullptr;
};

enum class StopReason { count, seconds, epoch_end, asked, converged };

struct BudgetReport {
  std::size_t units = 0;  // whole units done (an epoch cut short by the time does not count)
  std::size_t steps = 0;  // sample or batch steps taken
  double loss = 0;        // the last step's loss
  double seconds = 0;
  StopReason reason = StopReason::count;
};

// Training stopped because the loss became NaN or infinite; the message names the epoch and the
// batch and says what to try, each front end adding its own name for the clipping option. The
// model holds the weights it had at the start of the failing epoch (the last good ones); epoch is
// that epoch, 1-based.
class TrainingDiverged : public Error {
 public:
  TrainingDiverged(const std::string& message, std::size_t epoch) : Error(message), epoch(epoch) {}
  std::size_t epoch;
};

// One thread's at a time, like the Trainer it holds.
template <class T>
class TrainingRun {
 public:
  // Keeps references to model, loss, optimizer, rng and the data views, which must outlive the run.
  // inputs [N, input shape...], targets [N] class indices or [N, ...] as the loss takes them.
  // Throws Error for counts that differ, a batch size of 0, or (perceptron) a model other than
  // dense + step, batches of more than one sample or targets other than 0/1 of the outputs' width.
  TrainingRun(Sequential<T>& model, const Loss<T>& loss, Optimizer<T>& optimizer, TensorView<const T> inputs,
              TensorView<const T> targets, Rng& rng, TrainingRunOptions options = {});
  TrainingRun(const TrainingRun&) = delete;
  TrainingRun& operator=(const TrainingRun&) = delete;

  // One unit: begins the next epoch first if the current one is finished (drawing its order from
  // the generator, keeping the parameters as last_good, setting the learning rate). Throws
  // TrainingDiverged, with the epoch's first weights restored, when a step's loss is not finite,
  // and Error when the training set has no samples.
  StepReport step(StepUnit unit = StepUnit::batch);
  // Steps until the budget is spent, after_step asks, or (perceptron) an epoch had no mistake.
  BudgetReport run(const Budget& budget);

  // Moves a finished epoch's position to the start of the next (no order drawn yet); nothing
  // otherwise. step does this itself; fit does it before a checkpoint between epochs.
  void begin_next_epoch();
  bool epoch_finished() const { return position_.batch == sampler_.batches(); }
  std::size_t epochs_done() const { return epoch_finished() ? position_.epoch : position_.epoch - 1; }

  const RunPosition<T>& position() const { return position_; }
  // Continues from a position saved earlier (checkpoint.hpp); model, optimizer and generator are
  // restored by the caller. Throws Error when it does not fit this run's samples and batches.
  void restore(RunPosition<T> position);
  const EpochTotals& last_epoch() const { return last_epoch_; }
  // Perceptron: the first epoch without a mistake (0: none yet). Gradient descent: 0.
  std::size_t converged_epoch() const { return converged_epoch_; }

  // Whether the run so far is what fit, with these options from the same start, does (bpnn train
  // repeats it bit for bit); why_not_reproducible() says why not. The run notes its own causes (a
  // sample step with larger batches, a double run, the perceptron rule, an inspected step fit would
  // fuse); a front end adds its own changes (a weight set by hand, a gradient hook of its own
  // through trainer()) with mark_not_reproducible.
  bool reproducible() const { return why_not_.empty(); }
  const std::string& why_not_reproducible() const { return why_not_; }
  void mark_not_reproducible(const std::string& reason);

  // With options.inspect: each parameter's change in the last step (after - before), parallel to
  // the model's flat parameter buffer; empty before the first step or without inspect.
  TensorView<const T> last_update() const { return update_.view(); }
  // With options.keep_last_step: the last step's samples, and the parameters and generator before it
  // (samples empty before the first step, after a step that failed, and after restore).
  const LastStep<T>& last_step() const { return last_step_; }
  // The samples named by indices (into the training set) as one batch, inputs and targets, as a step
  // takes them.
  void gather_batch(std::span<const std::size_t> indices, Tensor<T>& inputs, Tensor<T>& targets) const;

  Task task() const { return task_; }  // resolved from the targets: classification, multilabel or regression
  std::size_t samples() const { return sampler_.samples(); }
  std::size_t batches() const { return sampler_.batches(); }  // per epoch
  const TrainingRunOptions& options() const { return options_; }
  Sequential<T>& model() { return model_; }
  const Sequential<T>& model() const { return model_; }
  const Loss<T>& loss() const { return loss_; }
  Optimizer<T>& optimizer() { return optimizer_; }
  const Optimizer<T>& optimizer() const { return optimizer_; }
  Rng& rng() { return rng_; }
  const Rng& rng() const { return rng_; }
  Trainer<T>& trainer() { return trainer_; }  // to add gradient hooks
  // The rate the schedule starts from: the optimizer's when the run was made, unless set. A new one
  // takes effect when the next epoch's first step is due. Throws Error unless rate > 0 and finite.
  double base_rate() const { return base_rate_; }
  void set_base_rate(double rate);

 private:
  // Draws the epoch's order and keeps last_good when its first step is due; sets its rate.
  void prepare_epoch();
  // One step over samples [first, end) of the epoch's order; returns its loss.
  double step_over(std::size_t end);
  T gradient_step(std::span<const std::size_t> indices, std::size_t& correct);
  T perceptron_step(std::size_t sample, std::size_t& correct);
  void diverged(double loss);
  void finish_epoch();

  Sequential<T>& model_;
  const Loss<T>& loss_;
  Optimizer<T>& optimizer_;
  TensorView<const T> inputs_, targets_;
  Rng& rng_;
  TrainingRunOptions options_;
  Sampler sampler_;
  Trainer<T> trainer_;
  Task task_;
  double base_rate_;
  std::size_t rate_epoch_ = 0;  // the epoch whose learning rate the optimizer has (0: none set yet)
  RunPosition<T> position_;
  EpochTotals last_epoch_;
  std::size_t converged_epoch_ = 0;
  std::string why_not_;
  Tensor<T> batch_inputs_, batch_targets_;  // a shuffled batch, gathered
  Tensor<T> update_;
  LastStep<T> last_step_;
};

extern template class TrainingRun<float>;
extern template class TrainingRun<double>;

}  // namespace bpnn
