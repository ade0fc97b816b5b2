#include "demo.hpp"

#include <iostream>
#include <memory>

#include "checks.hpp"
#include "data_flags.hpp"
#include "exit_status.hpp"
#include "logic.hpp"
#include "mazur.hpp"
#include "perceptron.hpp"
#include "regression.hpp"

namespace bpnn::cli {
namespace {

// Registers one demo: its subcommand, the --seed, --trace and --arithmetic every demo takes, and the call.
template <class Options, class Run>
CLI::App* add_demo(CLI::App& demo, const char* name, const char* summary, std::shared_ptr<Options> options, Run run) {
  CLI::App* cmd = demo.add_subcommand(name, summary);
  cmd->footer(std::string("Example:\n  bpnn demo ") + name + " --seed 7 --trace " + name + ".jsonl");
  cmd->add_option("--seed", options->seed, "Seed of the random draws (printed)")->capture_default_str();
  cmd->add_option("--trace", options->trace, "Also write the figures as JSON lines to this file (docs/demos.md)");
  cmd->add_option_function<std::string>(
         "--arithmetic", [options](const std::string& name) { options->arithmetic = arithmetic_named(name); },
         arithmetic_help("portable"))
      ->check(one_of(names_of(arithmetic_registry())));
  cmd->callback([options, run] {
    if (int code = run(*options, std::cout); code != 0) throw ExitStatus{code};
  });
  return cmd;
}

}  // namespace

void add_demo_command(CLI::App& app) {
  CLI::App* demo = app.add_subcommand("demo", "Run one of the tutorials' worked examples (no name: list them)");
  demo->require_subcommand(0, 1);

  auto mazur = std::make_shared<examples::MazurOptions>();
  CLI::App* m = add_demo(*demo, "mazur", "the 2-2-2 worked example: every number of back-propagation, step by step",
                         mazur, examples::run_mazur);
  m->add_flag("--tutorial-order", mazur->tutorial_order,
              "Back-propagate the hidden error through already-updated output weights, as the tutorial does");
  m->add_option("--save", mazur->save,
                "Also write the network with its given weights (before any step) as a model file, for bpnn explain");

  auto perceptron = std::make_shared<examples::PerceptronOptions>();
  CLI::App* p = add_demo(*demo, "perceptron", "an M-P perceptron learns AND, OR, NAND but not XOR, XNOR", perceptron,
                         examples::run_perceptron);
  p->add_option("--lr", perceptron->learning_rate, "Learning rate of the perceptron rule")->capture_default_str();
  p->add_option("--max-epochs", perceptron->max_epochs, "Epoch limit")->check(whole_number(1))->capture_default_str();

  auto xor_options = std::make_shared<examples::XorOptions>();
  CLI::App* x = add_demo(*demo, "xor", "a 2-5-1 sigmoid network learns XOR online", xor_options, examples::run_xor);
  x->add_option("--iterations", xor_options->iterations, "Online steps")->check(whole_number(1))->capture_default_str();
  x->add_option("--lr", xor_options->learning_rate, "Learning rate")->capture_default_str();

  auto xnor = std::make_shared<examples::XnorOptions>();
  CLI::App* n = add_demo(
      *demo, "xnor", "the exercise: a 2-3-1 network learns XNOR from random weights and rate, shown every iteration",
      xnor, examples::run_xnor);
  n->add_option("--every", xnor->every, "Print every K-th iteration")->check(whole_number(1))->capture_default_str();
  n->add_option("--max-iterations", xnor->max_iterations, "Give up after this many")
      ->check(whole_number(1))
      ->capture_default_str();

  auto regression = std::make_shared<examples::RegressionOptions>();
  CLI::App* r = add_demo(*demo, "regression", "the 3-30-10-3-1 regression network, full-batch, on a smooth function",
                         regression, examples::run_regression);
  r->add_option("--epochs", regression->epochs, "Full-batch steps")->check(whole_number(1))->capture_default_str();
  r->add_option("--every", regression->every, "Print the loss every N epochs")
      ->check(whole_number(1))
      ->capture_default_str();
  r->add_option("--lr", regression->learning_rate, "Learning rate")->capture_default_str();

  demo->callback([demo] {
    if (!demo->get_subcommands().empty()) return;
    std::cout << "bpnn demo NAME [--seed N] [--trace FILE]: the tutorials' worked examples\n";
    for (const CLI::App* sub : demo->get_subcommands([](const CLI::App*) { return true; })) {
      std::cout << "  " << sub->get_name() << std::string(12 - sub->get_name().size(), ' ') << sub->get_description()
                << "\n";
    }
  });
}

}  // namespace bpnn::cli
