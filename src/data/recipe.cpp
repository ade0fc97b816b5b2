// The data recipe: fitting and applying input scaling, the task and loss rules, and the JSON a
// model file keeps it in (nlohmann::json, at this edge only).
#include "bpnn/data/recipe.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

#include "bpnn/core/error.hpp"

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
    const double spread = kind == InputScaling::Kind::standardize ? std::sqrt(squares / static_cast<double>(N)) : high - low;
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

namespace {

std::string task_name(Task task) {
  return task == Task::classification ? "classification"
         : task == Task::regression   ? "regression"
         : task == Task::multilabel   ? "multilabel"
                                      : "automatic";
}

// The value of key in object, which must be of the JSON type `is` tests for.
template <class Test>
const json& field(const json& object, const char* key, Test is, const std::string& source) {
  if (!object.contains(key) || !is(object[key])) throw Error(source + ": data recipe field '" + key + "' is missing or malformed");
  return object[key];
}

}  // namespace

std::string recipe_to_json(const DataRecipe& r) {
  const CsvOptions& csv = r.read.csv;
  json j = {{"task", task_name(r.task)},
            {"loss", r.loss},
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
            {"scaling", {{"kind", scaling_name(r.scaling.kind)}, {"shift", r.scaling.shift}, {"scale", r.scaling.scale}}}};
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
      if (v.size() != 2 || !v[0].is_number() || !v[1].is_number()) throw Error(source + ": data recipe field '" + key + "' is malformed");
      a = v[0].get<float>();
      b = v[1].get<float>();
    };
    const std::string task = field(j, "task", is_string, source).get<std::string>();
    r.task = task == "classification" ? Task::classification
             : task == "regression"   ? Task::regression
             : task == "multilabel"   ? Task::multilabel
                                      : Task::automatic;
    r.loss = field(j, "loss", is_string, source).get<std::string>();
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
    r.scaling.kind = scaling_kind(field(scaling, "kind", is_string, source).get<std::string>());
    r.scaling.shift = field(scaling, "shift", is_array, source).get<std::vector<float>>();
    r.scaling.scale = field(scaling, "scale", is_array, source).get<std::vector<float>>();
    if (r.scaling.shift.size() != r.scaling.scale.size()) throw Error(source + ": data recipe scaling is malformed");
  } catch (const json::exception& e) {
    throw Error(source + ": data recipe is malformed: " + printable(e.what(), 200));
  }
  return r;
}

}  // namespace bpnn
