// The data options that train, eval and predict share, and loading a data set for a model: the
// flags parsed here, the shaping and checks done by the library (bpnn/data/prepare.hpp).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <utility>

#include "bpnn/bpnn.hpp"
#include "bpnn/data/prepare.hpp"
#include "bpnn/data/read.hpp"

namespace bpnn::cli {

struct DataFlags {
  std::string input_range = "0,1";  // IDX uint8 0..255 maps to this range
  std::size_t target_cols = 0;      // CSV: the last K columns are regression targets
  std::string targets = "0,1";      // one-hot off,on values for mse/mae/bce on class labels
  std::string label;                // CSV: the label column, a name or a 0-based index ("" = default)
  std::string delimiter;            // CSV: one character, or "tab" ("" = detected)
  std::string header = "auto";      // CSV: auto, yes or no
};

// Adds --input-range, --target-cols, --targets, --label, --delimiter and --header to a subcommand. With targets_from_model the
// --targets default is the model's own (flags.targets is left empty for the caller to fill).
void add_data_flags(CLI::App& command, DataFlags& flags, bool targets_from_model = false);

// Regression when --target-cols gives the targets, else read from their shape (bpnn::Task): two
// or more regression targets would otherwise pass for one-hot class rows.
inline Task task_of(const DataFlags& flags) { return flags.target_cols > 0 ? Task::regression : Task::automatic; }

// "0.01,0.99" -> {0.01, 0.99}; throws Error naming the option otherwise.
std::pair<float, float> parse_range(const std::string& text, const std::string& option);

// Reads path (labels from labels_path when given) with the flags' options and fits it to model and
// loss with bpnn::prepare_data (data/prepare.hpp), whose errors name the file.
PreparedData load_data(const std::string& path, const std::string& labels_path, const DataFlags& flags,
                       const Sequential<float>& model, std::string_view loss);

}  // namespace bpnn::cli
