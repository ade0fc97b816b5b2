// A step call's stop condition (TF Playground's, FANN's desired error): a training or test loss
// below a threshold, as the readout shows it (the library's evaluate on the whole set), or a number
// of epochs done. Checked at epochs' ends.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "request.hpp"

namespace bpnn::serve {

struct StopCondition {
  std::optional<double> train_loss_below, test_loss_below;
  std::optional<std::size_t> epochs;
};

// The "stop" field of a step request ({"train_loss_below", "test_loss_below", "epochs"}), refused
// with a 400 where it asks for a test loss and the data has no test set.
StopCondition read_stop(const Fields& step, bool has_test_set);

// Why a run at this epoch and iteration stops ("" while the condition does not hold); loss(test)
// is the whole training (false) or test (true) set's loss, asked only for a threshold that is set.
std::string stop_reason(const StopCondition& stop, std::size_t epoch, std::size_t iteration,
                        const std::function<double(bool test)>& loss);

}  // namespace bpnn::serve
