// bpnn registry: every name the library knows (layer kinds, activations, losses, optimizers,
// schedules, initializers, arithmetics) with its options, from the library's registry; --json for programs.
#include <cstdio>
#include <string>

#include "bpnn/bpnn.hpp"
#include "use.hpp"

namespace bpnn::cli {
namespace {

void print_options(const std::vector<Option>& options) {
  for (const Option& o : options) {
    std::printf("      %-14s %-9s %s; must %s\n", std::string(o.name).c_str(), option_default(o).c_str(),
                std::string(o.meaning).c_str(), option_rule(o).c_str());
  }
}

template <class Row>
void print_table(const char* title, const std::vector<Row>& rows) {
  std::printf("%s:\n", title);
  for (const Row& row : rows) {
    std::printf("  %-16s %s\n", std::string(row.name).c_str(), std::string(row.summary).c_str());
    print_options(row.options);
  }
  std::printf("\n");
}

void print_registry() {
  print_table("layer kinds (network files; options: name, default, meaning)", layer_registry());
  std::printf("activations (layer kinds; the compact form's suffixes, 784-128relu-10):\n");
  for (const LayerKind& kind : layer_registry()) {
    if (!kind.activation) continue;
    std::printf("  %-16s onnx: %s\n", std::string(kind.name).c_str(), std::string(kind.onnx).c_str());
  }
  std::printf("  derivatives:\n");
  for (const ActivationRow& row : activation_table) {
    std::printf("    %-14s y = %-28s dy/dx = %s\n", std::string(row.name).c_str(), std::string(row.formula).c_str(),
                std::string(row.derivative).c_str());
  }
  std::printf("\nlosses (--loss):\n");
  for (const LossKind& k : loss_registry()) {
    std::printf("  %-16s %s\n", std::string(k.name).c_str(), std::string(k.summary).c_str());
  }
  std::printf("\n");
  print_table("optimizers (--optimizer; options as flags: learning_rate is --lr, weight_decay --weight-decay)",
              optimizer_registry());
  print_table("learning-rate schedules (--lr-schedule; step_size is --lr-step, gamma --lr-gamma)", schedule_registry());
  print_table("initializers (a dense or conv2d layer's init and bias_init)", initializer_registry());
  std::printf("arithmetics (--arithmetic of train, eval and predict, demo; docs/arithmetic.md):\n");
  for (const ArithmeticKind& k : arithmetic_registry()) {
    std::printf("  %-16s %s\n", std::string(k.name).c_str(), std::string(k.summary).c_str());
  }
}

}  // namespace

void add_registry_command(CLI::App& app) {
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("registry", "List every layer kind, activation, loss, optimizer, schedule, "
                                                 "initializer and arithmetic with its options");
  cmd->add_flag("--json", *json, "Machine-readable output (the library's registry_json())");
  cmd->callback([json] {
    if (*json) {
      std::printf("%s\n", registry_json().c_str());
    } else {
      print_registry();
    }
  });
}

}  // namespace bpnn::cli
