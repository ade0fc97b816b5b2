// What a model is (bpnn/data/recipe.hpp): the meaning inferred from a network's output layer where
// nothing records it, the contradictions refused, overrides, and model files that always carry it,
// old ones (without it) read with the inferred meaning.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>

#include "bpnn/bpnn.hpp"
#include "support/expect_error.hpp"

namespace bpnn {
namespace {

using testing::expect_error;

struct Inferred {
  std::string layer;
  std::size_t outputs;
  std::string loss;  // recorded ("": none)
  Task task;         // recorded (automatic: none)
  Task want_task;
  std::string want_loss;
  OutputReading want_reading;
  std::size_t want_classes;
};

TEST(Meaning, InferredFromTheOutputLayer) {
  using R = OutputReading;
  const Task a = Task::automatic, c = Task::classification, r = Task::regression, m = Task::multilabel;
  const Inferred cases[] = {
      {"softmax", 10, "", a, c, "cross_entropy", R::probabilities, 10},  // already probabilities
      {"sigmoid", 1, "", a, c, "bce", R::probabilities, 2},              // binary
      {"sigmoid", 3, "", a, c, "mse", R::probabilities, 3},              // one sigmoid per class (tutorials)
      {"dense", 1, "", a, r, "mse", R::values, 0},                       // a value
      {"dense", 10, "", a, c, "cross_entropy", R::logits, 10},           // logits (PyTorch classifiers)
      {"relu", 4, "", a, c, "cross_entropy", R::logits, 4},              // read as linear
      {"dense", 3, "mse", a, r, "mse", R::values, 0},                    // several values
      {"dense", 2, "mae", a, r, "mae", R::values, 0},
      {"dense", 3, "cross_entropy", a, c, "cross_entropy", R::logits, 3},
      {"sigmoid", 1, "mse", a, c, "mse", R::probabilities, 2},           // the tutorials' XOR
      {"softmax", 4, "mse", a, c, "mse", R::probabilities, 4},
      {"dense", 3, "", r, r, "mse", R::values, 0},                       // recorded task kept
      {"sigmoid", 4, "", m, m, "bce", R::probabilities, 0},
      {"dense", 4, "", m, m, "mse", R::probabilities, 0},
      {"sigmoid", 2, "mae", r, r, "mae", R::values, 0},                  // recorded: kept as it is
      {"dense", 1, "", c, c, "mse", R::probabilities, 2},                // one output trained on 0/1
  };
  for (const Inferred& k : cases) {
    DataRecipe recipe;
    recipe.loss = k.loss;
    recipe.task = k.task;
    complete_meaning(recipe, k.layer, k.outputs);
    const std::string at = k.layer + " x" + std::to_string(k.outputs) + " loss '" + k.loss + "'";
    EXPECT_EQ(task_name(recipe.task), task_name(k.want_task)) << at;
    EXPECT_EQ(recipe.loss, k.want_loss) << at;
    EXPECT_EQ(reading_name(recipe.outputs), reading_name(k.want_reading)) << at;
    EXPECT_EQ(recipe.classes, k.want_classes) << at;
    // A regression's CSV targets are its last columns, one per output.
    EXPECT_EQ(recipe.read.csv.target_columns, k.want_task == r ? k.outputs : 0) << at;
    if (k.task == a) check_meaning(recipe, k.layer, k.outputs);  // what it infers holds
  }
}

TEST(Meaning, OutputLayerLooksThroughDropoutAndFlatten) {
  const Sequential<float> model = build_model<float>(parse_network(
      R"({"input": [6], "layers": [{"type": "dense", "units": 3}, {"type": "softmax"}, {"type": "dropout"}]})", "net"));
  EXPECT_EQ(output_layer_kind(model), "softmax");
  DataRecipe recipe;
  complete_meaning(recipe, model);
  EXPECT_EQ(recipe.outputs, OutputReading::probabilities);
  EXPECT_EQ(recipe.classes, 3u);
}

TEST(Meaning, ContradictionsAreErrorsSayingWhatToUse) {
  auto check = [](Task task, const std::string& loss, const std::string& layer, std::size_t outputs) {
    DataRecipe recipe;
    recipe.task = task;
    recipe.loss = loss;
    check_meaning(recipe, layer, outputs);
  };
  expect_error([&] { check(Task::regression, "mse", "softmax", 3); },
               {"regression on a network that ends in softmax", "class probabilities"});
  expect_error([&] { check(Task::regression, "cross_entropy", "dense", 3); }, {"cross_entropy needs class labels"});
  expect_error([&] { check(Task::classification, "cross_entropy", "sigmoid", 1); },
               {"cross_entropy needs one output per class", "has 1", "use bce"});
  expect_error([&] { check(Task::classification, "bce", "dense", 1); },
               {"bce takes probabilities", "ends in 'dense'", "use mse"});
  expect_error([&] { check(Task::classification, "hinge", "dense", 3); }, {"unknown loss 'hinge'", "cross_entropy"});
  DataRecipe wrong_reading;
  wrong_reading.task = Task::classification;
  wrong_reading.loss = "cross_entropy";
  wrong_reading.outputs = OutputReading::logits;
  expect_error([&] { check_meaning(wrong_reading, "softmax", 4); },
               {"outputs read as logits", "makes them probabilities"});
  // What fits passes.
  check(Task::classification, "bce", "softmax", 4);
  check(Task::regression, "mse", "sigmoid", 2);
}

TEST(Meaning, OverridesReinferWhatFollowsAndRefuseContradictions) {
  const Sequential<float> logits = build_model<float>(parse_network("4-8tanh-3", "net"));
  const Sequential<float> softmax = build_model<float>(parse_network(
      R"({"input": [4], "layers": [{"type": "dense", "units": 3}, {"type": "softmax"}]})", "net"));
  DataRecipe recipe;
  complete_meaning(recipe, logits);
  ASSERT_EQ(recipe.loss, "cross_entropy");
  // A new task drops the loss it implied: regression of 3 values with mse.
  override_meaning(recipe, "regression", "", logits);
  EXPECT_EQ(recipe.task, Task::regression);
  EXPECT_EQ(recipe.loss, "mse");
  EXPECT_EQ(recipe.outputs, OutputReading::values);
  EXPECT_EQ(recipe.classes, 0u);
  // Back to classification, with mse on one-hot rows: outputs read as they are.
  override_meaning(recipe, "classification", "mse", logits);
  EXPECT_EQ(recipe.outputs, OutputReading::probabilities);
  EXPECT_EQ(recipe.classes, 3u);
  EXPECT_EQ(recipe.read.csv.target_columns, 0u);
  // Nothing given: nothing changes.
  const std::string before = recipe_to_json(recipe);
  override_meaning(recipe, "", "", logits);
  EXPECT_EQ(recipe_to_json(recipe), before);

  DataRecipe on_softmax;
  complete_meaning(on_softmax, softmax);
  expect_error([&] { override_meaning(on_softmax, "regression", "", softmax); }, {"ends in softmax"});
  DataRecipe on_logits;
  expect_error([&] { override_meaning(on_logits, "", "bce", logits); }, {"bce takes probabilities", "'dense'"});
  expect_error([&] { override_meaning(on_logits, "binary", "", logits); },
               {"task binary needs one output", "has 3", "use classification"});
  expect_error([&] { override_meaning(on_logits, "ranking", "", logits); }, {"unknown task 'ranking'", "binary"});
}

// A model file's bytes with its metadata changed by edit, the tensors untouched: how files written
// before bpnn recorded a model's meaning looked.
template <class Edit>
std::string with_metadata(const std::string& bytes, Edit edit) {
  std::uint64_t length = 0;
  std::memcpy(&length, bytes.data(), 8);
  nlohmann::json header = nlohmann::json::parse(bytes.substr(8, length));
  edit(header["__metadata__"]);
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  const std::uint64_t new_length = text.size();
  std::string out(8, '\0');
  std::memcpy(out.data(), &new_length, 8);
  return out + text + bytes.substr(8 + length);
}

TEST(ModelMeaning, EveryWriterRecordsItSaveModelWithNoneToo) {
  Sequential<float> regression = build_model<float>(parse_network("3-8tanh-1", "net"));
  Rng rng(1);
  regression.initialize(rng);
  const std::string bytes = model_bytes(regression);  // as save_model(path, model) writes it
  std::uint64_t length = 0;
  std::memcpy(&length, bytes.data(), 8);
  const auto meta = nlohmann::json::parse(bytes.substr(8, length))["__metadata__"];
  const auto data = nlohmann::json::parse(meta["bpnn.data"].get<std::string>());
  EXPECT_EQ(data["task"], "regression");
  EXPECT_EQ(data["loss"], "mse");
  EXPECT_EQ(data["outputs"], "values");
  const LoadedModel<float> loaded = load_model_bytes<float>(bytes);
  EXPECT_EQ(loaded.recipe.task, Task::regression);
  EXPECT_EQ(loaded.metadata.count("bpnn.data"), 0u);  // the recipe is LoadedModel::recipe

  // A writer's own record is kept and completed: a two-value regression on sigmoids.
  Sequential<float> sigmoids = build_model<float>(parse_network("2-2sigmoid-2sigmoid", "net"));
  sigmoids.initialize(rng);
  DataRecipe given;
  given.task = Task::regression;
  given.loss = "mse";
  const LoadedModel<float> kept =
      load_model_bytes<float>(model_bytes(sigmoids, {{"bpnn.data", recipe_to_json(given)}}));
  EXPECT_EQ(kept.recipe.task, Task::regression);
  EXPECT_EQ(kept.recipe.outputs, OutputReading::values);
}

TEST(ModelMeaning, OldFilesLoadWithTheInferredMeaning) {
  Rng rng(2);
  auto old_bytes = [&](const std::string& net, auto edit) {
    Sequential<float> model = build_model<float>(parse_network(net, "net"));
    model.initialize(rng);
    return with_metadata(model_bytes(model), edit);
  };
  auto no_meaning = [](nlohmann::json& m) { m.erase("bpnn.data"); };
  // No record at all (import, save_model and Python before): the output layer decides.
  const LoadedModel<float> value = load_model_bytes<float>(old_bytes("3-8tanh-1", no_meaning), "old.safetensors");
  EXPECT_EQ(value.recipe.task, Task::regression);
  EXPECT_EQ(value.recipe.loss, "mse");
  const LoadedModel<float> logits = load_model_bytes<float>(old_bytes("3-8tanh-4", no_meaning), "old.safetensors");
  EXPECT_EQ(logits.recipe.task, Task::classification);  // as such files were always read
  EXPECT_EQ(logits.recipe.outputs, OutputReading::logits);
  const LoadedModel<float> probabilities = load_model_bytes<float>(
      old_bytes(R"({"input": [3], "layers": [{"type": "dense", "units": 4}, {"type": "softmax"}]})", no_meaning),
      "old.safetensors");
  EXPECT_EQ(probabilities.recipe.outputs, OutputReading::probabilities);  // no second softmax
  EXPECT_EQ(probabilities.recipe.classes, 4u);
  // The first recorded keys, bpnn.loss and bpnn.targets (the playground's and the worked example's).
  const LoadedModel<float> legacy = load_model_bytes<float>(old_bytes("2-2sigmoid-2sigmoid", [](nlohmann::json& m) {
    m.erase("bpnn.data");
    m["bpnn.loss"] = "mse";
    m["bpnn.targets"] = "0.01,0.99";
  }));
  EXPECT_EQ(legacy.recipe.loss, "mse");
  EXPECT_EQ(legacy.recipe.on, 0.99f);
  EXPECT_EQ(legacy.recipe.task, Task::classification);
  EXPECT_EQ(legacy.metadata.at("bpnn.loss"), "mse");
  // bpnn train's recipe before "outputs" was recorded: read, and the reading inferred.
  const LoadedModel<float> trained = load_model_bytes<float>(old_bytes("4-8tanh-3", [](nlohmann::json& m) {
    auto recipe = nlohmann::json::parse(m["bpnn.data"].get<std::string>());
    recipe.erase("outputs");
    recipe["task"] = "classification";
    recipe["classes"] = 3;
    recipe["class_names"] = {"setosa", "versicolor", "virginica"};
    m["bpnn.data"] = recipe.dump();
  }));
  EXPECT_EQ(trained.recipe.outputs, OutputReading::logits);
  EXPECT_EQ(trained.recipe.class_names.at(2), "virginica");
  // A malformed record is an error naming the file.
  expect_error([&] {
    load_model_bytes<float>(old_bytes("3-1", [](nlohmann::json& m) {
      auto recipe = nlohmann::json::parse(m["bpnn.data"].get<std::string>());
      recipe["outputs"] = "odds";
      m["bpnn.data"] = recipe.dump();
    }), "odd.safetensors");
  }, {"odd.safetensors", "'outputs'", "unknown output reading 'odds'"});
}

TEST(ModelMeaning, CrossEntropyOfProbabilitiesIsMinusLogOfTheTrueClass) {
  // A softmax model evaluated with cross_entropy gives what cross_entropy gives on its logits.
  const Sequential<double> with_softmax = build_model<double>(parse_network(
      R"({"input": [3], "layers": [{"type": "identity"}, {"type": "softmax"}]})", "net"));
  const Sequential<double> logits_only = build_model<double>(parse_network(
      R"({"input": [3], "layers": [{"type": "identity"}]})", "net"));
  const Tensor<double> x(Shape{2, 3}, {0.5, -1.0, 2.0, 3.0, 0.0, -2.0});
  const Tensor<double> labels(Shape{2}, {2, 1});
  const CrossEntropy<double> ce;
  const Evaluation p = evaluate(with_softmax, ce, x.view(), labels.view(), 256, Task::classification,
                                OutputReading::probabilities);
  const Evaluation z = evaluate(logits_only, ce, x.view(), labels.view(), 256, Task::classification,
                                OutputReading::logits);
  // By hand: -(log softmax(x0)[2] + log softmax(x1)[1]) / 2.
  const double l0 = 2.0 - std::log(std::exp(0.5) + std::exp(-1.0) + std::exp(2.0));
  const double l1 = 0.0 - std::log(std::exp(3.0) + std::exp(0.0) + std::exp(-2.0));
  EXPECT_NEAR(z.loss, -(l0 + l1) / 2, 1e-12);
  EXPECT_NEAR(p.loss, z.loss, 1e-12);
  EXPECT_EQ(p.predicted, z.predicted);
  // Without the reading, probabilities would go through softmax a second time.
  const Evaluation twice = evaluate(with_softmax, ce, x.view(), labels.view(), 256, Task::classification);
  EXPECT_GT(std::abs(twice.loss - z.loss), 0.1);
}

TEST(ModelMeaning, ClassProbabilitiesByReading) {
  const Backend<float>& backend = *default_backend<float>();
  const Tensor<float> y(Shape{1, 2}, {0.25f, 0.75f});
  const Tensor<float> as_is = class_probabilities(backend, OutputReading::probabilities, y.view());
  EXPECT_EQ(as_is[0], 0.25f);
  EXPECT_EQ(as_is[1], 0.75f);
  const Tensor<float> soft = class_probabilities(backend, OutputReading::logits, y.view());
  EXPECT_NEAR(soft[1], 1.0 / (1.0 + std::exp(-0.5)), 1e-7);
  const Tensor<float> one(Shape{2, 1}, {0.2f, 3.5f});
  EXPECT_EQ(class_probabilities(backend, OutputReading::probabilities, one.view()).shape(), (Shape{2, 2}));
  EXPECT_EQ(class_probabilities(backend, OutputReading::values, one.view())[1], 3.5f);  // a value stays one
}

TEST(ModelMeaning, OneOutputTakesZeroOneLabelsAsAColumn) {
  Dataset d;
  d.inputs = Tensor<float>(Shape{3, 2});
  d.targets = Tensor<float>(Shape{3}, {0, 1, 1});
  d.classes = 2;
  d.source = "xor.csv";
  const Tensor<float> t = prepare_targets(d, 1, {.loss = "mse", .off = 0.1f, .on = 0.9f});
  EXPECT_EQ(t.shape(), (Shape{3, 1}));
  EXPECT_EQ(t[0], 0.1f);
  EXPECT_EQ(t[2], 0.9f);
  // cross_entropy cannot read one output: it needs one per class.
  expect_error([&] { prepare_targets(d, 1, {.loss = "cross_entropy"}); },
               {"xor.csv", "two classes on one output", "cross_entropy needs one output per class"});
}

}  // namespace
}  // namespace bpnn
