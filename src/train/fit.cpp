#include "bpnn/train/fit.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <utility>
#include <vector>

#include "bpnn/core/error.hpp"
#include "bpnn/train/trainer.hpp"
#include "io/checkpoint.hpp"

namespace bpnn {
namespace {

// Copies the samples named by indices of source into batch (resized to fit).
void gather(TensorView<const float> source, std::span<const std::size_t> indices, Tensor<float>& batch) {
  const std::size_t row = source.sample_size();
  batch.resize(source.shape().without_batch().with_batch(indices.size()));
  for (std::size_t n = 0; n < indices.size(); ++n) {
    std::memcpy(batch.data() + n * row, source.data() + indices[n] * row, row * sizeof(float));
  }
}

bool consecutive(std::span<const std::size_t> indices) {
  for (std::size_t n = 1; n < indices.size(); ++n) {
    if (indices[n] != indices[n - 1] + 1) return false;
  }
  return true;
}

void check_pair(const char* what, TensorView<const float> inputs, TensorView<const float> targets) {
  if (inputs.shape().rank() == 0 || targets.shape().rank() == 0 || inputs.batch() != targets.batch()) {
    throw Error(std::string("fit: ") + what + " has " + inputs.shape().str() + " inputs but " +
                targets.shape().str() + " targets; their first dimensions must agree");
  }
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

BatchLoop::BatchLoop(Trainer<float>& trainer, Sequential<float>& model, TensorView<const float> inputs,
                     TensorView<const float> targets, const Sampler& sampler, Task task, BatchStep step)
    : trainer_(trainer),
      model_(model),
      inputs_(inputs),
      targets_(targets),
      sampler_(sampler),
      classification_(is_classification(targets, model.output_shape().numel(), task)),
      step_(std::move(step)) {}

bool BatchLoop::run(std::span<const std::size_t> order, FitPosition& at, FitCallback& callback) {
  const std::size_t batches = sampler_.batches();
  const std::size_t outputs = model_.output_shape().numel();
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t b = at.batch; b < batches; ++b) {
    const std::span<const std::size_t> indices = sampler_.batch(order, b);
    const std::size_t count = indices.size();
    float batch_loss = 0;
    std::size_t correct = 0;
    if (step_) {
      const BatchOutcome outcome = step_(indices);
      batch_loss = outcome.loss;
      correct = outcome.correct;
    } else {
      // A run of consecutive samples (every batch in file order) is a view, no copy.
      TensorView<const float> x = inputs_.samples(indices[0], count), t = targets_.samples(indices[0], count);
      if (!consecutive(indices)) {
        gather(inputs_, indices, batch_inputs_);
        gather(targets_, indices, batch_targets_);
        x = batch_inputs_.view();
        t = batch_targets_.view();
      }
      batch_loss = trainer_.step(x, t);
      if (classification_ && std::isfinite(batch_loss)) {
        // The model still holds this batch's outputs from before the update.
        TensorView<const float> y = model_.activation(model_.size() - 1);
        for (std::size_t n = 0; n < count; ++n) correct += argmax(y.data() + n * outputs, outputs) == target_class(t, n);
      }
    }
    if (!std::isfinite(batch_loss)) {
      if (at.last_good.size() > 0) copy<float>(at.last_good.view(), model_.parameters().values());
      throw TrainingDiverged("training diverged in epoch " + std::to_string(at.epoch) + ", batch " +
                                 std::to_string(b + 1) + " of " + std::to_string(batches) + ": the loss is " +
                                 (std::isnan(batch_loss) ? "NaN" : "infinite") +
                                 "; try a smaller learning rate, or clip the gradients (--max-grad-norm)",
                             at.epoch);
    }
    at.batch = b + 1;
    at.loss_sum += static_cast<double>(batch_loss) * static_cast<double>(count);
    at.seen += count;
    at.correct += correct;
    const double accuracy =
        classification_ ? static_cast<double>(at.correct) / static_cast<double>(at.seen) : -1.0;
    if (callback.on_batch({at.epoch, b + 1, batches, at.seen, at.loss_sum / static_cast<double>(at.seen), accuracy,
                           seconds_since(start)})) {
      return true;
    }
  }
  return false;
}

bool keep_if_best(const Evaluation& validation, std::size_t epoch, const Sequential<float>& model,
                  FitPosition& position) {
  if (position.best_epoch != 0 && !(validation.loss < position.best_loss)) return false;
  position.best_loss = validation.loss;
  position.best_epoch = epoch;
  position.best.resize(model.parameters().values().shape());
  copy<float>(model.parameters().values(), position.best.view());
  return true;
}

FitResult fit(Sequential<float>& model, const Loss<float>& loss, Optimizer<float>& optimizer,
              TensorView<const float> inputs, TensorView<const float> targets, Rng& rng, const FitOptions& options,
              HeldOut test, HeldOut validation) {
  check_pair("the training set", inputs, targets);
  const bool has_test = !test.inputs.empty(), has_validation = !validation.inputs.empty();
  if (has_test) check_pair("the test set", test.inputs, test.targets);
  if (has_validation) check_pair("the validation set", validation.inputs, validation.targets);

  const std::size_t N = inputs.batch();
  const Sampler sampler(N, options.batch_size, options.shuffle);
  const std::size_t batches = sampler.batches();
  const bool classification = is_classification(targets, model.output_shape().numel(), options.task);
  Trainer<float> trainer(model, loss, optimizer, {.max_grad_norm = options.max_grad_norm, .rng = &rng});
  BatchLoop batch_loop(trainer, model, inputs, targets, sampler, options.task, options.batch_step);
  const double base_rate = optimizer.learning_rate();
  FitResult result;
  // What a checkpoint holds: the sample order, this epoch's sums, the weights at its start (the last
  // good ones) and the best validation epoch's.
  FitPosition at;
  if (!options.resume_path.empty()) {
    at = load_checkpoint(options.resume_path, model, optimizer, rng);
    const bool order_fits = options.shuffle && at.batch > 0 ? at.order.size() == N : at.order.empty();
    if (!order_fits || std::any_of(at.order.begin(), at.order.end(), [&](std::size_t i) { return i >= N; }) ||
        at.batch > batches || at.seen > N) {
      throw Error(options.resume_path + ": the checkpoint's position does not fit " + std::to_string(N) +
                  " samples in batches of " + std::to_string(options.batch_size) +
                  (options.shuffle ? "" : " in file order") + "; resume with the command that wrote it");
    }
    result.epochs = at.epoch - 1;
  }
  ProgressCallback progress(options.on_batch, options.on_epoch);
  EarlyStopping early_stopping(options.patience, at);
  StopRequest stop_request(options.stop_requested);
  Checkpoints checkpoints(options.checkpoint_path, options.checkpoint_every, model, optimizer, rng, at);
  CallbackList callbacks{&progress, &early_stopping, &stop_request, &checkpoints};
  auto interrupted = [&] {
    checkpoints.write();
    throw TrainingInterrupted((at.batch == 0 ? "training stopped before epoch " + std::to_string(at.epoch)
                                              : "training stopped in epoch " + std::to_string(at.epoch) + " after batch " +
                                                    std::to_string(at.batch) + " of " + std::to_string(batches)) +
                                  (options.checkpoint_path.empty() ? "" : "; checkpoint written to " + options.checkpoint_path),
                              at.epoch, at.batch);
  };

  const std::size_t first_epoch = at.epoch;
  std::vector<std::size_t> order;
  for (std::size_t epoch = first_epoch; epoch <= options.epochs; ++epoch) {
    if (!(epoch == first_epoch && at.batch > 0)) {  // a fresh epoch, not one resumed part-way
      at.begin_epoch(epoch);
      order = sampler.order(epoch, rng);
      at.last_good.resize(model.parameters().values().shape());  // allocates in the first epoch only
      copy<float>(model.parameters().values(), at.last_good.view());
    } else {
      // A checkpoint holds a shuffled order; file order is drawn again, which draws nothing.
      order = sampler.shuffles() ? at.order : sampler.order(epoch, rng);
    }
    if (sampler.shuffles()) at.order = order;
    optimizer.set_learning_rate(options.schedule.rate(base_rate, epoch - 1, options.epochs));
    const auto start = std::chrono::steady_clock::now();
    const bool stop = batch_loop.run(order, at, callbacks);
    if (stop && at.batch < batches) interrupted();

    EpochReport report;
    report.epoch = epoch;
    report.seconds = seconds_since(start);
    report.train_loss = N > 0 ? at.loss_sum / static_cast<double>(N) : 0.0;
    report.train_accuracy = classification && N > 0 ? static_cast<double>(at.correct) / static_cast<double>(N) : -1.0;
    if (has_test) {
      report.has_test = true;
      report.test = evaluate(model, loss, test.inputs, test.targets, 256, options.task);
    }
    result.epochs = epoch;
    if (has_validation) {
      report.has_validation = true;
      report.validation = evaluate(model, loss, validation.inputs, validation.targets, 256, options.task);
      report.best = keep_if_best(report.validation, epoch, model, at);
    }
    if (callbacks.on_epoch(report)) {
      result.stopped_early = epoch < options.epochs;
      break;
    }
    if (epoch == options.epochs) break;
    // From here a resumed run starts the next epoch: a new order, drawn from the generator as it is now.
    at.begin_epoch(epoch + 1);
    if (stop || callbacks.between_epochs(epoch + 1)) interrupted();
  }
  result.best_epoch = at.best_epoch;
  if (has_validation && result.best_epoch > 0) copy<float>(at.best.view(), model.parameters().values());
  return result;
}

}  // namespace bpnn
