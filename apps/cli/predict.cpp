#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bpnn/bpnn.hpp"
#include "bpnn/io/csv.hpp"
#include "bpnn/io/model_file.hpp"
#include "checks.hpp"
#include "data_flags.hpp"
#include "use.hpp"

namespace bpnn::cli {
namespace {

struct PredictFlags {
  std::string model, data, labels, out;
  bool json = false, raw = false;
  BackendFlags backend;
  DataFlags data_flags;
  MeaningFlags meaning;
};

// The inputs of a file to predict on: read as inputs only, unless that gives samples of another
// width than the network takes and the file also holds the targets (a labelled file).
PreparedData read_inputs(const PredictFlags& f, const DataRecipe& recipe, const Sequential<float>& model) {
  const std::size_t width = model.input_shape().numel();
  std::string inputs_only_error;
  try {
    Dataset inputs = read_data(f.data, f.labels, recipe, /*inputs_only=*/true);
    if (inputs.size() > 0 && inputs.inputs.size() / inputs.size() == width) {
      return prepare_dataset(std::move(inputs), recipe, model);
    }
  } catch (const Error& e) {
    inputs_only_error = e.what();  // a label column of names, say: read the file as labelled below
  }
  Dataset labelled;
  try {
    labelled = read_data(f.data, f.labels, recipe);
  } catch (const Error&) {
    if (!inputs_only_error.empty()) throw Error(inputs_only_error);  // the clearer of the two
    throw;
  }
  labelled.targets = Tensor<float>(Shape{labelled.size(), 0});
  return prepare_dataset(std::move(labelled), recipe, model);
}

std::string number(float v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", static_cast<double>(v));
  return text;
}

void run_predict(const PredictFlags& f) {
  LoadedModel<float> loaded = load_model<float>(f.model);
  loaded.model.set_backend(make_backend(f.backend));
  DataRecipe& recipe = loaded.recipe;
  apply_flags(f.data_flags, recipe);
  apply_meaning_flags(f.meaning, recipe, loaded.model);
  const PreparedData data = read_inputs(f, recipe, loaded.model);
  const Tensor<float> y = predict(loaded.model, data.inputs());
  const std::size_t outputs = loaded.model.output_shape().numel(), N = data.dataset.size();
  const bool regression = recipe.task == Task::regression;
  // What the columns are, as the model's meaning reads its outputs: the class probabilities (logits
  // through softmax, a softmax's as they are; 1 - p and p for one output), the regression values,
  // or with --raw the network's outputs as they are. Outputs trained on one-hot rows (mse) are
  // scores, shown as they are. The predicted class is the library's reading of the outputs.
  const bool probabilities = !f.raw && !regression &&
                             (recipe.outputs == OutputReading::logits || outputs == 1 ||
                              output_layer_kind(loaded.model) == "softmax");
  const Tensor<float> shown = probabilities ? class_probabilities(loaded.model.backend(), recipe.outputs, y) : y;
  const std::size_t width = shown.shape()[1];
  auto class_name = [&](std::size_t k) {
    return k < recipe.class_names.size() ? recipe.class_names[k] : std::to_string(k);
  };
  auto predicted = [&](std::size_t n) { return class_name(predicted_class(y.data() + n * outputs, outputs)); };
  std::vector<std::string> columns;
  for (std::size_t k = 0; k < width; ++k) {
    if (f.raw) {
      columns.push_back("output" + std::to_string(k));
    } else if (regression) {
      columns.push_back(k < recipe.target_names.size() ? recipe.target_names[k] : "output" + std::to_string(k));
    } else {
      columns.push_back((probabilities ? "p_" : "output_") + class_name(k));
    }
  }
  std::string text;
  if (f.json) {
    nlohmann::json rows = nlohmann::json::array();
    for (std::size_t n = 0; n < N; ++n) {
      nlohmann::json row = nlohmann::json::object();
      if (!regression) row["predicted"] = predicted(n);
      nlohmann::json values = nlohmann::json::object();
      for (std::size_t k = 0; k < width; ++k) values[columns[k]] = shown[n * width + k];
      row[regression ? "values" : "outputs"] = values;
      rows.push_back(row);
    }
    text = rows.dump(1) + "\n";
  } else {
    CsvWriter csv;
    std::vector<std::string> row = regression ? std::vector<std::string>() : std::vector<std::string>{"predicted"};
    row.insert(row.end(), columns.begin(), columns.end());
    csv.row(row);
    for (std::size_t n = 0; n < N; ++n) {
      row.clear();
      if (!regression) row.push_back(predicted(n));
      for (std::size_t k = 0; k < width; ++k) row.push_back(number(shown[n * width + k]));
      csv.row(row);
    }
    text = csv.text();
  }
  if (f.out.empty()) {
    std::cout << text;
  } else {
    write_file_atomically(f.out, text);
  }
}

}  // namespace

void add_predict_command(CLI::App& app) {
  auto f = std::make_shared<PredictFlags>();
  CLI::App* cmd = app.add_subcommand(
      "predict", "Predict on new data: one CSV row per sample, the class and its probabilities (or the values)");
  cmd->footer(
      "The data needs no labels, and is read as the model's training data was (columns, scaling).\n"
      "Example:\n  bpnn predict --model digits.safetensors --data test-images-idx3-ubyte.gz --out predictions.csv");
  cmd->add_option("--model", f->model, "Model file (safetensors)")->required();
  cmd->add_option("--data", f->data, "Data: IDX images (.gz too), CSV or FANN data; labels are not needed")->required();
  cmd->add_option("--labels", f->labels, "IDX labels file (not needed)");
  cmd->add_option("--out", f->out, "CSV (or with --json, JSON) file to write (default: standard output)");
  cmd->add_flag("--json", f->json, "JSON: one object per sample");
  cmd->add_flag("--raw", f->raw, "The network's raw outputs (logits), not probabilities");
  add_backend_flags(*cmd, f->backend);
  add_data_flags(*cmd, f->data_flags, /*training=*/false);
  add_meaning_flags(*cmd, f->meaning);
  cmd->callback([f] { run_predict(*f); });
}

}  // namespace bpnn::cli
