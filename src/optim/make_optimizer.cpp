// The factories from an optimizer's or a schedule's name to its class, and the registry's tables
// of optimizers and schedules they read: each row names the options it takes, with its defaults
// (PyTorch's, where PyTorch has them), and builds from them.
#include "bpnn/optim/make_optimizer.hpp"

#include <string>
#include <vector>

#include "bpnn/core/error.hpp"
#include "bpnn/model/registry.hpp"
#include "bpnn/optim/adagrad.hpp"
#include "bpnn/optim/adam.hpp"
#include "bpnn/optim/rmsprop.hpp"
#include "bpnn/optim/rprop.hpp"
#include "bpnn/optim/sgd.hpp"

namespace bpnn {
namespace {

// OptimizerSpec's options by name: a new option is a field there and a line here.
struct SpecField {
  std::string_view name;
  std::optional<double> OptimizerSpec::*number = nullptr;
  std::optional<bool> OptimizerSpec::*flag = nullptr;
};
constexpr SpecField spec_fields[] = {
    {"learning_rate", &OptimizerSpec::learning_rate}, {"momentum", &OptimizerSpec::momentum},
    {"nesterov", nullptr, &OptimizerSpec::nesterov},  {"weight_decay", &OptimizerSpec::weight_decay},
    {"beta1", &OptimizerSpec::beta1},                 {"beta2", &OptimizerSpec::beta2},
    {"eps", &OptimizerSpec::eps},                     {"alpha", &OptimizerSpec::alpha},
    {"centered", nullptr, &OptimizerSpec::centered},  {"lr_decay", &OptimizerSpec::lr_decay},
    {"initial_accumulator_value", &OptimizerSpec::initial_accumulator_value}, {"l1", &OptimizerSpec::l1}};

// A spec's options as one optimizer takes them: each given one, or the optimizer's default.
class Values {
 public:
  Values(const OptimizerSpec& spec, const OptimizerKind& kind) : spec_(spec), kind_(kind) {}
  double number(std::string_view name) const { return (spec_.*field(name).number).value_or(fallback(name)); }
  bool flag(std::string_view name) const { return (spec_.*field(name).flag).value_or(fallback(name) != 0); }

