// Training progress for people and for files: a live bar on a terminal (plain epoch lines when
// stderr is not one), and the per-epoch CSV log.
#pragma once

#include <string>

#include "bpnn/io/csv.hpp"
#include "bpnn/train/fit.hpp"

namespace bpnn::cli {

class ProgressPrinter {
 public:
  explicit ProgressPrinter(std::size_t epochs);
  void on_batch(const BatchReport& report);
  void on_epoch(const EpochReport& report);

 private:
  std::size_t epochs_;
  bool terminal_;
  double last_draw_ = -1.0;
};

// The CSV log: the header epoch,train_loss,train_accuracy,test_loss,test_accuracy,val_loss,
// val_accuracy,seconds, then one row per epoch; a field is empty where there is no such value (no
// --test, no validation set, accuracy of regression). Rewritten atomically after every epoch, so the
// file on disk is always complete.
class EpochLog {
 public:
  explicit EpochLog(std::string path);
  void on_epoch(const EpochReport& report);

 private:
  std::string path_;
  CsvWriter csv_;
};

}  // namespace bpnn::cli
