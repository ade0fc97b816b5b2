// The one factory from an optimizer's name and options to its class, and from a learning-rate
// schedule's name to an LrSchedule: what the command line, the playground and Python all call.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "bpnn/optim/optimizer.hpp"
#include "bpnn/optim/schedule.hpp"

namespace bpnn {

// An optimizer as a front end names it: a name of the registry's optimizer table and its options
// (which optimizer takes which, and the defaults: `bpnn registry`, optimizer_registry()). An unset
// option takes the optimizer's default; a set one that the optimizer does not have is an error, so
// a user's setting is never silently ignored.
struct OptimizerSpec {
  std::string name = "sgd";
  std::optional<double> learning_rate = std::nullopt;
  std::optional<double> momentum = std::nullopt;
  std::optional<bool> nesterov = std::nullopt;
  std::optional<double> weight_decay = std::nullopt;
  std::optional<double> beta1 = std::nullopt;
  std::optional<double> beta2 = std::nullopt;
  std::optional<double> eps = std::nullopt;
  std::optional<double> alpha = std::nullopt;
  std::optional<bool> centered = std::nullopt;
  std::optional<double> lr_decay = std::nullopt;
  std::optional<double> initial_accumulator_value = std::nullopt;
  std::optional<double> l1 = std::nullopt;  // L1 penalty: l1 sign(p) added to each gradient

  // Sets the option of that registry name (a flag: value != 0), for front ends that read the
  // registry's names; throws Error for a name that is no option of any optimizer.
  void set(std::string_view option, double value);
};

// The optimizer spec names, with PyTorch's defaults where it has them (SGD, which has none, gets
// lr 0.1). Throws Error for an unknown name (listing the known ones), for an option the optimizer
// does not take (naming the ones it does), and for values the optimizer refuses.
// "rprop" takes learning_rate only (default 0.01: the initial step size; Rprop's etas and step
// bounds keep PyTorch's defaults, RpropOptions sets them).
template <class T>
std::unique_ptr<Optimizer<T>> make_optimizer(const OptimizerSpec& spec);

// The schedule "constant", "step" (StepLR: step_size default 1, gamma default 0.1), "cosine"
// (CosineAnnealingLR) or "invscaling" (scikit-learn's: power default 0.5). Throws Error for an
// unknown name, an option given with a schedule that does not take it (step_size or gamma but
// "step", power but "invscaling"), a step_size of 0 or a power below 0.
LrSchedule make_schedule(std::string_view name, std::optional<std::size_t> step_size = std::nullopt,
                         std::optional<double> gamma = std::nullopt, std::optional<double> power = std::nullopt);

}  // namespace bpnn
