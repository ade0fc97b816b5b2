#include "bpnn/train/fit.hpp"

#include <chrono>
#include <string>
#include <utility>

#include "bpnn/core/error.hpp"
#include "bpnn/data/dataset.hpp"
#include "io/checkpoint.hpp"

namespace bpnn {
namespace {

void check_pair(const char* what, TensorView<const float> inputs, TensorView<const float> targets) {
  if (inputs.shape().rank() == 0 || targets.shape().rank() == 0 || inputs.batch() != targets.batch()) {
    throw Error(std::string("fit: ") + what + " has " + inputs.shape().str() + " inputs but " +
                targets.shape().str() + " targets; their first dimensions must agree");
  }
  check_finite(inputs, std::string("fit: ") + what + "'s input");
  check_finite(targets, std::string("fit: ") + what + "'s target");
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Ends training normally when options.end_after_epoch says so.
class EndAfterEpoch : public FitCallback {
 public:
  explicit EndAfterEpoch(std::function<bool(const EpochReport&)> end) : end_(std::move(end)) {}
  bool on_epoch(const EpochReport& report) override { return end_ && end_(report); }

 private:
  std::function<bool(const EpochReport&)> end_;
};

// The batches of the run's epoch from where it is to its end, with callback.on_batch after each.
// Returns true, the position counting the batches done, as soon as it asks for a stop.
bool run_epoch(TrainingRun<float>& run, FitCallback& callback) {
  const auto start = std::chrono::steady_clock::now();
  const bool scored = run.task() != Task::regression;
  while (!run.epoch_finished()) {
    run.step(StepUnit::batch);
    const RunPosition<float>& at = run.position();
    const double seen = static_cast<double>(at.seen);
    if (callback.on_batch({at.epoch, at.batch, run.batches(), at.seen, at.loss_sum / seen,
                           scored ? static_cast<double>(at.correct) / seen : -1.0, seconds_since(start)})) {
      return true;
    }
  }
  return false;
}

// The epoch's report: its training figures from the run, the held-out sets evaluated now.
EpochReport report_epoch(const TrainingRun<float>& run, const Loss<float>& loss, const FitOptions& options,
                         const HeldOut& test, const HeldOut& validation) {
  const RunPosition<float>& at = run.position();
  const std::size_t N = run.samples();
  EpochReport report;
  report.epoch = at.epoch;
  report.train_loss = N > 0 ? at.loss_sum / static_cast<double>(N) : 0.0;
  report.train_accuracy =
      run.task() != Task::regression && N > 0 ? static_cast<double>(at.correct) / static_cast<double>(N) : -1.0;
  if (!test.inputs.empty()) {
    report.has_test = true;
    report.test = evaluate(run.model(), loss, test.inputs, test.targets, 256, options.task);
  }
  if (!validation.inputs.empty()) {
    report.has_validation = true;
    report.validation = evaluate(run.model(), loss, validation.inputs, validation.targets, 256, options.task);
  }
  return report;
}

}  // namespace

bool keep_if_best(const Evaluation& validation, std::size_t epoch, const Sequential<float>& model, BestEpoch& best,
                  BestBy by) {
  const bool by_loss = by == BestBy::validation_loss;
  const double value = by_loss ? validation.loss : validation.score();
  if (best.epoch != 0 && !(by_loss ? value < best.loss : value > best.loss)) return false;
  best.loss = value;
  best.epoch = epoch;
  best.weights.resize(model.parameters().values().shape());
  copy<float>(model.parameters().values(), best.weights.view());
  return true;
}

FitResult fit(Sequential<float>& model, const Loss<float>& loss, Optimizer<float>& optimizer,
              TensorView<const float> inputs, TensorView<const float> targets, Rng& rng, const FitOptions& options,
              HeldOut test, HeldOut validation) {
  check_pair("the training set", inputs, targets);
  if (!test.inputs.empty()) check_pair("the test set", test.inputs, test.targets);
  if (!validation.inputs.empty()) check_pair("the validation set", validation.inputs, validation.targets);

  TrainingRun<float> run(model, loss, optimizer, inputs, targets, rng,
                         {.batch_size = options.batch_size,
                          .shuffle = options.shuffle,
                          .max_grad_norm = options.max_grad_norm,
                          .schedule = options.schedule,
                          .epochs = options.epochs,
                          .task = options.task,
                          .batch_step = options.batch_step});
  FitResult result;
  BestEpoch best;  // with a validation set: its best epoch so far and that epoch's weights
  if (!options.resume_path.empty()) {
    load_checkpoint(options.resume_path, run, best);
    result.epochs = run.position().epoch - 1;
  }
  ProgressCallback progress(options.on_batch, options.on_epoch);
  EarlyStopping early_stopping(options.patience, best);
  StopAtLoss stop_at_loss(options.stop_at_loss);
  EndAfterEpoch end_after_epoch(options.end_after_epoch);
  StopRequest stop_request(options.stop_requested);
  Checkpoints checkpoints(options.checkpoint_path, options.checkpoint_every, run, best);
  CallbackList callbacks{&progress, &early_stopping, &stop_at_loss, &end_after_epoch, &stop_request, &checkpoints};
  auto interrupted = [&] {
    checkpoints.write();
    const RunPosition<float>& at = run.position();
    throw TrainingInterrupted(
        (at.batch == 0 ? "training stopped before epoch " + std::to_string(at.epoch)
                       : "training stopped in epoch " + std::to_string(at.epoch) + " after batch " +
                             std::to_string(at.batch) + " of " + std::to_string(run.batches())) +
            (options.checkpoint_path.empty() ? "" : "; checkpoint written to " + options.checkpoint_path),
        at.epoch, at.batch);
  };

  for (std::size_t epoch = run.position().epoch; epoch <= options.epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    const bool stop = run_epoch(run, callbacks);
    if (stop && !run.epoch_finished()) interrupted();
    const double seconds = seconds_since(start);

    EpochReport report = report_epoch(run, loss, options, test, validation);
    report.seconds = seconds;
    report.l2_penalty = l2_penalty(model.parameters(), optimizer);
    report.l1_penalty = l1_penalty(model.parameters(), optimizer);
    report.learning_rate = optimizer.learning_rate();
    result.epochs = epoch;
    if (report.has_validation) report.best = keep_if_best(report.validation, epoch, model, best, options.best_by);
    if (callbacks.on_epoch(report)) {
      result.stopped_early = epoch < options.epochs;
      result.reached_loss = stop_at_loss.reached();
      break;
    }
    if (epoch == options.epochs) break;
    if (options.rate_after_epoch) {
      if (const std::optional<double> rate = options.rate_after_epoch(report)) run.set_base_rate(*rate);
    }
    // From here a resumed run starts the next epoch: a new order, drawn from the generator as it is now.
    run.begin_next_epoch();
    if (stop || callbacks.between_epochs(epoch + 1)) interrupted();
  }
  result.best_epoch = best.epoch;
  if (!validation.inputs.empty() && best.epoch > 0) copy<float>(best.weights.view(), model.parameters().values());
  return result;
}

}  // namespace bpnn
