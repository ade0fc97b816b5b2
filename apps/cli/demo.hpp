// `bpnn demo NAME`: the tutorials' worked examples.
#pragma once

#include <CLI/CLI.hpp>

namespace bpnn::cli {

void add_demo_command(CLI::App& app);

}  // namespace bpnn::cli
