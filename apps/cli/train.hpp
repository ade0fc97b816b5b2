// `bpnn train`: train a network on a data set and save the model.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "exit_status.hpp"

namespace bpnn::cli {

// args: the whole command line, for the resume command printed when training is interrupted.
void add_train_command(CLI::App& app, const std::vector<std::string>& args);

}  // namespace bpnn::cli
