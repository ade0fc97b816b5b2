#include "demo.hpp"

#include <iostream>

#include "mazur.hpp"

namespace bpnn::cli {

void add_demo_command(CLI::App& app) {
  CLI::App* demo = app.add_subcommand("demo", "Run one of the tutorials' worked examples");
  demo->require_subcommand(1);

  auto mazur_options = std::make_shared<examples::MazurOptions>();
  CLI::App* mazur = demo->add_subcommand("mazur", "The 2-2-2 worked example: every number of one BP step");
  mazur->add_option("--iterations", mazur_options->iterations, "Gradient-descent steps to run")
      ->check(CLI::PositiveNumber);
  mazur->callback([mazur_options] {
    if (int code = examples::run_mazur(*mazur_options, std::cout); code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace bpnn::cli
