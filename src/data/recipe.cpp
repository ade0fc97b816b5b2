// The data recipe: fitting and applying input scaling, the task and loss rules, and the JSON a
// model file keeps it in (nlohmann::json, at this edge only).
#include "bpnn/data/recipe.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

#include "bpnn/core/error.hpp"
#include "bpnn/losses/make_loss.hpp"
#include "bpnn/model/registry.hpp"

namespace bpnn {

using nlohmann::json;

InputScaling fit_scaling(InputScaling::Kind kind, TensorView<const float> inputs) {
  InputScaling s{.kind = kind, .shift = {}, .scale = {}};
  if (kind == InputScaling::Kind::none) return s;
  const std::size_t N = inputs.batch(), D = inputs.sample_size();
  if (N == 0) throw Error("input scaling: no samples to fit it on");
  s.shift.assign(D, 0.0f);
  s.scale.assign(D, 1.0f);
  for (std::size_t i = 0; i < D; ++i) {
    double low = inputs[i], high = inputs[i], sum = 0, squares = 0;
    for (std::size_t n = 0; n < N; ++n) {
      const double v = inputs[n * D + i];
      low = std::min(low, v);
      high = std::max(high, v);
      sum += v;
    }
    const double mean = sum / static_cast<double>(N);
    for (std::size_t n = 0; n < N; ++n) squares += (inputs[n * D + i] - mean) * (inputs[n * D + i] - mean);
    // Population std, as scikit-learn's StandardScaler; a constant column keeps scale 1.
    const double spread =
        kind == InputScaling::Kind::standardize ? std::sqrt(squares / static_cast<double>(N)) : high - low;
    s.shift[i] = static_cast<float>(kind == InputScaling::Kind::standardize ? mean : low);
    s.scale[i] = spread > 0 ? static_cast<float>(1.0 / spread) : 1.0f;
  }
  return s;
}

void apply_scaling(const InputScaling& scaling, Tensor<float>& inputs, const std::string& source) {
  if (scaling.kind == InputScaling::Kind::none) return;
  const std::size_t N = inputs.shape().rank() == 0 ? 0 : inputs.shape()[0];
  const std::size_t D = N == 0 ? 0 : inputs.size() / N;
  if (N > 0 && D != scaling.shift.size()) {
    throw Error(source + ": samples have " + std::to_string(D) + " values, the model's " + scaling_name(scaling.kind) +
                " scaling was fitted on " + std::to_string(scaling.shift.size()));
  }
  for (std::size_t n = 0; n < N; ++n) {
    for (std::size_t i = 0; i < D; ++i) inputs[n * D + i] = (inputs[n * D + i] - scaling.shift[i]) * scaling.scale[i];
  }
}

std::string scaling_name(InputScaling::Kind kind) {
  switch (kind) {
    case InputScaling::Kind::standardize: return "standardize";
    case InputScaling::Kind::normalize: return "normalize";
    case InputScaling::Kind::none: break;
  }
  return "none";
}

InputScaling::Kind scaling_kind(const std::string& name) {
  if (name == "none") return InputScaling::Kind::none;
  if (name == "standardize") return InputScaling::Kind::standardize;
  if (name == "normalize") return InputScaling::Kind::normalize;
  throw Error("unknown input scaling '" + name + "'; use none, standardize or normalize");
}

void learn_from(DataRecipe& recipe, const Dataset& training) {
  if (recipe.task == Task::automatic) recipe.task = training.classes > 0 ? Task::classification : Task::regression;
  recipe.classes = training.classes;
  recipe.class_names = training.class_names;
  recipe.feature_names = training.feature_names;
  recipe.target_names = training.target_names;
  // Later files number their classes as the training file did, and a file with a header is read
  // by the training file's column names, whatever its order.
  recipe.read.csv.class_names = training.class_names;
  recipe.read.csv.class_ids = training.classes > 0 && training.class_names.empty();
  recipe.read.csv.feature_names = training.feature_names;
  recipe.read.csv.target_names = training.target_names;
  if (!training.feature_names.empty()) recipe.read.csv.drop = training.dropped_names;
}

std::string default_loss(Task task) { return task == Task::regression ? "mse" : "cross_entropy"; }

std::string default_loss(const DataRecipe& recipe, std::size_t outputs, std::string_view last_layer_kind) {
  // Two classes on one sigmoid output: its probability of class 1, trained with bce, as
  // scikit-learn's MLPClassifier trains binary labels.
  if (recipe.task == Task::classification && recipe.classes <= 2 && outputs == 1 && last_layer_kind == "sigmoid") {
    return "bce";
  }
  return default_loss(recipe.task);
}

void check_loss(const std::string& loss, Task task, const std::string& last_layer_kind) {
  if (loss == "cross_entropy" && task == Task::regression) {
    throw Error("cross_entropy needs class labels, and these targets are real values (regression): use --loss mse "
                "(the default for regression) or mae");
  }
  if (loss == "cross_entropy" && last_layer_kind == "softmax") {
    throw Error("the network ends in softmax, and cross_entropy applies softmax itself (it takes logits): remove the "
                "last softmax layer (bpnn predict still prints probabilities)");
  }
}

std::string task_name(Task task) {
  return task == Task::classification ? "classification"
         : task == Task::regression   ? "regression"
         : task == Task::multilabel   ? "multilabel"
                                      : "automatic";
}

Task task_from_name(const std::string& name) {
  if (name == "classification" || name == "binary") return Task::classification;
  if (name == "regression") return Task::regression;
  if (name == "multilabel") return Task::multilabel;
  throw Error("unknown task '" + printable(name) + "'; use classification, binary, multilabel or regression");
}

template <class T>
std::string output_layer_kind(const Sequential<T>& model) {
  for (std::size_t i = model.size(); i > 0; --i) {
    const std::string_view kind = model.layer(i - 1).kind();
    if (kind != "dropout" && kind != "flatten") return std::string(kind);
  }
  return "";
}

namespace {

// How outputs are read once task and loss are known (see complete_meaning).
OutputReading reading_for(Task task, const std::string& loss, std::string_view output_layer) {
  if (task == Task::regression) return OutputReading::values;
  return loss == "cross_entropy" && output_layer != "softmax" ? OutputReading::logits : OutputReading::probabilities;
}

Task inferred_task(const DataRecipe& r, std::string_view output_layer, std::size_t outputs) {
  if (output_layer == "softmax" || output_layer == "sigmoid") return Task::classification;
  if (r.loss == "cross_entropy" || r.loss == "bce") return Task::classification;
  // A linear output: one is a value; several are logits unless mse or mae says they are values.
  if (!r.loss.empty() || outputs == 1) return Task::regression;
  return Task::classification;
}

std::string inferred_loss(Task task, std::string_view output_layer, std::size_t outputs) {
  const bool sigmoid = output_layer == "sigmoid";
  if (task == Task::regression) return "mse";
  if (task == Task::multilabel) return sigmoid ? "bce" : "mse";
  if (output_layer == "softmax") return "cross_entropy";
  if (sigmoid) return outputs == 1 ? "bce" : "mse";
  return outputs > 1 ? "cross_entropy" : "mse";
}

std::string layer_words(std::string_view output_layer) {
  return output_layer.empty() ? std::string("no layer") : "'" + std::string(output_layer) + "'";
}

}  // namespace

void complete_meaning(DataRecipe& recipe, std::string_view output_layer, std::size_t outputs) {
  if (recipe.task == Task::automatic) recipe.task = inferred_task(recipe, output_layer, outputs);
  if (recipe.loss.empty()) recipe.loss = inferred_loss(recipe.task, output_layer, outputs);
  if (recipe.task == Task::classification && recipe.classes == 0) recipe.classes = class_count(outputs);
  if (recipe.outputs == OutputReading::automatic) recipe.outputs = reading_for(recipe.task, recipe.loss, output_layer);
  // A regression's CSV targets are its last columns, one per output, unless recorded otherwise.
  CsvOptions& csv = recipe.read.csv;
  if (recipe.task == Task::regression && csv.target_columns == 0 && csv.targets.empty()) csv.target_columns = outputs;
  // A classifier that keeps no class names takes whole-number labels as its class ids.
  if (recipe.task == Task::classification && recipe.class_names.empty()) csv.class_ids = true;
}

void check_meaning(const DataRecipe& recipe, std::string_view output_layer, std::size_t outputs) {
  const std::string& loss = recipe.loss;
  bool known = false;
  for (const LossKind& k : loss_registry()) known = known || k.name == loss;
  if (!known) throw Error("unknown loss '" + printable(loss) + "'; use " + name_list(names_of(loss_registry())));
  if (recipe.task == Task::regression && output_layer == "softmax") {
    throw Error("regression on a network that ends in softmax: its outputs are class probabilities, not values; "
                "read it as classification, or end the network in a linear layer for regression");
  }
  check_loss(loss, recipe.task, "");
  if (loss == "cross_entropy" && outputs < 2) {
    throw Error("cross_entropy needs one output per class (at least 2), and the network has " +
                std::to_string(outputs) + ": with one output use bce (after a sigmoid) or mse");
  }
  if (loss == "bce" && output_layer != "sigmoid" && output_layer != "softmax") {
    throw Error("bce takes probabilities (a network ending in sigmoid or softmax), and this network ends in " +
                layer_words(output_layer) + ": use mse, or cross_entropy for logits");
  }
  const OutputReading expected = reading_for(recipe.task, loss, output_layer);
  if (recipe.outputs != OutputReading::automatic && recipe.outputs != expected) {
    throw Error("outputs read as " + std::string(reading_name(recipe.outputs)) + ", but " + task_name(recipe.task) +
                " with " + loss + " on a network ending in " + layer_words(output_layer) + " makes them " +
                std::string(reading_name(expected)));
  }
}

template <class T>
void complete_meaning(DataRecipe& recipe, const Sequential<T>& model) {
  complete_meaning(recipe, output_layer_kind(model), model.output_shape().numel());
}

template <class T>
void check_meaning(const DataRecipe& recipe, const Sequential<T>& model) {
  check_meaning(recipe, output_layer_kind(model), model.output_shape().numel());
}

template <class T>
void override_meaning(DataRecipe& recipe, const std::string& task, const std::string& loss,
                      const Sequential<T>& model) {
  if (task.empty() && loss.empty()) return;
  const std::size_t outputs = model.output_shape().numel();
  if (task == "binary" && outputs != 1) {
    throw Error("task binary needs one output (the probability of class 1), and the network has " +
                std::to_string(outputs) + ": use classification");
  }
  if (!task.empty()) {
    const Task given = task_from_name(task);
    if (given != recipe.task) {
      recipe.task = given;
      recipe.classes = 0;
      if (given != Task::regression) recipe.read.csv.target_columns = 0;  // class labels, not target columns
      if (loss.empty()) recipe.loss.clear();
    }
  }
  if (!loss.empty()) recipe.loss = loss;
  recipe.outputs = OutputReading::automatic;
  complete_meaning(recipe, model);
  check_meaning(recipe, model);
}

std::string meaning_summary(const DataRecipe& r, std::size_t outputs) {
  std::string text;
  if (r.task == Task::classification && outputs == 1) {
    text = "binary classification (one output, the probability of class 1";
  } else if (r.task == Task::classification) {
    text = "classification of " + std::to_string(r.classes) + " classes (outputs: " +
           std::string(reading_name(r.outputs));
  } else if (r.task == Task::multilabel) {
    text = "multi-label classification of " + std::to_string(outputs) + " labels (outputs: " +
           std::string(reading_name(r.outputs));
  } else {
    text = "regression of " + std::to_string(outputs) + (outputs == 1 ? " value" : " values") + " (outputs: " +
           std::string(reading_name(r.outputs));
  }
  return text + ", loss " + r.loss + ")";
}

template std::string output_layer_kind(const Sequential<float>&);
template std::string output_layer_kind(const Sequential<double>&);
template void complete_meaning(DataRecipe&, const Sequential<float>&);
template void complete_meaning(DataRecipe&, const Sequential<double>&);
template void check_meaning(const DataRecipe&, const Sequential<float>&);
template void check_meaning(const DataRecipe&, const Sequential<double>&);
template void override_meaning(DataRecipe&, const std::string&, const std::string&, const Sequential<float>&);
template void override_meaning(DataRecipe&, const std::string&, const std::string&, const Sequential<double>&);

namespace {

// The value of key in object, which must be of the JSON type `is` tests for.
template <class Test>
const json& field(const json& object, const char* key, Test is, const std::string& source) {
  if (!object.contains(key) || !is(object[key]))
    throw Error(source + ": data recipe field '" + key + "' is missing or malformed");
  return object[key];
}

}  // namespace

std::string recipe_to_json(const DataRecipe& r) {
  const CsvOptions& csv = r.read.csv;
  json j = {{"task", task_name(r.task)},
            {"loss", r.loss},
            {"outputs", reading_name(r.outputs)},
            {"one_hot", {r.off, r.on}},
            {"classes", r.classes},
            {"class_names", r.class_names},
            {"feature_names", r.feature_names},
            {"target_names", r.target_names},
            {"csv",
             {{"label", csv.label},
              {"target_columns", csv.target_columns},
              {"targets", csv.targets},
              {"drop", csv.drop},
              {"delimiter", std::string(csv.delimiter == 0 ? 0 : 1, csv.delimiter)},
              {"header", csv.header == CsvHeader::yes ? "yes" : csv.header == CsvHeader::no ? "no" : "auto"}}},
            {"idx_range", {r.read.idx.low, r.read.idx.high}},
            {"scaling",
             {{"kind", scaling_name(r.scaling.kind)}, {"shift", r.scaling.shift}, {"scale", r.scaling.scale}}}};
  return j.dump();
}

DataRecipe recipe_from_json(const std::string& text, const std::string& source) {
  DataRecipe r;
  try {
    const json j = json::parse(text);
    auto is_string = [](const json& v) { return v.is_string(); };
    auto is_array = [](const json& v) { return v.is_array(); };
    auto is_count = [](const json& v) { return v.is_number_unsigned(); };
    auto is_object = [](const json& v) { return v.is_object(); };
    auto strings = [&](const json& v) {
      std::vector<std::string> out;
      for (const json& s : v) {
        if (!s.is_string()) throw Error(source + ": data recipe holds a name that is not a string");
        out.push_back(s.get<std::string>());
      }
      return out;
    };
    auto pair = [&](const char* key, float& a, float& b) {
      const json& v = field(j, key, is_array, source);
      if (v.size() != 2 || !v[0].is_number() || !v[1].is_number())
        throw Error(source + ": data recipe field '" + key + "' is malformed");
      a = v[0].get<float>();
      b = v[1].get<float>();
    };
    // A name no bpnn writes is a malformed record, named with its file; "automatic" and an empty
    // loss are a record that leaves them to complete_meaning.
    auto named = [&](const char* key, auto parse) {
      try {
        return parse();
      } catch (const Error& e) {
        throw Error(source + ": data recipe field '" + key + "': " + e.what());
      }
    };
    const std::string task = field(j, "task", is_string, source).get<std::string>();
    r.task = task == "automatic" ? Task::automatic : named("task", [&] { return task_from_name(task); });
    r.loss = field(j, "loss", is_string, source).get<std::string>();
    if (!r.loss.empty()) named("loss", [&] { return make_loss<float>(r.loss) != nullptr; });
    if (j.contains("outputs")) {
      const std::string outputs = field(j, "outputs", is_string, source).get<std::string>();
      r.outputs =
          outputs == "automatic" ? OutputReading::automatic : named("outputs", [&] { return reading_named(outputs); });
    }
    pair("one_hot", r.off, r.on);
    r.classes = field(j, "classes", is_count, source).get<std::size_t>();
    r.class_names = strings(field(j, "class_names", is_array, source));
    r.feature_names = strings(field(j, "feature_names", is_array, source));
    r.target_names = strings(field(j, "target_names", is_array, source));
    const json& csv = field(j, "csv", is_object, source);
    r.read.csv.label = field(csv, "label", is_string, source).get<std::string>();
    r.read.csv.target_columns = field(csv, "target_columns", is_count, source).get<std::size_t>();
    r.read.csv.targets = strings(field(csv, "targets", is_array, source));
    const std::string delimiter = field(csv, "delimiter", is_string, source).get<std::string>();
    r.read.csv.delimiter = delimiter.empty() ? 0 : delimiter[0];
    const std::string header = field(csv, "header", is_string, source).get<std::string>();
    r.read.csv.header = header == "yes" ? CsvHeader::yes : header == "no" ? CsvHeader::no : CsvHeader::auto_detect;
    if (csv.contains("drop")) r.read.csv.drop = strings(field(csv, "drop", is_array, source));
    r.read.csv.class_names = r.class_names;
    r.read.csv.class_ids = r.task == Task::classification && r.classes > 0 && r.class_names.empty();
    r.read.csv.feature_names = r.feature_names;
    r.read.csv.target_names = r.target_names;
    pair("idx_range", r.read.idx.low, r.read.idx.high);
    const json& scaling = field(j, "scaling", is_object, source);
    const std::string kind = field(scaling, "kind", is_string, source).get<std::string>();
    r.scaling.kind = named("scaling", [&] { return scaling_kind(kind); });
    r.scaling.shift = field(scaling, "shift", is_array, source).get<std::vector<float>>();
    r.scaling.scale = field(scaling, "scale", is_array, source).get<std::vector<float>>();
    if (r.scaling.shift.size() != r.scaling.scale.size()) throw Error(source + ": data recipe scaling is malformed");
  } catch (const json::exception& e) {
    throw Error(source + ": data recipe is malformed: " + printable(e.what(), 200));
  }
  return r;
}

}  // namespace bpnn
