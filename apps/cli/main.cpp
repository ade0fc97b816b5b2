// The bpnn command line: each subcommand parses its options and calls the library.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "demo.hpp"
#include "exit_status.hpp"
#include "server.hpp"
#include "train.hpp"
#include "use.hpp"

namespace {

// Levenshtein distance, for "did you mean".
std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// The known name nearest to `name`, if it is near enough to be a typo of it ("" otherwise).
std::string nearest(const std::string& name, const std::vector<std::string>& known) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, name.size() / 3) + 1;
  for (const std::string& k : known) {
    const std::size_t d = edit_distance(name, k);
    if (d < best_distance) {
      best_distance = d;
      best = k;
    }
  }
  return best;
}

// The subcommand of app called name, or null.
CLI::App* subcommand(CLI::App& app, const std::string& name) {
  for (CLI::App* sub : app.get_subcommands({})) {
    if (sub->get_name() == name) return sub;
  }
  return nullptr;
}

// Whether a word after this command can only name one of its subcommands: it has some, and no
// positional argument or option of its own that takes a value ("bpnn demo").
bool takes_only_subcommands(const CLI::App& command) {
  if (command.get_subcommands({}).empty()) return false;
  for (const CLI::Option* option : command.get_options()) {
    if (option->get_positional() || option->get_items_expected_max() != 0) return false;
  }
  return true;
}

// "unknown command 'nosuch' for bpnn demo", with the nearest name or else all of them.
std::string unknown_subcommand(const CLI::App& command, const std::string& name, const std::string& path) {
  std::vector<std::string> names;
  for (const CLI::App* sub : command.get_subcommands({})) names.push_back(sub->get_name());
  const std::string guess = nearest(name, names);
  std::string message = "unknown command '" + name + "' for bpnn " + path;
  if (!guess.empty()) return message + "; did you mean '" + guess + "'?";
  message += "; it takes ";
  for (std::size_t i = 0; i < names.size(); ++i) message += (i == 0 ? "" : ", ") + names[i];
  return message;
}

// Finds an unknown command or --option before CLI11 does, to say what was probably meant.
// Returns the message, or "" when every name is known. Options are looked up in the innermost
// (sub)command named so far ("bpnn demo mazur --tutorial-order").
std::string unknown_name(CLI::App& app, const std::vector<std::string>& args) {
  if (args.size() < 2 || args[1].empty() || args[1][0] == '-') return "";
  CLI::App* command = subcommand(app, args[1]);
  if (command == nullptr) {
    std::vector<std::string> commands;
    for (const CLI::App* sub : app.get_subcommands({})) commands.push_back(sub->get_name());
    const std::string guess = nearest(args[1], commands);
    return "unknown command '" + args[1] + "'" + (guess.empty() ? "" : "; did you mean '" + guess + "'?");
  }
  std::string path = args[1];
  for (std::size_t i = 2; i < args.size(); ++i) {
    if (args[i] == "--") break;
    if (args[i].rfind("--", 0) != 0) {
      if (CLI::App* sub = subcommand(*command, args[i])) {
        command = sub;
        path += " " + args[i];
      } else if (takes_only_subcommands(*command)) {  // "bpnn demo nosuch"
        return unknown_subcommand(*command, args[i], path);
      }
      continue;
    }
    std::vector<std::string> options;
    for (const CLI::Option* option : command->get_options()) {
      for (const std::string& long_name : option->get_lnames()) options.push_back("--" + long_name);
    }
    const std::string name = args[i].substr(0, args[i].find('='));
    if (std::find(options.begin(), options.end(), name) != options.end()) continue;
    const std::string guess = nearest(name, options);
    return "unknown option '" + name + "' for bpnn " + path + (guess.empty() ? "" : "; did you mean '" + guess + "'?");
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app(
      "bpnn: back-propagation neural networks you can see inside.\n"
      "Train dense and convolutional networks on IDX, CSV or FANN data with any of the usual optimizers;\n"
      "evaluate, predict, inspect and explain them step by step; move them to and from ONNX; run the\n"
      "tutorials' worked examples and the playground page.",
      "bpnn");
  app.set_version_flag("--version", "bpnn " BPNN_VERSION);
  app.require_subcommand(1);
  const std::vector<std::string> args(argv, argv + argc);
  bpnn::cli::add_train_command(app, args);
  bpnn::cli::add_eval_command(app);
  bpnn::cli::add_predict_command(app);
  bpnn::cli::add_inspect_command(app);
  bpnn::cli::add_explain_command(app);
  bpnn::cli::add_onnx_commands(app);
  bpnn::cli::add_plot_command(app);
  bpnn::cli::add_registry_command(app);
  bpnn::cli::add_demo_command(app);
  bpnn::cli::add_serve_command(app);
  try {
    if (const std::string message = unknown_name(app, args); !message.empty()) {
      std::cerr << "bpnn: error: " << message << " (see --help)\n";
      return bpnn::cli::kExitUsage;
    }
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {  // one line, like every other error; not CLI11's own codes (105, 109, ...)
    std::cerr << "bpnn: error: " << e.what() << " (see --help)\n";
    return bpnn::cli::kExitUsage;
  } catch (const bpnn::cli::UsageError& e) {
    std::cerr << "bpnn: error: " << e.what() << " (see --help)\n";
    return bpnn::cli::kExitUsage;
  } catch (const bpnn::cli::ExitStatus& e) {
    return e.code;
  } catch (const std::exception& e) {  // bpnn::Error and anything else: one line
    std::cerr << "bpnn: error: " << e.what() << "\n";
    return bpnn::cli::kExitFailure;
  }
  return 0;
}
