// bpnn serve: the playground page, served by bpnn itself and driven by its own engine.
#pragma once

#include <CLI/CLI.hpp>

namespace bpnn::cli {

void add_serve_command(CLI::App& app);

}  // namespace bpnn::cli
