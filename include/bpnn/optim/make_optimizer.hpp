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

// An optimizer as a front end names it. An unset option takes the optimizer's default; a set one
// that the optimizer does not have is an error, so a user's setting is never silently ignored.
struct OptimizerSpec {
  std::string name = "sgd";  // "sgd", "momentum" (SGD with momentum), "adam", "adamw", "rmsprop"
  std::optional<double> learning_rate = std::nullopt;  // all; default 0.1 (sgd, momentum), 0.001 (adam,
                                                       // adamw), 0.01 (rmsprop)
  std::optional<double> momentum = std::nullopt;       // momentum (default 0.9), rmsprop (default 0)
  std::optional<bool> nesterov = std::nullopt;         // momentum; default false
  std::optional<double> weight_decay = std::nullopt;   // all; default 0, 0.01 for adamw (decoupled)
  std::optional<double> beta1 = std::nullopt;          // adam, adamw; default 0.9
  std::optional<double> beta2 = std::nullopt;          // adam, adamw; default 0.999
  std::optional<double> eps = std::nullopt;            // adam, adamw, rmsprop; default 1e-8
  std::optional<double> alpha = std::nullopt;          // rmsprop; default 0.99
  std::optional<bool> centered = std::nullopt;         // rmsprop; default false
};

// The optimizer spec names, with PyTorch's defaults where it has them (SGD, which has none, gets
// lr 0.1). Throws Error for an unknown name (listing the known ones), for an option the optimizer
// does not take (naming the ones it does), and for values the optimizer refuses.
// "rprop" takes learning_rate only (default 0.01: the initial step size; Rprop's etas and step
// bounds keep PyTorch's defaults, RpropOptions sets them).
template <class T>
std::unique_ptr<Optimizer<T>> make_optimizer(const OptimizerSpec& spec);

// The schedule "constant", "step" (StepLR: step_size default 1, gamma default 0.1) or "cosine"
// (CosineAnnealingLR). Throws Error for an unknown name, or step_size or gamma given with a
// schedule other than "step", or a step_size of 0.
LrSchedule make_schedule(std::string_view name, std::optional<std::size_t> step_size = std::nullopt,
                         std::optional<double> gamma = std::nullopt);

}  // namespace bpnn
