// The bpnn command line: each subcommand parses its options and calls the library.
#include <CLI/CLI.hpp>
#include <iostream>

#include "bpnn/core/error.hpp"
#include "demo.hpp"

int main(int argc, char** argv) {
  CLI::App app("bpnn: back-propagation neural networks you can see inside", "bpnn");
  app.require_subcommand(1);
  bpnn::cli::add_demo_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const bpnn::Error& e) {
    std::cerr << "bpnn: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
