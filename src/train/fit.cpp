#include "bpnn/train/fit.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <numeric>
#include <vector>

#include "bpnn/core/error.hpp"
#include "bpnn/train/trainer.hpp"
#include "train/checkpoint.hpp"

namespace bpnn {
namespace {

// Copies the samples named by order[first .. first + count) of source into batch (resized to fit).
void gather(TensorView<const float> source, const std::vector<std::size_t>& order, std::size_t first,
            std::size_t count, Tensor<float>& batch) {
  const std::size_t row = source.sample_size();
  batch.resize(source.shape().without_batch().with_batch(count));
  for (std::size_t n = 0; n < count; ++n) {
    std::memcpy(batch.data() + n * row, source.data() + order[first + n] * row, row * sizeof(float));
  }
}

void check_pair(const char* what, TensorView<const float> inputs, TensorView<const float> targets) {
  if (inputs.shape().rank() == 0 || targets.shape().rank() == 0 || inputs.batch() != targets.batch()) {
    throw Error(std::string("fit: ") + what + " has " + inputs.shape().str() + " inputs but " +
                targets.shape().str() + " targets; their first dimensions must agree");
  }
}

}  // namespace

FitResult fit(Sequential<float>& model, const Loss<float>& loss, Optimizer<float>& optimizer,
              TensorView<const float> inputs, TensorView<const float> targets, Rng& rng, const FitOptions& options,
              HeldOut test, HeldOut validation) {
  check_pair("the training set", inputs, targets);
  const bool has_test = !test.inputs.empty(), has_validation = !validation.inputs.empty();
  if (has_test) check_pair("the test set", test.inputs, test.targets);
  if (has_validation) check_pair("the validation set", validation.inputs, validation.targets);
  if (options.batch_size == 0) throw Error("fit: batch size must be at least 1");

  const std::size_t N = inputs.batch();
  const std::size_t batches = (N + options.batch_size - 1) / options.batch_size;
  const std::size_t outputs = model.output_shape().numel();
  const bool classification = is_classification(targets, outputs);
  Trainer<float> trainer(model, loss, optimizer, {.max_grad_norm = options.max_grad_norm, .rng = &rng});
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
    result.best_epoch = at.best_epoch;
    result.epochs = at.epoch - 1;
  }
  const std::size_t first_epoch = at.epoch;
  auto write_checkpoint = [&] {
    if (!options.checkpoint_path.empty()) save_checkpoint(options.checkpoint_path, model, optimizer, rng, at);
  };
  auto interrupted = [&] {
    write_checkpoint();
    throw TrainingInterrupted((at.batch == 0 ? "training stopped before epoch " + std::to_string(at.epoch)
                                              : "training stopped in epoch " + std::to_string(at.epoch) + " after batch " +
                                                    std::to_string(at.batch) + " of " + std::to_string(batches)) +
                                  (options.checkpoint_path.empty() ? "" : "; checkpoint written to " + options.checkpoint_path),
                              at.epoch, at.batch);
  };
  Tensor<float> batch_inputs, batch_targets;

  for (std::size_t epoch = first_epoch; epoch <= options.epochs; ++epoch) {
    if (!(epoch == first_epoch && at.batch > 0)) {  // a fresh epoch, not one resumed part-way
      at.begin_epoch(epoch);
      if (options.shuffle) {
        at.order.resize(N);
        std::iota(at.order.begin(), at.order.end(), std::size_t{0});
        // Fisher-Yates from the back, drawing from the caller's generator.
        for (std::size_t i = N; i > 1; --i) std::swap(at.order[i - 1], at.order[rng.below(i)]);
      }
      at.last_good.resize(model.parameters().values().shape());  // allocates in the first epoch only
      copy<float>(model.parameters().values(), at.last_good.view());
    }
    optimizer.set_learning_rate(options.schedule.rate(base_rate, epoch - 1, options.epochs));
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t b = at.batch; b < batches; ++b) {
      const std::size_t first = b * options.batch_size;
      const std::size_t count = std::min(options.batch_size, N - first);
      // In file order a batch is a run of consecutive samples: a view, no copy.
      TensorView<const float> x = inputs.samples(first, count), t = targets.samples(first, count);
      if (options.shuffle) {
        gather(inputs, at.order, first, count, batch_inputs);
        gather(targets, at.order, first, count, batch_targets);
        x = batch_inputs.view();
        t = batch_targets.view();
      }
      const float batch_loss = trainer.step(x, t);
      if (!std::isfinite(batch_loss)) {
        copy<float>(at.last_good.view(), model.parameters().values());
        throw TrainingDiverged("training diverged in epoch " + std::to_string(epoch) + ", batch " +
                                   std::to_string(b + 1) + " of " + std::to_string(batches) + ": the loss is " +
                                   (std::isnan(batch_loss) ? "NaN" : "infinite") +
                                   "; try a smaller learning rate, or clip the gradients (--max-grad-norm)",
                               epoch);
      }
      at.batch = b + 1;
      at.loss_sum += static_cast<double>(batch_loss) * static_cast<double>(count);
      at.seen += count;
      if (classification) {
        // The model still holds this batch's outputs from before the update.
        TensorView<const float> y = model.activation(model.size() - 1);
        for (std::size_t n = 0; n < count; ++n) {
          at.correct += argmax(y.data() + n * outputs, outputs) == target_class(t, n);
        }
      }
      if (options.on_batch) {
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const double accuracy = classification ? static_cast<double>(at.correct) / static_cast<double>(at.seen) : -1.0;
        options.on_batch({epoch, b + 1, batches, at.seen, at.loss_sum / static_cast<double>(at.seen), accuracy, seconds});
      }
      // The last batch's stop is taken after the epoch's evaluation, below.
      if (b + 1 < batches && options.stop_requested && options.stop_requested()) interrupted();
    }
    EpochReport report;
    report.epoch = epoch;
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    report.train_loss = N > 0 ? at.loss_sum / static_cast<double>(N) : 0.0;
    report.train_accuracy = classification && N > 0 ? static_cast<double>(at.correct) / static_cast<double>(N) : -1.0;
    if (has_test) {
      report.has_test = true;
      report.test = evaluate(model, loss, test.inputs, test.targets);
    }
    result.epochs = epoch;
    if (has_validation) {
      report.has_validation = true;
      report.validation = evaluate(model, loss, validation.inputs, validation.targets);
      report.best = result.best_epoch == 0 || report.validation.loss < at.best_loss;
      if (report.best) {
        at.best_loss = report.validation.loss;
        at.best_epoch = result.best_epoch = epoch;
        at.best.resize(model.parameters().values().shape());
        copy<float>(model.parameters().values(), at.best.view());
      }
    }
    if (options.on_epoch) options.on_epoch(report);
    if (has_validation && options.patience > 0 && epoch - result.best_epoch >= options.patience) {
      result.stopped_early = epoch < options.epochs;
      break;
    }
    if (epoch == options.epochs) break;
    // From here a resumed run starts the next epoch: a new order, drawn from the generator as it is now.
    at.begin_epoch(epoch + 1);
    if (options.stop_requested && options.stop_requested()) interrupted();
    if (options.checkpoint_every > 0 && epoch % options.checkpoint_every == 0) write_checkpoint();
  }
  if (has_validation && result.best_epoch > 0) copy<float>(at.best.view(), model.parameters().values());
  return result;
}

}  // namespace bpnn
