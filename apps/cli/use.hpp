// The subcommands that use a trained model: eval, predict, inspect, explain, export and import
// (ONNX); and plot, which draws a log.
#pragma once

#include <CLI/CLI.hpp>

namespace bpnn::cli {

void add_eval_command(CLI::App& app);
void add_predict_command(CLI::App& app);
void add_inspect_command(CLI::App& app);
// explain: the numbers of one step on one sample, chain rules and a gradient check (apps/cli/explain.cpp).
void add_explain_command(CLI::App& app);
void add_plot_command(CLI::App& app);
// export (a model file to ONNX) and import (ONNX to a model file), apps/cli/onnx.cpp.
void add_onnx_commands(CLI::App& app);

}  // namespace bpnn::cli