 private:
  static const SpecField& field(std::string_view name) {
    for (const SpecField& f : spec_fields) {
      if (f.name == name) return f;
    }
    throw Error("OptimizerSpec has no option '" + std::string(name) + "'");
  }
  // The optimizer's default; 0 (false) for an option it does not take (plain SGD's momentum).
  double fallback(std::string_view name) const {
    for (const Option& o : kind_.options) {
      if (o.name == name) return o.default_value;
    }
    return 0;
  }
  const OptimizerSpec& spec_;
  const OptimizerKind& kind_;
};

template <class T>
using OptimizerBuilder = std::unique_ptr<Optimizer<T>> (*)(const Values& values);
struct OptimizerRow {
  OptimizerKind kind;
  OptimizerBuilder<float> f;
  OptimizerBuilder<double> d;
};

template <class T>
struct Build {
  static std::unique_ptr<Optimizer<T>> sgd(const Values& v) {
    return std::make_unique<Sgd<T>>(SgdOptions{.learning_rate = v.number("learning_rate"),
                                               .momentum = v.number("momentum"),
                                               .nesterov = v.flag("nesterov"),
                                               .weight_decay = v.number("weight_decay"),
                                               .l1 = v.number("l1")});
  }
  static std::unique_ptr<Optimizer<T>> adam(const Values& v, bool decoupled) {
    return std::make_unique<Adam<T>>(AdamOptions{.learning_rate = v.number("learning_rate"),
                                                 .beta1 = v.number("beta1"),
                                                 .beta2 = v.number("beta2"),
                                                 .eps = v.number("eps"),
                                                 .weight_decay = v.number("weight_decay"),
                                                 .decoupled_weight_decay = decoupled,
                                                 .l1 = v.number("l1")});
  }
  static std::unique_ptr<Optimizer<T>> adam_l2(const Values& v) { return adam(v, false); }
  static std::unique_ptr<Optimizer<T>> adamw(const Values& v) { return adam(v, true); }
  static std::unique_ptr<Optimizer<T>> rmsprop(const Values& v) {
    return std::make_unique<Rmsprop<T>>(RmspropOptions{.learning_rate = v.number("learning_rate"),
                                                       .alpha = v.number("alpha"),
                                                       .eps = v.number("eps"),
                                                       .weight_decay = v.number("weight_decay"),
                                                       .momentum = v.number("momentum"),
                                                       .centered = v.flag("centered"),
                                                       .l1 = v.number("l1")});
  }
  static std::unique_ptr<Optimizer<T>> adagrad(const Values& v) {
    return std::make_unique<Adagrad<T>>(
        AdagradOptions{.learning_rate = v.number("learning_rate"),
                       .lr_decay = v.number("lr_decay"),
                       .weight_decay = v.number("weight_decay"),
                       .initial_accumulator_value = v.number("initial_accumulator_value"),
                       .eps = v.number("eps"),
                       .l1 = v.number("l1")});
  }
  // PyTorch's Rprop has no weight decay; its etas and step bounds keep PyTorch's defaults here
  // (RpropOptions sets them from C++).
  static std::unique_ptr<Optimizer<T>> rprop(const Values& v) {
    return std::make_unique<Rprop<T>>(RpropOptions{.learning_rate = v.number("learning_rate")});
  }
};

Option learning_rate(double default_value, std::string_view meaning = "the learning rate") {
  return {.name = "learning_rate", .default_value = default_value, .low = 0, .low_open = true, .meaning = meaning};
}
Option weight_decay(double default_value = 0,
                    std::string_view meaning = "L2 penalty: adds weight_decay p to each gradient") {
  return {.name = "weight_decay", .default_value = default_value, .low = 0, .meaning = meaning};
}
// bpnn's L1 term, on the tensors weight decay takes (PyTorch's optimizers have none).
Option l1() {
  return {.name = "l1", .default_value = 0, .low = 0, .meaning = "L1 penalty: adds l1 sign(p) to each gradient"};
}
Option number(std::string_view name, double default_value, std::string_view meaning) {
  return {.name = name, .default_value = default_value, .meaning = meaning};
}
Option momentum(double default_value, std::string_view meaning) {
  return {.name = "momentum", .default_value = default_value, .low = 0, .meaning = meaning};
}
Option flag(std::string_view name, std::string_view meaning) {
  return {.name = name, .type = OptionType::flag, .default_value = 0, .meaning = meaning};
}

const std::vector<OptimizerRow>& optimizer_rows() {
  const Option beta1 = number("beta1", 0.9, "decay of the mean of g");
  const Option beta2 = number("beta2", 0.999, "decay of the mean of g^2");
  const Option eps = number("eps", 1e-8, "added to the root of the second moment");
  static const std::vector<OptimizerRow> rows = {
      {{"sgd", "plain SGD: p -= lr g (PyTorch's SGD; lr 0.1 here, PyTorch has no default)",
        {learning_rate(0.1), weight_decay(), l1()}, false, "SGD"},
       &Build<float>::sgd, &Build<double>::sgd},
      {{"momentum", "SGD with momentum: b = momentum b + g, p -= lr b (PyTorch's SGD)",
        {learning_rate(0.1), momentum(0.9, "the momentum"),
         flag("nesterov", "Nesterov momentum: p -= lr (g + momentum b)"), weight_decay(), l1()}, false, "SGD"},
       &Build<float>::sgd, &Build<double>::sgd},
      {{"adam", "Adam (PyTorch's), weight decay as an L2 term",
        {learning_rate(0.001), beta1, beta2, eps, weight_decay(), l1()}, false, "Adam"},
       &Build<float>::adam_l2, &Build<double>::adam_l2},
      {{"adamw", "AdamW (PyTorch's): Adam with decoupled weight decay",
        {learning_rate(0.001), beta1, beta2, eps, weight_decay(0.01, "decoupled: p *= 1 - lr weight_decay"), l1()},
        false, "AdamW"},
       &Build<float>::adamw, &Build<double>::adamw},
      {{"rmsprop", "RMSprop (PyTorch's)",
        {learning_rate(0.01), number("alpha", 0.99, "decay of the running mean of g^2"),
         number("eps", 1e-8, "added to the root"), weight_decay(), momentum(0, "the momentum (0: none)"),
         flag("centered", "divide by an estimate of the variance"), l1()}, false, "RMSprop"},
       &Build<float>::rmsprop, &Build<double>::rmsprop},
      {{"adagrad", "Adagrad (PyTorch's): each step divided by the root of the sum of its squared gradients",
        {learning_rate(0.01),
         {.name = "lr_decay", .default_value = 0, .low = 0, .meaning = "step t's rate is lr / (1 + (t - 1) lr_decay)"},
         weight_decay(),
         {.name = "initial_accumulator_value", .default_value = 0, .low = 0, .meaning = "where each sum of g^2 starts"},
         number("eps", 1e-10, "added to the root"), l1()},
        false, "Adagrad"},
       &Build<float>::adagrad, &Build<double>::adagrad},
      {{"rprop", "iRPROP- (PyTorch's Rprop, FANN's default): full batch, steps by the gradient's sign",
        {learning_rate(0.01, "the initial step size")}, /*full_batch=*/true, "Rprop"},
       &Build<float>::rprop, &Build<double>::rprop},
  };
  return rows;
}

// Throws Error if spec sets an option the optimizer does not take, naming those that do.
void check_takes(const OptimizerSpec& spec, const OptimizerKind& kind) {
  for (const SpecField& f : spec_fields) {
    const bool set = f.number ? (spec.*f.number).has_value() : (spec.*f.flag).has_value();
    if (!set) continue;
    bool taken = false;
    for (const Option& o : kind.options) taken = taken || o.name == f.name;
    if (taken) continue;
    std::vector<std::string> quoted;
    for (const OptimizerKind& other : optimizer_registry()) {
      for (const Option& o : other.options) {
        if (o.name == f.name) quoted.emplace_back("'").append(other.name).append("'");
      }
    }
    std::vector<std::string_view> takers(quoted.begin(), quoted.end());
    const std::string with = name_list(takers, "and");
    throw Error("optimizer '" + spec.name + "' has no " + std::string(f.name) + " option; it takes " +
                name_list(names_of(kind.options), ",") + " (" + std::string(f.name) + " goes with " + with + ")");
  }
}

struct ScheduleRow {
  ScheduleKind kind;
  LrSchedule::Kind schedule;
};
const std::vector<ScheduleRow>& schedule_rows() {
  static const std::vector<ScheduleRow> rows = {
      {{"constant", "the same rate every epoch", {}}, LrSchedule::Kind::constant},
      {{"step", "StepLR: the rate times gamma every step_size epochs",
        {{.name = "step_size", .type = OptionType::integer, .default_value = 1, .low = 1,
          .meaning = "epochs between two multiplications"},
         {.name = "gamma", .default_value = 0.1, .meaning = "the factor"}}},
       LrSchedule::Kind::step},
      {{"cosine", "CosineAnnealingLR: from the rate down to 0 along half a cosine over the epochs", {}},
       LrSchedule::Kind::cosine},
      {{"invscaling", "scikit-learn's MLP invscaling: the rate over (1 + t)^power, t the samples seen before the epoch",
        {{.name = "power", .default_value = 0.5, .low = 0, .meaning = "the exponent (scikit-learn's power_t)"}}},
       LrSchedule::Kind::inverse_scaling},
  };
  return rows;
}

}  // namespace

void OptimizerSpec::set(std::string_view option, double value) {
  for (const SpecField& f : spec_fields) {
    if (f.name != option) continue;
    if (f.number) this->*f.number = value;
    if (f.flag) this->*f.flag = value != 0;
    return;
  }
  throw Error("no optimizer has an option '" + std::string(option) + "'");
}

const std::vector<OptimizerKind>& optimizer_registry() {
  static const std::vector<OptimizerKind> kinds = [] {
    std::vector<OptimizerKind> all;
    for (const OptimizerRow& row : optimizer_rows()) all.push_back(row.kind);
    return all;
  }();
  return kinds;
}

const std::vector<ScheduleKind>& schedule_registry() {
  static const std::vector<ScheduleKind> kinds = [] {
    std::vector<ScheduleKind> all;
    for (const ScheduleRow& row : schedule_rows()) all.push_back(row.kind);
    return all;
  }();
  return kinds;
}

template <class T>
std::unique_ptr<Optimizer<T>> make_optimizer(const OptimizerSpec& spec) {
  for (const OptimizerRow& row : optimizer_rows()) {
    if (row.kind.name != spec.name) continue;
    check_takes(spec, row.kind);
    const Values values(spec, row.kind);
    if constexpr (std::is_same_v<T, float>) {
      return row.f(values);
    } else {
      return row.d(values);
    }
  }
  throw Error("unknown optimizer '" + spec.name + "'; known: " + name_list(names_of(optimizer_registry()), ","));
}

template std::unique_ptr<Optimizer<float>> make_optimizer<float>(const OptimizerSpec&);
template std::unique_ptr<Optimizer<double>> make_optimizer<double>(const OptimizerSpec&);

namespace {
const Option* find_option(const ScheduleKind& kind, std::string_view name) {
  for (const Option& o : kind.options) {
    if (o.name == name) return &o;
  }
  return nullptr;
}
}  // namespace

LrSchedule make_schedule(std::string_view name, std::optional<std::size_t> step_size, std::optional<double> gamma,
                         std::optional<double> power) {
  const ScheduleRow* row = nullptr;
  for (const ScheduleRow& r : schedule_rows()) row = r.kind.name == name ? &r : row;
  if (row == nullptr) {
    throw Error("unknown lr schedule '" + std::string(name) + "'; known: " +
                name_list(names_of(schedule_registry()), ","));
  }
  const std::pair<std::string_view, bool> given[] = {
      {"step_size", step_size.has_value()}, {"gamma", gamma.has_value()}, {"power", power.has_value()}};
  for (const auto& [option, set] : given) {
    if (!set || find_option(row->kind, option)) continue;
    std::vector<std::string_view> takers;
    for (const ScheduleKind& other : schedule_registry()) {
      if (find_option(other, option)) takers.push_back(other.name);
    }
    throw Error("lr schedule '" + std::string(name) + "' takes no " + std::string(option) + "; " + std::string(option) +
                " goes with the schedule " + name_list(takers));
  }
  LrSchedule schedule;
  schedule.kind = row->schedule;
  if (const Option* o = find_option(row->kind, "step_size")) {
    schedule.step_size = step_size.value_or(static_cast<std::size_t>(o->default_value));
  }
  if (const Option* o = find_option(row->kind, "gamma")) schedule.gamma = gamma.value_or(o->default_value);
  if (const Option* o = find_option(row->kind, "power")) schedule.power = power.value_or(o->default_value);
  if (!(schedule.power >= 0)) {
    throw Error("lr schedule '" + std::string(name) + "': power must be >= 0, got " + std::to_string(schedule.power));
  }
  if (schedule.step_size == 0) throw Error("lr schedule '" + std::string(name) + "': step_size must be at least 1");
  return schedule;
}

}  // namespace bpnn
