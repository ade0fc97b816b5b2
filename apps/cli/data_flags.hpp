// The data options that train, eval and predict share. train turns them into a data recipe
// (bpnn/data/recipe.hpp) and the model file keeps it; eval and predict start from the model's
// recipe, and an option given there overrides it.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bpnn/bpnn.hpp"

namespace bpnn::cli {

// Each unset: the default when training, the model's recipe in eval and predict.
struct DataFlags {
  std::optional<std::string> input_range;   // IDX uint8 0..255 maps to this range ("0,1")
  std::optional<std::size_t> target_cols;   // CSV: the last K columns are regression targets
  std::vector<std::string> target_columns;  // CSV: these columns (names or 0-based indices) are regression targets
  std::optional<std::string> one_hot;       // one-hot off,on values for mse/mae/bce on class labels ("0,1")
  std::optional<std::string> label;         // CSV: the label column, a name or a 0-based index
  std::vector<std::string> drop;            // CSV: columns left out (names or 0-based indices)
  std::optional<std::string> delimiter;     // CSV: one character, or "tab"
  std::optional<std::string> header;        // CSV: auto, yes or no
  std::string scaling = "none";             // train: none, standardize or normalize
};

// Adds --input-range, --target-cols, --target-columns, --one-hot (also --targets, its older name),
// --label, --drop, --delimiter and --header to a subcommand; with training, also --standardize and
// --normalize.
void add_data_flags(CLI::App& command, DataFlags& flags, bool training);

// "0.01,0.99" -> {0.01, 0.99}; throws Error naming the option otherwise.
std::pair<float, float> parse_range(const std::string& text, const std::string& option);

// Sets in recipe what the flags give (every flag for training, where the recipe starts empty). A
// label or target flag also decides where a file with a header has its targets, over the model's
// target names.
void apply_flags(const DataFlags& flags, DataRecipe& recipe);

// --threads, --backend and --arithmetic of train, eval and predict: the backend the model computes on.
struct BackendFlags {
  int threads = 1;
  std::string backend = "cpu";
  std::string arithmetic;  // unset: fast on cpu; the reference backend's loops are portable arithmetic
};
void add_backend_flags(CLI::App& command, BackendFlags& flags);
// The backend the flags ask for. Throws Error for --arithmetic fast with --backend reference.
std::shared_ptr<Backend<float>> make_backend(const BackendFlags& flags);
// --arithmetic's help: each arithmetic's promise, from the registry, and what it is when not given.
std::string arithmetic_help(const std::string& default_text);

// --task and --loss of import, eval and predict: what the model is, over what its file records or
// its network implies (bpnn::override_meaning decides; a contradiction is an error).
struct MeaningFlags {
  std::string task, loss;
};
void add_meaning_flags(CLI::App& command, MeaningFlags& flags);
// Applies them to recipe (the model's) with bpnn::override_meaning.
void apply_meaning_flags(const MeaningFlags& flags, DataRecipe& recipe, const Sequential<float>& model);

// Reads path (IDX labels from labels_path when given) as recipe says. inputs_only: no targets are
// read or needed (predicting on new data); targets are [N, 0].
Dataset read_data(const std::string& path, const std::string& labels_path, const DataRecipe& recipe,
                  bool inputs_only = false);
// Scales dataset's inputs with the recipe's scaling and fits it to the model with
// bpnn::prepare_data, whose errors name the file (targets [N, 0], inputs read alone, stay so).
PreparedData prepare_dataset(Dataset dataset, const DataRecipe& recipe, const Sequential<float>& model);
// read_data, then prepare_dataset.
PreparedData load_data(const std::string& path, const std::string& labels_path, const DataRecipe& recipe,
                       const Sequential<float>& model, bool inputs_only = false);

}  // namespace bpnn::cli
