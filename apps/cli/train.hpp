// `bpnn train`: train a network on a data set with SGD and save the model.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace bpnn::cli {

// args: the whole command line, for the resume command printed when training is interrupted.
void add_train_command(CLI::App& app, const std::vector<std::string>& args);

// Thrown to end the program with this exit status, the message already printed (130 and 143 after
// SIGINT and SIGTERM, as a shell reports a program those signals ended).
struct ExitStatus {
  int code;
};

}  // namespace bpnn::cli
