// The one registry: every name that network files, model files, the command line, Python, ONNX
// and the playground use - layer kinds, activations, losses, optimizers, learning-rate schedules
// and initializers - is written once, in a plain table next to the factory that reads it, with its
// options (name, type, default, range and meaning):
//   layer kinds     src/model/layer_factory.cpp (make_layer), and a row per activation from
//                   activation_table (layers/activation.hpp: value, derivative and ONNX form)
//   losses          src/losses/make_loss.cpp (make_loss)
//   optimizers,     src/optim/make_optimizer.cpp (make_optimizer, make_schedule)
//   schedules
//   initializers    src/init/initializer.cpp (initializer_named)
//   arithmetics     src/model/registry.cpp (arithmetic_named; the choice of backend/backend.hpp's
//                   Arithmetic that --arithmetic, Python's arithmetic= and the playground name)
// Front ends list names from here (help texts, menus, checks); registry_json() is all of it for
// those that ask at run time (bpnn registry --json, the playground's page, Python, tests).
#pragma once

#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bpnn/backend/backend.hpp"
#include "bpnn/init/initializer.hpp"

namespace bpnn {

enum class OptionType { integer, number, flag, initializer };

// One option of a layer, optimizer, schedule or initializer, as files, flags and Python name it.
struct Option {
  std::string_view name;
  OptionType type = OptionType::number;
  double default_value = 0;  // integer, number, flag (1: true); unused when required, or for an initializer
  bool required = false;
  // The values it takes (integer and number): [low, high], an end excluded when open.
  double low = -std::numeric_limits<double>::infinity();
  double high = std::numeric_limits<double>::infinity();
  bool low_open = false, high_open = false;
  std::string_view meaning;  // one line: what it does, and the default when that needs words
};

// The rule an option's values follow, as errors say it after "must ": "be a positive integer",
// "be an integer >= 0", "lie in [0, 1)", "be > 0", "be a number", "be true or false", ...
std::string option_rule(const Option& option);
// Whether value is in the option's range (its type is the caller's to check).
bool option_allows(const Option& option, double value);
// The default as help texts show it: "0.01", "true", "required", or the meaning's for an initializer.
std::string option_default(const Option& option);

struct LayerKind {
  std::string_view name;
  std::string_view summary;   // what it computes, in one line
  std::vector<Option> options;
  std::string_view onnx;      // its ONNX operators, as export writes them (docs/onnx.md)
  std::string_view pytorch;   // the torch.nn module it matches; empty for kinds PyTorch builds otherwise
  bool activation = false;    // a row of activation_table or softmax: an activation of the compact form
};

// Every layer kind, in the order messages list them: the structural layers, the activation table's
// rows, softmax.
const std::vector<LayerKind>& layer_registry();
const LayerKind* find_layer_kind(std::string_view name);

struct LossKind {
  std::string_view name;
  std::string_view summary;
  std::string_view gradient;  // dE/dout of one output, for the playground's chain rule (n: outputs averaged)
};
const std::vector<LossKind>& loss_registry();  // src/losses/make_loss.cpp

// An optimizer: the options it takes (fields of OptimizerSpec, optim/make_optimizer.hpp), each
// with its default for this optimizer.
struct OptimizerKind {
  std::string_view name;
  std::string_view summary;
  std::vector<Option> options;
  bool full_batch = false;  // meant for the whole training set as one batch (rprop): the CLI's default batch
  // torch.optim's class of the same update, whose arguments are the options' names but lr for
  // learning_rate, betas for (beta1, beta2) and l1 (bpnn's own: the PyTorch check adds l1 sign(p)
  // to the gradients itself): the PyTorch check trains every row against it.
  std::string_view pytorch = {};
};
const std::vector<OptimizerKind>& optimizer_registry();  // src/optim/make_optimizer.cpp

struct ScheduleKind {
  std::string_view name;
  std::string_view summary;
  std::vector<Option> options;
};
const std::vector<ScheduleKind>& schedule_registry();  // src/optim/make_optimizer.cpp

// An initializer: its name, its Initializer kind, and the fields a network file gives its a and b
// (Initializer's numbers) under, with the defaults the bare name stands for.
struct InitializerKind {
  std::string_view name;
  Initializer::Kind kind;
  std::string_view summary;
  std::vector<Option> options;  // 0 to 2: a, then b
};
const std::vector<InitializerKind>& initializer_registry();  // src/init/initializer.cpp
const InitializerKind& initializer_kind(Initializer::Kind kind);

// The initializer a name stands for, with its defaults (uniform: [-0.05, 0.05), normal: mean 0,
// std 1, constant: 0, xavier_*: gain 1), or nullopt for an unknown name.
std::optional<Initializer> initializer_named(std::string_view name);
std::string_view initializer_name(Initializer::Kind kind);
// The initializer `name` with options set by their names ({{"gain", 0.5}}), the rest at the name's
// defaults: what a network file's {"type": "xavier_uniform", "gain": 0.5} and Python's dict of it
// stand for. Throws Error for an unknown name (listing the known ones) or option
// ("uniform: unknown field 'lo'; it takes low or high").
Initializer initializer_with(std::string_view name, const std::vector<std::pair<std::string, double>>& options);

// A floating-point arithmetic a backend computes in, by the name the front ends give it.
struct ArithmeticKind {
  std::string_view name;
  Arithmetic arithmetic;
  std::string_view summary;  // what it promises, in one line
};
const std::vector<ArithmeticKind>& arithmetic_registry();
// The arithmetic called `name`; throws Error listing the names for an unknown one.
Arithmetic arithmetic_named(std::string_view name);
std::string_view arithmetic_name(Arithmetic arithmetic);

// "a, b or c" (joiner "or"), or "a, b, c" (joiner ",").
std::string name_list(const std::vector<std::string_view>& names, std::string_view joiner = "or");
template <class Row>
std::vector<std::string_view> names_of(const std::vector<Row>& rows) {
  std::vector<std::string_view> names;
  for (const Row& row : rows) names.push_back(row.name);
  return names;
}
// The row named `name` of a registry table, or null.
template <class Row>
const Row* find_named(const std::vector<Row>& rows, std::string_view name) {
  for (const Row& row : rows) {
    if (row.name == name) return &row;
  }
  return nullptr;
}

// The whole registry as JSON: {"layers": [{"name", "summary", "options": [{"name", "type",
// "default", "required", "rule", "meaning"}], "onnx", "pytorch", "activation"}], "activations":
// [{"name", "formula", "derivative", "differentiable", "option"}], "losses", "optimizers",
// "schedules", "initializers", "arithmetics"}.
std::string registry_json();

}  // namespace bpnn
