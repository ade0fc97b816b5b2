#include "bpnn/train/training_run.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <utility>

namespace bpnn {
namespace {

// Copies the samples named by indices of source into batch (resized to fit).
template <class T>
void gather(TensorView<const T> source, std::span<const std::size_t> indices, Tensor<T>& batch) {
  const std::size_t row = source.sample_size();
  batch.resize(source.shape().without_batch().with_batch(indices.size()));
  for (std::size_t n = 0; n < indices.size(); ++n) {
    std::memcpy(batch.data() + n * row, source.data() + indices[n] * row, row * sizeof(T));
  }
}

bool consecutive(std::span<const std::size_t> indices) {
  for (std::size_t n = 1; n < indices.size(); ++n) {
    if (indices[n] != indices[n - 1] + 1) return false;
  }
  return true;
}

// N, once inputs and targets are checked to hold the same number of samples.
template <class T>
std::size_t checked_samples(TensorView<const T> inputs, TensorView<const T> targets) {
  if (inputs.shape().rank() == 0 || targets.shape().rank() == 0 || inputs.batch() != targets.batch()) {
    throw Error("training run: the training set has " + inputs.shape().str() + " inputs but " +
                targets.shape().str() + " targets; their first dimensions must agree");
  }
  return inputs.batch();
}

// The perceptron rule's model and data: dense + step, batches of one, 0/1 targets of its width.
template <class T>
void check_perceptron(const Sequential<T>& model, TensorView<const T> targets, const TrainingRunOptions& options) {
  if (model.size() != 2 || model.layer(0).kind() != "dense" || model.layer(1).kind() != "step") {
    std::string kinds;
    for (std::size_t i = 0; i < model.size(); ++i) kinds += (i ? ", " : "") + std::string(model.layer(i).kind());
    throw Error("the perceptron rule trains a dense layer followed by step; this model has " + kinds);
  }
  if (options.batch_size != 1) {
    throw Error("the perceptron rule takes one sample at a time: batch size 1, not " +
                std::to_string(options.batch_size));
  }
  const std::size_t units = model.output_shape().numel();
  if (targets.sample_size() != units) {
    throw Error("the perceptron rule: targets " + targets.shape().str() + " for " + std::to_string(units) +
                " outputs; give one 0/1 target per output");
  }
  for (const T t : targets.span()) {
    if (t != T(0) && t != T(1)) throw Error("the perceptron rule needs 0/1 targets, not " + std::to_string(t));
  }
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

template <class T>
TrainingRun<T>::TrainingRun(Sequential<T>& model, const Loss<T>& loss, Optimizer<T>& optimizer,
                            TensorView<const T> inputs, TensorView<const T> targets, Rng& rng,
                            TrainingRunOptions options)
    : model_(model),
      loss_(loss),
      optimizer_(optimizer),
      inputs_(inputs),
      targets_(targets),
      rng_(rng),
      options_(std::move(options)),
      sampler_(checked_samples(inputs, targets), options_.batch_size, options_.shuffle),
      trainer_(model, loss, optimizer, {.max_grad_norm = options_.max_grad_norm, .rng = &rng}),
      task_(resolve_task(targets, model.output_shape().numel(), options_.task)),
      base_rate_(optimizer.learning_rate()) {
  if (options_.rule == UpdateRule::perceptron) {
    check_perceptron(model, targets, options_);
    mark_not_reproducible("the perceptron rule: fit (bpnn train) has no such update");
    if (task_ == Task::regression) task_ = model.output_shape().numel() == 1 ? Task::classification : Task::multilabel;
  }
  if (sizeof(T) != sizeof(float)) mark_not_reproducible("a run in double: fit (bpnn train) trains in float");
}

template <class T>
void TrainingRun<T>::mark_not_reproducible(const std::string& reason) {
  if (why_not_.empty()) why_not_ = reason;  // the first cause is the one to undo
}

template <class T>
void TrainingRun<T>::set_base_rate(double rate) {
  if (!(rate > 0 && std::isfinite(rate))) {
    throw Error("training run: the learning rate must be a number > 0, got " + std::to_string(rate));
  }
  base_rate_ = rate;  // the optimizer gets it when the next epoch's first step is due (prepare_epoch)
}

template <class T>
void TrainingRun<T>::begin_next_epoch() {
  if (!epoch_finished()) return;
  ++position_.epoch;
  position_.batch = position_.seen = position_.correct = 0;
  position_.loss_sum = 0;
  position_.order.clear();
}

template <class T>
void TrainingRun<T>::restore(RunPosition<T> p) {
  const std::size_t N = sampler_.samples(), B = sampler_.batch_size(), batches = sampler_.batches();
  const bool order_fits = sampler_.shuffles() && p.batch > 0 ? p.order.size() == N : p.order.empty();
  const std::size_t expected_seen = p.batch == batches ? N : p.batch * B;
  if (p.epoch == 0 || !order_fits || p.batch > batches || p.seen != expected_seen ||
      std::any_of(p.order.begin(), p.order.end(), [&](std::size_t i) { return i >= N; }) ||
      (p.last_good.size() != 0 && p.last_good.size() != model_.parameters().values().size())) {
    throw Error("position (epoch " + std::to_string(p.epoch) + ", batch " + std::to_string(p.batch) +
                ") does not fit " + std::to_string(N) + " samples in batches of " + std::to_string(B) +
                (sampler_.shuffles() ? "" : " in file order"));
  }
  // File order is not stored: drawn again, it draws nothing.
  if (!sampler_.shuffles() && p.batch > 0) p.order = sampler_.order(p.epoch, rng_);
  p.iterations = (p.epoch - 1) * batches + p.batch;
  position_ = std::move(p);
  rate_epoch_ = 0;
  last_epoch_ = {};
  last_step_.samples.clear();
  converged_epoch_ = 0;
}

template <class T>
void TrainingRun<T>::prepare_epoch() {
  begin_next_epoch();
  RunPosition<T>& at = position_;
  if (at.seen == 0 && at.order.empty()) {  // its first step: the order fit would draw now
    at.order = sampler_.order(at.epoch, rng_);
    at.last_good.resize(model_.parameters().values().shape());  // allocates in the first epoch only
    copy<T>(model_.parameters().values(), at.last_good.view());
  }
  if (rate_epoch_ != at.epoch) {
    optimizer_.set_learning_rate(options_.schedule.rate(base_rate_, at.epoch - 1, options_.epochs, sampler_.samples()));
    rate_epoch_ = at.epoch;
  }
}

template <class T>
void TrainingRun<T>::gather_batch(std::span<const std::size_t> indices, Tensor<T>& inputs, Tensor<T>& targets) const {
  if (std::any_of(indices.begin(), indices.end(), [&](std::size_t i) { return i >= sampler_.samples(); })) {
    throw Error("training run: a batch names a sample beyond the training set's " +
                std::to_string(sampler_.samples()));
  }
  gather(inputs_, indices, inputs);
  gather(targets_, indices, targets);
}

template <class T>
T TrainingRun<T>::gradient_step(std::span<const std::size_t> indices, std::size_t& correct) {
  if (options_.batch_step) {
    const BatchOutcome outcome = options_.batch_step(indices);
    correct = outcome.correct;
    return static_cast<T>(outcome.loss);
  }
  // A run of consecutive samples (every batch in file order) is a view, no copy.
  const std::size_t count = indices.size();
  TensorView<const T> x = inputs_.samples(indices[0], count), t = targets_.samples(indices[0], count);
  if (!consecutive(indices)) {
    gather(inputs_, indices, batch_inputs_);
    gather(targets_, indices, batch_targets_);
    x = batch_inputs_.view();
    t = batch_targets_.view();
  }
  T loss = 0;
  if (options_.inspect) {
    // Asked at each step: a hook added or a tensor frozen since changes the answer.
    if (trainer_.fuses()) {
      mark_not_reproducible("inspected steps run the three stages apart, which may round otherwise than the fused "
                            "plain-SGD step fit takes");
    }
    loss = trainer_.compute_gradients(x, t);
    trainer_.run_gradient_hooks();
    trainer_.apply_update();
  } else {
    loss = trainer_.step(x, t);
  }
  // The model still holds this batch's outputs from before the update.
  if (task_ != Task::regression && std::isfinite(loss)) {
    correct = count_correct(model_.activation(model_.size() - 1), t, task_);
  }
  return loss;
}

template <class T>
T TrainingRun<T>::perceptron_step(std::size_t sample, std::size_t& correct) {
  const TensorView<const T> x = inputs_.samples(sample, 1);
  const TensorView<const T> t = targets_.samples(sample, 1).reshaped(Shape{1, targets_.sample_size()});
  const TensorView<const T> y = model_.forward(x);
  const T loss = loss_.forward(model_.backend(), y, t);
  // The dense layer's tensors: its weight [units, in], then its bias if it has one; a frozen one stays.
  ParameterStore<T>& p = model_.parameters();
  const TensorView<T> W = p.entry(0).frozen ? TensorView<T>() : p.value(std::size_t{0});
  const TensorView<T> b = p.count() < 2 || p.entry(1).frozen ? TensorView<T>() : p.value(std::size_t{1});
  const std::size_t units = y.size(), in = x.size();
  const T lr = static_cast<T>(optimizer_.learning_rate());
  bool mistake = false;
  for (std::size_t j = 0; j < units; ++j) {
    const T error = t[j] - y[j];  // -1, 0 or +1: the rule needs no derivative
    if (error == T(0)) continue;
    mistake = true;
    for (std::size_t i = 0; !W.empty() && i < in; ++i) W[j * in + i] += lr * error * x[i];
    if (!b.empty()) b[j] += lr * error;
  }
  correct = mistake ? 0 : 1;
  return loss;
}

template <class T>
void TrainingRun<T>::diverged(double loss) {
  if (position_.last_good.size() > 0) copy<T>(position_.last_good.view(), model_.parameters().values());
  throw TrainingDiverged("training diverged in epoch " + std::to_string(position_.epoch) + ", batch " +
                             std::to_string(position_.batch + 1) + " of " + std::to_string(sampler_.batches()) +
                             ": the loss is " + (std::isnan(loss) ? "NaN" : "infinite") +
                             "; try a smaller learning rate, or clip the gradients' norm",
                         position_.epoch);
}

template <class T>
void TrainingRun<T>::finish_epoch() {
  const RunPosition<T>& at = position_;
  last_epoch_ = {.epoch = at.epoch,
                 .samples = at.seen,
                 .loss = at.seen > 0 ? at.loss_sum / static_cast<double>(at.seen) : 0.0,
                 .correct = at.correct,
                 .accuracy = task_ == Task::regression || at.seen == 0
                                 ? -1.0
                                 : static_cast<double>(at.correct) / static_cast<double>(at.seen)};
  if (options_.rule == UpdateRule::perceptron && at.correct == at.seen && converged_epoch_ == 0) {
    converged_epoch_ = at.epoch;
  }
}

template <class T>
double TrainingRun<T>::step_over(std::size_t end) {
  RunPosition<T>& at = position_;
  const std::span<const std::size_t> indices = std::span<const std::size_t>(at.order).subspan(at.seen, end - at.seen);
  if (options_.inspect) {
    update_.resize(model_.parameters().values().shape());
    copy<T>(model_.parameters().values(), update_.view());
  }
  if (options_.keep_last_step) {  // kept only once the step is done: a failed step leaves none
    last_step_.samples.clear();
    last_step_.before.resize(model_.parameters().values().shape());
    copy<T>(model_.parameters().values(), last_step_.before.view());
    last_step_.rng = rng_;
    last_step_.learning_rate = optimizer_.learning_rate();
  }
  std::size_t correct = 0;
  const T loss = options_.rule == UpdateRule::perceptron ? perceptron_step(indices[0], correct)
                                                         : gradient_step(indices, correct);
  if (!std::isfinite(loss)) diverged(static_cast<double>(loss));
  if (options_.inspect) {  // after - before, in place of before
    const TensorView<const T> after = model_.parameters().values();
    for (std::size_t k = 0; k < update_.size(); ++k) update_[k] = after[k] - update_[k];
  }
  at.seen = end;
  at.batch = end == sampler_.samples() ? sampler_.batches() : end / sampler_.batch_size();
  at.loss_sum += static_cast<double>(loss) * static_cast<double>(indices.size());
  at.correct += correct;
  at.last_loss = static_cast<double>(loss);
  ++at.iterations;
  if (options_.keep_last_step) {
    last_step_.samples.assign(indices.begin(), indices.end());
    last_step_.iteration = at.iterations;
  }
  if (epoch_finished()) finish_epoch();
  return static_cast<double>(loss);
}

template <class T>
StepReport TrainingRun<T>::step(StepUnit unit) {
  const std::size_t N = sampler_.samples(), B = sampler_.batch_size();
  if (N == 0) throw Error("training run: the training set has no samples");
  prepare_epoch();
  StepReport report;
  do {
    const std::size_t first = position_.seen;
    // A sample step with batches of one is a batch step; otherwise it leaves fit's batches.
    if (unit == StepUnit::sample && B != 1) {
      mark_not_reproducible("a step of one sample with batches of " + std::to_string(B) +
                            " (fit, and bpnn train, take whole batches)");
    }
    const std::size_t end = unit == StepUnit::sample ? first + 1 : std::min((first / B + 1) * B, N);
    report.loss = step_over(end);
    report.samples += end - first;
    ++report.steps;
  } while (unit == StepUnit::epoch && !epoch_finished());
  report.epoch_finished = epoch_finished();
  return report;
}

template <class T>
BudgetReport TrainingRun<T>::run(const Budget& budget) {
  if (budget.count == 0 && !(budget.seconds > 0) && !budget.to_epoch_end && !budget.after_step) {
    throw Error("training run: a budget needs a limit (a count, seconds, the epoch's end or an after_step)");
  }
  const auto start = std::chrono::steady_clock::now();
  const StepUnit each = budget.unit == StepUnit::sample ? StepUnit::sample : StepUnit::batch;
  BudgetReport report;
  for (;;) {
    if (options_.rule == UpdateRule::perceptron && converged_epoch_ > 0) {
      report.reason = StopReason::converged;
      break;
    }
    const StepReport step = this->step(each);
    ++report.steps;
    report.loss = step.loss;
    if (budget.unit != StepUnit::epoch || step.epoch_finished) ++report.units;
    const bool asked = budget.after_step && budget.after_step(step);
    if (budget.count > 0 && report.units >= budget.count) {
      report.reason = StopReason::count;
    } else if (budget.to_epoch_end && step.epoch_finished) {
      report.reason = StopReason::epoch_end;
    } else if (asked) {
      report.reason = StopReason::asked;
    } else if (budget.seconds > 0 && seconds_since(start) > budget.seconds) {
      report.reason = StopReason::seconds;
    } else {
      continue;
    }
    break;
  }
  report.seconds = seconds_since(start);
  return report;
}

template class TrainingRun<float>;
template class TrainingRun<double>;

}  // namespace bpnn
