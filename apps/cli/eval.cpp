#include <algorithm>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bpnn/bpnn.hpp"
#include "bpnn/io/model_file.hpp"
#include "checks.hpp"
#include "data_flags.hpp"
#include "report.hpp"
#include "use.hpp"

namespace bpnn::cli {
namespace {

struct EvalFlags {
  std::string model, data, labels, report, log;
  bool json = false;
  BackendFlags backend;
  DataFlags data_flags;
  MeaningFlags meaning;
};

// Classes by the names the model keeps (class_names), else by their ids.
void print_text(const Evaluation& e, const std::vector<std::string>& class_names) {
  if (!e.classification) {
    std::printf("mse: %.9g\nmae: %.9g\nr2: %.9g\nloss: %.9g\nsamples: %zu\n", e.mse, e.mae, e.r2, e.loss, e.samples);
    return;
  }
  std::vector<std::string> names(e.classes);
  int width = 5;  // a column holds the longest name and a space
  for (std::size_t c = 0; c < e.classes; ++c) {
    names[c] = c < class_names.size() ? printable(class_names[c], 40) : std::to_string(c);
    width = std::max(width, static_cast<int>(names[c].size()));
  }
  std::printf("accuracy: %.4f\nloss: %.6f\nsamples: %zu\n\n", e.accuracy, e.loss, e.samples);
  std::printf("confusion matrix (rows: true class, columns: predicted class)\n%*s", width + 1, "");
  for (std::size_t p = 0; p < e.classes; ++p) std::printf("%*s", width + 1, names[p].c_str());
  std::printf("\n");
  for (std::size_t t = 0; t < e.classes; ++t) {
    std::printf("%*s", width + 1, names[t].c_str());
    for (std::size_t p = 0; p < e.classes; ++p) std::printf("%*zu", width + 1, e.confusion[t * e.classes + p]);
    std::printf("\n");
  }
  std::printf("\n%-*s  precision  recall  support\n", width, "class");
  for (std::size_t c = 0; c < e.classes; ++c) {
    std::size_t support = 0;
    for (std::size_t p = 0; p < e.classes; ++p) support += e.confusion[c * e.classes + p];
    std::printf("%*s  %9.4f  %6.4f  %7zu\n", width, names[c].c_str(), e.precision(c), e.recall(c), support);
  }
}

void print_json(const Evaluation& e, const std::vector<std::string>& class_names) {
  nlohmann::json out{{"loss", e.loss}, {"samples", e.samples}};
  if (e.classification) {
    out["accuracy"] = e.accuracy;
    if (!class_names.empty()) out["classes"] = class_names;  // id -> name, the rows and columns below
    nlohmann::json confusion = nlohmann::json::array(), precision = nlohmann::json::array(),
                   recall = nlohmann::json::array();
    for (std::size_t t = 0; t < e.classes; ++t) {
      confusion.push_back(std::vector<std::size_t>(e.confusion.begin() + static_cast<long>(t * e.classes),
                                                   e.confusion.begin() + static_cast<long>((t + 1) * e.classes)));
      precision.push_back(e.precision(t));
      recall.push_back(e.recall(t));
    }
    out["confusion"] = confusion;
    out["precision"] = precision;
    out["recall"] = recall;
  } else {
    out["mse"] = e.mse;
    out["mae"] = e.mae;
    out["r2"] = e.r2;
  }
  std::cout << out.dump(2) << "\n";
}

void run_eval(const EvalFlags& f) {
  LoadedModel<float> loaded = load_model<float>(f.model);
  loaded.model.set_backend(make_backend(f.backend));
  // The data read as the model's training data was, scored as what the model is (its task, loss
  // and outputs), unless told.
  DataRecipe& recipe = loaded.recipe;
  apply_flags(f.data_flags, recipe);
  apply_meaning_flags(f.meaning, recipe, loaded.model);
  Dataset dataset = read_data(f.data, f.labels, recipe);
  // The report shows the values as the file has them, before the model's input scaling.
  const Tensor<float> raw_inputs = f.report.empty() ? Tensor<float>() : dataset.inputs;
  const PreparedData data = prepare_dataset(std::move(dataset), recipe, loaded.model);
  const Evaluation e = evaluate(loaded.model, *make_loss<float>(recipe.loss), data.inputs(), data.targets, 256,
                                recipe.task, recipe.outputs);
  f.json ? print_json(e, recipe.class_names) : print_text(e, recipe.class_names);
  if (!recipe.class_names.empty() && !f.json) {
    std::printf("\nclasses:");
    for (std::size_t c = 0; c < recipe.class_names.size(); ++c) {
      std::printf(" %zu %s", c, recipe.class_names[c].c_str());
    }
    std::printf("\n");
  }
  if (!f.report.empty()) {
    const ReportInputs inputs{.model_path = f.model,
                              .data_path = f.data,
                              .log_path = f.log,
                              .input_range = {recipe.read.idx.low, recipe.read.idx.high},
                              .raw_inputs = raw_inputs.view(),
                              .class_names = recipe.class_names,
                              .feature_names = recipe.feature_names.empty() ? data.dataset.feature_names
                                                                            : recipe.feature_names,
                              .target_names = recipe.target_names};
    write_report(f.report, inputs, e, data);
    std::cerr << "report: " << f.report << "/index.html\n";
  }
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto f = std::make_shared<EvalFlags>();
  CLI::App* cmd = app.add_subcommand("eval", "Evaluate a model: accuracy, loss, confusion matrix");
  cmd->footer(
      "Example:\n  bpnn eval --model digits.safetensors --data test-images-idx3-ubyte.gz --report report/ --log "
      "digits.csv");
  cmd->add_option("--model", f->model, "Model file (safetensors)")->required();
  cmd->add_option("--data", f->data, "Data: IDX images (.gz too), CSV or FANN .data")->required();
  cmd->add_option("--labels", f->labels, "IDX labels file (default: found by the MNIST naming)");
  cmd->add_flag("--json", f->json, "Machine-readable output");
  cmd->add_option("--report", f->report, "Write an HTML report into this folder");
  cmd->add_option("--log", f->log, "Training log (CSV from bpnn train --log) for the report's curves");
  add_backend_flags(*cmd, f->backend);
  add_data_flags(*cmd, f->data_flags, /*training=*/false);
  add_meaning_flags(*cmd, f->meaning);
  cmd->callback([f] { run_eval(*f); });
}

}  // namespace bpnn::cli
