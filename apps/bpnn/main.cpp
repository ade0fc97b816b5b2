// The bpnn command line: each subcommand parses its options and calls the library.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "demo.hpp"
#include "train.hpp"
#include "use.hpp"

int main(int argc, char** argv) {
  CLI::App app("bpnn: back-propagation neural networks you can see inside", "bpnn");
  app.require_subcommand(1);
  bpnn::cli::add_train_command(app, std::vector<std::string>(argv, argv + argc));
  bpnn::cli::add_eval_command(app);
  bpnn::cli::add_predict_command(app);
  bpnn::cli::add_inspect_command(app);
  bpnn::cli::add_plot_command(app);
  bpnn::cli::add_demo_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {  // one line, like every other error
    std::cerr << "bpnn: error: " << e.what() << " (see --help)\n";
    return e.get_exit_code();
  } catch (const bpnn::cli::ExitStatus& e) {
    return e.code;
  } catch (const std::exception& e) {  // bpnn::Error and anything else: one line, non-zero exit
    std::cerr << "bpnn: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
