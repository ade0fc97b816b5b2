// A step call's stop condition (stop_condition.hpp).
#include "stop_condition.hpp"

#include <cstdio>

namespace bpnn::serve {

StopCondition read_stop(const Fields& step, bool has_test_set) {
  StopCondition stop;
  if (!step.has("stop")) return stop;
  const Fields f(step.raw("stop"), "stop.");
  f.only({"train_loss_below", "test_loss_below", "epochs"});
  if (f.has("train_loss_below")) stop.train_loss_below = f.number("train_loss_below", 0, 0, 1e6);
  if (f.has("test_loss_below")) {
    stop.test_loss_below = f.number("test_loss_below", 0, 0, 1e6);
    if (!has_test_set) refuse("field 'stop.test_loss_below': this data has no test set (a test share of 0)");
  }
  if (f.has("epochs")) stop.epochs = static_cast<std::size_t>(f.integer("epochs", 1, 1, 1000000));
  return stop;
}

std::string stop_reason(const StopCondition& stop, std::size_t epoch, std::size_t iteration,
                        const std::function<double(bool test)>& loss) {
  const std::string where = "epoch " + std::to_string(epoch) + " (iteration " + std::to_string(iteration) + ")";
  if (stop.epochs && epoch >= *stop.epochs) {
    return where + ": the stop condition's " + std::to_string(*stop.epochs) + " epochs are done";
  }
  for (const bool test : {false, true}) {
    const std::optional<double>& threshold = test ? stop.test_loss_below : stop.train_loss_below;
    if (!threshold) continue;
    const double value = loss(test);
    if (value < *threshold) {
      char text[96];
      std::snprintf(text, sizeof text, ": the %s loss %.6g is below %.6g", test ? "test" : "training", value,
                    *threshold);
      return where + text;
    }
  }
  return "";
}

}  // namespace bpnn::serve
