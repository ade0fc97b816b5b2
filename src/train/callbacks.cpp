#include "bpnn/train/callbacks.hpp"

#include "io/checkpoint.hpp"

namespace bpnn {

CallbackList::CallbackList(std::initializer_list<FitCallback*> callbacks) {
  for (FitCallback* c : callbacks) {
    if (c != nullptr) callbacks_.push_back(c);
  }
}

bool CallbackList::on_batch(const BatchReport& report) {
  bool stop = false;
  for (FitCallback* c : callbacks_) stop = c->on_batch(report) || stop;
  return stop;
}

bool CallbackList::on_epoch(const EpochReport& report) {
  bool end = false;
  for (FitCallback* c : callbacks_) end = c->on_epoch(report) || end;
  return end;
}

bool CallbackList::between_epochs(std::size_t next_epoch) {
  // The first stop wins, so a checkpoint due after it is not written twice.
  for (FitCallback* c : callbacks_) {
    if (c->between_epochs(next_epoch)) return true;
  }
  return false;
}

bool ProgressCallback::on_batch(const BatchReport& report) {
  if (on_batch_) on_batch_(report);
  return false;
}

bool ProgressCallback::on_epoch(const EpochReport& report) {
  if (on_epoch_) on_epoch_(report);
  return false;
}

bool StopRequest::on_batch(const BatchReport& report) {
  // The last batch's stop is asked for between epochs, after the epoch's evaluation.
  return report.batch < report.batches && requested_ && requested_();
}

bool StopRequest::between_epochs(std::size_t /*next_epoch*/) { return requested_ && requested_(); }

bool EarlyStopping::on_epoch(const EpochReport& report) {
  return report.has_validation && patience_ > 0 && report.epoch - best_.epoch >= patience_;
}

bool StopAtLoss::on_epoch(const EpochReport& report) {
  reached_ = loss_.has_value() && report.train_loss <= *loss_;
  return reached_;
}

void Checkpoints::write() const {
  if (!path_.empty()) save_checkpoint(path_, run_, best_);
}

bool Checkpoints::between_epochs(std::size_t next_epoch) {
  if (every_ > 0 && (next_epoch - 1) % every_ == 0) write();
  return false;
}

}  // namespace bpnn
