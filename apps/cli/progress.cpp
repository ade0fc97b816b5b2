#include "progress.hpp"

#include <unistd.h>

#include <cstdio>

#include "bpnn/core/file.hpp"

namespace bpnn::cli {

ProgressPrinter::ProgressPrinter(std::size_t epochs) : epochs_(epochs), terminal_(isatty(STDERR_FILENO) == 1) {}

void ProgressPrinter::on_batch(const BatchReport& r) {
  if (!terminal_ || (r.seconds - last_draw_ < 0.1 && r.batch != r.batches)) return;
  last_draw_ = r.seconds;
  const int width = 30;
  const int filled = static_cast<int>(width * r.batch / r.batches);
  const double rate = r.seconds > 0 ? static_cast<double>(r.samples_seen) / r.seconds : 0.0;
  const double left = r.batch > 0 ? r.seconds * static_cast<double>(r.batches - r.batch) / static_cast<double>(r.batch) : 0.0;
  char accuracy[32] = "";
  if (r.accuracy >= 0) std::snprintf(accuracy, sizeof accuracy, "  accuracy %.4f", r.accuracy);
  std::fprintf(stderr, "\repoch %zu/%zu [%-*s] %5.1f%%  %8.0f samples/s  loss %.4f%s  %4.0fs left ", r.epoch, epochs_,
               width, std::string(static_cast<std::size_t>(filled), '=').c_str(),
               100.0 * static_cast<double>(r.batch) / static_cast<double>(r.batches), rate, r.loss, accuracy, left);
  std::fflush(stderr);
}

void ProgressPrinter::on_epoch(const EpochReport& r) {
  if (terminal_) std::fputs("\r\033[K", stderr);
  last_draw_ = -1.0;
  std::fprintf(stderr, "epoch %zu/%zu  loss %.4f", r.epoch, epochs_, r.train_loss);
  if (r.train_accuracy >= 0) std::fprintf(stderr, "  accuracy %.4f", r.train_accuracy);
  if (r.has_test) {
    std::fprintf(stderr, "  test loss %.4f", r.test.loss);
    if (r.test.classification) std::fprintf(stderr, "  test accuracy %.4f", r.test.accuracy);
  }
  if (r.has_validation) {
    std::fprintf(stderr, "  val loss %.4f", r.validation.loss);
    if (r.validation.classification) std::fprintf(stderr, "  val accuracy %.4f", r.validation.accuracy);
    if (r.best) std::fprintf(stderr, " (best)");
  }
  std::fprintf(stderr, "  %.2fs\n", r.seconds);
}

EpochLog::EpochLog(std::string path) : path_(std::move(path)) {
  csv_.row({"epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy", "val_loss", "val_accuracy", "seconds"});
}

void EpochLog::on_epoch(const EpochReport& r) {
  auto field = [](bool present, double value, const char* format = "%.6g") {
    char text[32] = "";
    if (present) std::snprintf(text, sizeof text, format, value);
    return std::string(text);
  };
  csv_.row({std::to_string(r.epoch), field(true, r.train_loss), field(r.train_accuracy >= 0, r.train_accuracy),
            field(r.has_test, r.test.loss), field(r.has_test && r.test.classification, r.test.accuracy),
            field(r.has_validation, r.validation.loss),
            field(r.has_validation && r.validation.classification, r.validation.accuracy), field(true, r.seconds, "%.4f")});
  write_file_atomically(path_, csv_.text());
}

}  // namespace bpnn::cli
