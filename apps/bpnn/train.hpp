// `bpnn train`: train a network on a data set with SGD and save the model.
#pragma once

#include <CLI/CLI.hpp>

namespace bpnn::cli {

void add_train_command(CLI::App& app);

}  // namespace bpnn::cli
