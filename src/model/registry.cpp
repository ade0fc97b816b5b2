// What the registry's tables share: how an option's rule and default read, name lists, and the
// whole registry as JSON for the front ends that ask for it at run time.
#include "bpnn/model/registry.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

#include "bpnn/core/error.hpp"
#include "bpnn/layers/activation.hpp"
#include "bpnn/core/number_text.hpp"

namespace bpnn {
namespace {

using json = nlohmann::ordered_json;

json option_json(const Option& o) {
  static const char* const types[] = {"integer", "number", "flag", "initializer"};
  json j = {{"name", o.name}, {"type", types[static_cast<int>(o.type)]}, {"required", o.required}};
  if (o.type == OptionType::flag) {
    j["default"] = o.default_value != 0;
  } else if (o.type != OptionType::initializer && !o.required) {
    j["default"] = o.default_value;
  } else {
    j["default"] = nullptr;
  }
  j["rule"] = option_rule(o);
  j["meaning"] = o.meaning;
  return j;
}

template <class Row>
json options_json(const Row& row) {
  json options = json::array();
  for (const Option& o : row.options) options.push_back(option_json(o));
  return options;
}

}  // namespace

std::string option_rule(const Option& o) {
  const double inf = std::numeric_limits<double>::infinity();
  switch (o.type) {
    case OptionType::flag: return "be true or false";
    case OptionType::initializer: return "be an initializer";
    case OptionType::integer:
      return o.low == 1 && o.high == inf ? "be a positive integer" : "be an integer >= " + number_text(o.low);
    case OptionType::number: break;
  }
  if (o.low == -inf && o.high == inf) return "be a number";
  if (o.high == inf) return std::string(o.low_open ? "be > " : "be >= ") + number_text(o.low);
  if (o.low == -inf) return std::string(o.high_open ? "be < " : "be <= ") + number_text(o.high);
  return std::string("lie in ") + (o.low_open ? "(" : "[") + number_text(o.low) + ", " + number_text(o.high) +
         (o.high_open ? ")" : "]");
}

bool option_allows(const Option& o, double v) {
  if (o.type == OptionType::integer && v != std::floor(v)) return false;
  return (o.low_open ? v > o.low : v >= o.low) && (o.high_open ? v < o.high : v <= o.high);
}

std::string option_default(const Option& o) {
  if (o.required) return "required";
  if (o.type == OptionType::flag) return o.default_value != 0 ? "true" : "false";
  if (o.type == OptionType::initializer) return "PyTorch's";
  return number_text(o.default_value);
}

const std::vector<ArithmeticKind>& arithmetic_registry() {
  static const std::vector<ArithmeticKind> rows = {
      {.name = "fast",
       .arithmetic = Arithmetic::fast,
       .summary = "this machine's quickest kernels: the same bits for a seed and thread count on this machine"},
      {.name = "portable",
       .arithmetic = Arithmetic::portable,
       .summary = "sums in one fixed order, no fused multiply-add, bpnn's own exp and log: the same bits on any "
                  "CPU, at any thread count and batch split"},
  };
  return rows;
}

Arithmetic arithmetic_named(std::string_view name) {
  if (const ArithmeticKind* kind = find_named(arithmetic_registry(), name)) return kind->arithmetic;
  throw Error("unknown arithmetic '" + std::string(name) + "'; use " + name_list(names_of(arithmetic_registry())));
}

std::string_view arithmetic_name(Arithmetic arithmetic) {
  for (const ArithmeticKind& kind : arithmetic_registry()) {
    if (kind.arithmetic == arithmetic) return kind.name;
  }
  throw Error("arithmetic_name: an Arithmetic the registry does not list");
}

std::string name_list(const std::vector<std::string_view>& names, std::string_view joiner) {
  std::string text;
  for (std::size_t k = 0; k < names.size(); ++k) {
    if (k > 0 && (joiner == "," || k + 1 < names.size())) {
      text += ", ";
    } else if (k > 0) {
      text.append(" ").append(joiner).append(" ");
    }
    text.append(names[k]);
  }
  return text;
}

std::string registry_json() {
  json layers = json::array(), activations = json::array(), losses = json::array(), optimizers = json::array(),
       schedules = json::array(), initializers = json::array(), arithmetics = json::array();
  for (const LayerKind& k : layer_registry()) {
    layers.push_back({{"name", k.name}, {"summary", k.summary}, {"options", options_json(k)}, {"onnx", k.onnx},
                      {"pytorch", k.pytorch}, {"activation", k.activation}});
  }
  for (const ActivationRow& a : activation_table) {
    json option = nullptr;
    if (!a.option.name.empty()) {
      option = {{"name", a.option.name}, {"default", a.option.default_value}, {"pytorch", a.option.pytorch}};
    }
    activations.push_back({{"name", a.name}, {"formula", a.formula}, {"derivative", a.derivative},
                           {"differentiable", a.no_gradient.empty()}, {"onnx", a.onnx}, {"pytorch", a.pytorch},
                           {"option", option}});
  }
  for (const LossKind& k : loss_registry()) {
    losses.push_back({{"name", k.name}, {"summary", k.summary}, {"gradient", k.gradient}});
  }
  for (const OptimizerKind& k : optimizer_registry()) {
    optimizers.push_back(
        {{"name", k.name}, {"summary", k.summary}, {"options", options_json(k)}, {"full_batch", k.full_batch},
         {"pytorch", k.pytorch}});
  }
  for (const ScheduleKind& k : schedule_registry()) {
    schedules.push_back({{"name", k.name}, {"summary", k.summary}, {"options", options_json(k)}});
  }
  for (const InitializerKind& k : initializer_registry()) {
    initializers.push_back({{"name", k.name}, {"summary", k.summary}, {"options", options_json(k)}});
  }
  for (const ArithmeticKind& k : arithmetic_registry()) {
    arithmetics.push_back({{"name", k.name}, {"summary", k.summary}});
  }
  return json{{"layers", layers},         {"activations", activations},   {"losses", losses},
              {"optimizers", optimizers}, {"schedules", schedules},       {"initializers", initializers},
              {"arithmetics", arithmetics}}
      .dump();
}

}  // namespace bpnn
