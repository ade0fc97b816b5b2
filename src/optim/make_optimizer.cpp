#include "bpnn/optim/make_optimizer.hpp"

#include <initializer_list>
#include <utility>
#include <vector>

#include "bpnn/core/error.hpp"
#include "bpnn/optim/adam.hpp"
#include "bpnn/optim/rmsprop.hpp"
#include "bpnn/optim/rprop.hpp"
#include "bpnn/optim/sgd.hpp"

namespace bpnn {
namespace {

std::string join(const std::vector<std::string_view>& names) {
  std::string text;
  for (std::string_view n : names) text += (text.empty() ? "" : ", ") + std::string(n);
  return text;
}

// Throws Error if spec sets an option outside `takes`. A new option field gets one line here.
void check_takes(const OptimizerSpec& spec, std::initializer_list<std::string_view> takes) {
  const std::pair<std::string_view, bool> given[] = {
      {"learning_rate", spec.learning_rate.has_value()}, {"momentum", spec.momentum.has_value()},
      {"nesterov", spec.nesterov.has_value()},           {"weight_decay", spec.weight_decay.has_value()},
      {"beta1", spec.beta1.has_value()},                 {"beta2", spec.beta2.has_value()},
      {"eps", spec.eps.has_value()},                     {"alpha", spec.alpha.has_value()},
      {"centered", spec.centered.has_value()}};
  for (const auto& [option, set] : given) {
    if (!set) continue;
    bool taken = false;
    for (std::string_view t : takes) taken = taken || t == option;
    if (!taken) {
      throw Error("optimizer '" + spec.name + "' has no " + std::string(option) + " option; it takes " +
                  join(std::vector<std::string_view>(takes)) +
                  (option == "momentum"                       ? " (momentum goes with 'momentum' and 'rmsprop')"
                   : option == "nesterov"                     ? " (nesterov goes with 'momentum')"
                   : option.starts_with("beta")               ? " (betas go with 'adam' and 'adamw')"
                   : option == "eps"                          ? " (eps goes with 'adam', 'adamw' and 'rmsprop')"
                   : option == "alpha" || option == "centered" ? " (alpha and centered go with 'rmsprop')"
                                                               : ""));
    }
  }
}

}  // namespace

template <class T>
std::unique_ptr<Optimizer<T>> make_optimizer(const OptimizerSpec& spec) {
  // Each branch records its names as it tests them, so an unknown name's error lists every branch:
  // adding an optimizer is one more `if` here.
  std::vector<std::string_view> known;
  auto is = [&](std::string_view name) {
    known.push_back(name);
    return spec.name == name;
  };
  if (is("sgd")) {
    check_takes(spec, {"learning_rate", "weight_decay"});
    return std::make_unique<Sgd<T>>(
        SgdOptions{.learning_rate = spec.learning_rate.value_or(0.1), .weight_decay = spec.weight_decay.value_or(0.0)});
  }
  if (is("momentum")) {
    check_takes(spec, {"learning_rate", "momentum", "nesterov", "weight_decay"});
    return std::make_unique<Sgd<T>>(SgdOptions{.learning_rate = spec.learning_rate.value_or(0.1),
                                               .momentum = spec.momentum.value_or(0.9),
                                               .nesterov = spec.nesterov.value_or(false),
                                               .weight_decay = spec.weight_decay.value_or(0.0)});
  }
  const bool adam = is("adam");
  if (adam || is("adamw")) {
    check_takes(spec, {"learning_rate", "beta1", "beta2", "eps", "weight_decay"});
    return std::make_unique<Adam<T>>(AdamOptions{.learning_rate = spec.learning_rate.value_or(0.001),
                                                 .beta1 = spec.beta1.value_or(0.9),
                                                 .beta2 = spec.beta2.value_or(0.999),
                                                 .eps = spec.eps.value_or(1e-8),
                                                 .weight_decay = spec.weight_decay.value_or(adam ? 0.0 : 0.01),
                                                 .decoupled_weight_decay = !adam});
  }
  if (is("rmsprop")) {
    check_takes(spec, {"learning_rate", "alpha", "eps", "weight_decay", "momentum", "centered"});
    return std::make_unique<Rmsprop<T>>(RmspropOptions{.learning_rate = spec.learning_rate.value_or(0.01),
                                                       .alpha = spec.alpha.value_or(0.99),
                                                       .eps = spec.eps.value_or(1e-8),
                                                       .weight_decay = spec.weight_decay.value_or(0.0),
                                                       .momentum = spec.momentum.value_or(0.0),
                                                       .centered = spec.centered.value_or(false)});
  }
  if (is("rprop")) {
    // PyTorch's Rprop has no weight decay; its etas and step bounds keep PyTorch's defaults here
    // (RpropOptions sets them from C++).
    check_takes(spec, {"learning_rate"});
    return std::make_unique<Rprop<T>>(RpropOptions{.learning_rate = spec.learning_rate.value_or(0.01)});
  }
  throw Error("unknown optimizer '" + spec.name + "'; known: " + join(known));
}

template std::unique_ptr<Optimizer<float>> make_optimizer<float>(const OptimizerSpec&);
template std::unique_ptr<Optimizer<double>> make_optimizer<double>(const OptimizerSpec&);

LrSchedule make_schedule(std::string_view name, std::optional<std::size_t> step_size, std::optional<double> gamma) {
  LrSchedule schedule;
  if (name == "step") {
    schedule.kind = LrSchedule::Kind::step;
    schedule.step_size = step_size.value_or(schedule.step_size);
    schedule.gamma = gamma.value_or(schedule.gamma);
    if (schedule.step_size == 0) throw Error("lr schedule 'step': step_size must be at least 1");
    return schedule;
  }
  if (name != "constant" && name != "cosine") {
    throw Error("unknown lr schedule '" + std::string(name) + "'; known: constant, step, cosine");
  }
  if (step_size || gamma) {
    throw Error("lr schedule '" + std::string(name) + "' takes no " + (step_size ? "step_size" : "gamma") +
                "; step_size and gamma go with the 'step' schedule");
  }
  schedule.kind = name == "cosine" ? LrSchedule::Kind::cosine : LrSchedule::Kind::constant;
  return schedule;
}

}  // namespace bpnn
