// What the library decides for every front end: the optimizer and schedule factories (defaults and
// the errors for options that do not apply), target preparation, the validation hold-out, the
// batched predict loop, and the fit's sampler.
#include <gtest/gtest.h>

#include <numeric>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "bpnn/bpnn.hpp"

namespace bpnn {
namespace {

// Expects f to throw bpnn::Error whose message contains every one of parts.
template <class F>
void expect_error(F f, std::initializer_list<std::string> parts) {
  try {
    f();
    ADD_FAILURE() << "no Error thrown";
  } catch (const Error& e) {
    for (const std::string& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
  }
}

TEST(MakeOptimizer, DefaultsAreTodays) {
  auto sgd = make_optimizer<float>({});
  auto* s = dynamic_cast<Sgd<float>*>(sgd.get());
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->options().learning_rate, 0.1);
  EXPECT_EQ(s->options().momentum, 0.0);
  EXPECT_EQ(s->options().weight_decay, 0.0);

  auto momentum = make_optimizer<float>({.name = "momentum"});
  auto* m = dynamic_cast<Sgd<float>*>(momentum.get());
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->options().momentum, 0.9);
  EXPECT_FALSE(m->options().nesterov);

  auto adam = make_optimizer<float>({.name = "adam"});
  auto* a = dynamic_cast<Adam<float>*>(adam.get());
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->options().learning_rate, 0.001);
  EXPECT_EQ(a->options().beta1, 0.9);
  EXPECT_EQ(a->options().beta2, 0.999);
  EXPECT_EQ(a->options().eps, 1e-8);
  EXPECT_EQ(a->options().weight_decay, 0.0);
  EXPECT_FALSE(a->options().decoupled_weight_decay);

  auto adamw = make_optimizer<double>({.name = "adamw"});
  auto* w = dynamic_cast<Adam<double>*>(adamw.get());
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->options().learning_rate, 0.001);
  EXPECT_EQ(w->options().weight_decay, 0.01);
  EXPECT_TRUE(w->options().decoupled_weight_decay);
}

TEST(MakeOptimizer, GivenOptionsAreUsed) {
  auto opt = make_optimizer<float>(
      {.name = "momentum", .learning_rate = 0.05, .momentum = 0.5, .nesterov = true, .weight_decay = 0.001});
  const auto& o = dynamic_cast<Sgd<float>&>(*opt).options();
  EXPECT_EQ(o.learning_rate, 0.05);
  EXPECT_EQ(o.momentum, 0.5);
  EXPECT_TRUE(o.nesterov);
  EXPECT_EQ(o.weight_decay, 0.001);
  auto adamw = make_optimizer<float>({.name = "adamw", .weight_decay = 0.0, .beta2 = 0.99});
  EXPECT_EQ(dynamic_cast<Adam<float>&>(*adamw).options().weight_decay, 0.0);
  EXPECT_EQ(dynamic_cast<Adam<float>&>(*adamw).options().beta2, 0.99);
}

TEST(MakeOptimizer, RefusesUnknownNamesAndOptionsThatDoNotApply) {
  expect_error([] { make_optimizer<float>({.name = "lbfgs"}); }, {"lbfgs", "sgd, momentum, adam, adamw, rmsprop"});
  expect_error([] { make_optimizer<float>({.name = "sgd", .momentum = 0.9}); }, {"'sgd'", "momentum"});
  expect_error([] { make_optimizer<float>({.name = "adam", .momentum = 0.9}); }, {"'adam'", "momentum"});
  expect_error([] { make_optimizer<float>({.name = "sgd", .nesterov = true}); }, {"'sgd'", "nesterov"});
  expect_error([] { make_optimizer<float>({.name = "adamw", .nesterov = true}); }, {"'adamw'", "nesterov"});
  expect_error([] { make_optimizer<float>({.name = "sgd", .beta1 = 0.8}); }, {"'sgd'", "beta1"});
  expect_error([] { make_optimizer<float>({.name = "momentum", .eps = 1e-6}); }, {"'momentum'", "eps"});
  // Values the optimizer itself refuses still fail there.
  EXPECT_THROW(make_optimizer<float>({.name = "momentum", .momentum = 0.0, .nesterov = true}), Error);
  EXPECT_THROW(make_optimizer<float>({.name = "adam", .beta1 = 1.0}), Error);
}

TEST(MakeSchedule, NamesDefaultsAndErrors) {
  EXPECT_EQ(make_schedule("constant").kind, LrSchedule::Kind::constant);
  EXPECT_EQ(make_schedule("cosine").kind, LrSchedule::Kind::cosine);
  const LrSchedule step = make_schedule("step");
  EXPECT_EQ(step.kind, LrSchedule::Kind::step);
  EXPECT_EQ(step.step_size, 1u);
  EXPECT_EQ(step.gamma, 0.1);
  const LrSchedule given = make_schedule("step", 3, 0.5);
  EXPECT_EQ(given.step_size, 3u);
  EXPECT_EQ(given.gamma, 0.5);
  expect_error([] { make_schedule("linear"); }, {"linear", "constant, step, cosine"});
  expect_error([] { make_schedule("cosine", 2); }, {"'cosine'", "step_size"});
  expect_error([] { make_schedule("constant", std::nullopt, 0.5); }, {"'constant'", "gamma"});
  EXPECT_THROW(make_schedule("step", 0), Error);
}

// Every row of the registry builds, and the errors list the registry's names.
TEST(Registry, EveryNameBuildsAndErrorsListTheNames) {
  for (const OptimizerKind& k : optimizer_registry()) {
    EXPECT_NE(make_optimizer<float>({.name = std::string(k.name)}), nullptr);
  }
  for (const ScheduleKind& k : schedule_registry()) EXPECT_NO_THROW(make_schedule(k.name));
  for (const LossKind& k : loss_registry()) EXPECT_NE(make_loss<double>(k.name), nullptr);
  expect_error([] { make_loss<float>("hinge"); }, {"unknown loss 'hinge'; use mse, mae, bce or cross_entropy"});
  // The optimizers an option goes with, from their rows.
  expect_error([] { make_optimizer<float>({.name = "sgd", .momentum = 0.9}); },
               {"optimizer 'sgd' has no momentum option; it takes learning_rate, weight_decay",
                "(momentum goes with 'momentum' and 'rmsprop')"});
  expect_error([] { make_schedule("cosine", 2); }, {"step_size goes with the schedule step"});
  for (const ArithmeticKind& k : arithmetic_registry()) {
    EXPECT_EQ(arithmetic_named(k.name), k.arithmetic);
    EXPECT_EQ(arithmetic_name(k.arithmetic), k.name);
  }
  expect_error([] { arithmetic_named("exact"); }, {"unknown arithmetic 'exact'; use fast or portable"});
}

// The registry as JSON: every table, each row's options with their defaults and rules.
TEST(Registry, JsonHoldsEveryTable) {
  const nlohmann::json r = nlohmann::json::parse(registry_json());
  ASSERT_EQ(r["layers"].size(), layer_registry().size());
  ASSERT_EQ(r["activations"].size(), activation_count);
  ASSERT_EQ(r["losses"].size(), loss_registry().size());
  ASSERT_EQ(r["optimizers"].size(), optimizer_registry().size());
  ASSERT_EQ(r["schedules"].size(), schedule_registry().size());
  ASSERT_EQ(r["initializers"].size(), initializer_registry().size());
  ASSERT_EQ(r["arithmetics"].size(), arithmetic_registry().size());
  EXPECT_EQ(r["arithmetics"][1]["name"], "portable");
  const nlohmann::json& dense = r["layers"][0];
  EXPECT_EQ(dense["name"], "dense");
  EXPECT_EQ(dense["options"][0]["name"], "units");
  EXPECT_EQ(dense["options"][0]["required"], true);
  EXPECT_EQ(dense["options"][0]["rule"], "be a positive integer");
  const nlohmann::json* leaky = nullptr;
  for (const nlohmann::json& a : r["activations"]) leaky = a["name"] == "leaky_relu" ? &a : leaky;
  ASSERT_NE(leaky, nullptr);
  EXPECT_EQ((*leaky)["option"]["name"], "slope");
  EXPECT_EQ((*leaky)["option"]["default"], 0.01);
  EXPECT_EQ((*leaky)["onnx"], "LeakyRelu(x, alpha=slope)");
  const nlohmann::json& adamw = r["optimizers"][3];
  EXPECT_EQ(adamw["name"], "adamw");
  EXPECT_EQ(adamw["options"][4]["name"], "weight_decay");
  EXPECT_EQ(adamw["options"][4]["default"], 0.01);
}

Dataset labelled(std::size_t N, std::size_t features, std::size_t classes) {
  Dataset d;
  d.inputs = Tensor<float>(Shape{N, features});
  for (std::size_t i = 0; i < d.inputs.size(); ++i) d.inputs[i] = static_cast<float>(i);
  d.targets = Tensor<float>(Shape{N});
  for (std::size_t n = 0; n < N; ++n) d.targets[n] = static_cast<float>(n % classes);
  d.classes = classes;
  d.source = "labels.csv";
  return d;
}

TEST(PrepareData, TargetsTakeTheShapeTheLossWants) {
  const PreparedData ce = prepare_data(labelled(4, 6, 3), Shape{2, 3}, 3, {.loss = "cross_entropy"});
  EXPECT_EQ(ce.targets.shape(), (Shape{4}));
  EXPECT_EQ(ce.inputs().shape(), (Shape{4, 2, 3}));
  EXPECT_EQ(ce.inputs()[7], 7.0f);

  const PreparedData mse = prepare_data(labelled(4, 6, 3), Shape{6}, 3, {.loss = "mse", .off = 0.01f, .on = 0.99f});
  ASSERT_EQ(mse.targets.shape(), (Shape{4, 3}));
  for (std::size_t n = 0; n < 4; ++n) {
    for (std::size_t k = 0; k < 3; ++k) EXPECT_EQ(mse.targets(n, k), k == n % 3 ? 0.99f : 0.01f);
  }

  Dataset regression;
  regression.inputs = Tensor<float>(Shape{2, 2});
  regression.targets = Tensor<float>(Shape{2, 1}, {0.5f, -0.5f});
  regression.source = "r.csv";
  EXPECT_EQ(prepare_targets(regression, 1, {.loss = "mse"}).shape(), (Shape{2, 1}));
  expect_error([&] { prepare_targets(regression, 2, {.loss = "mse"}); }, {"r.csv", "targets", "2 outputs"});
}

TEST(PrepareData, ErrorsNameTheFile) {
  expect_error([] { prepare_targets(labelled(4, 2, 3), 2); }, {"labels.csv", "sample 2", "label 2", "only 2 outputs"});
  expect_error([] { prepare_data(labelled(4, 5, 2), Shape{6}, 2); }, {"labels.csv", "5 values", "(6)"});
  Dataset empty;
  empty.source = "empty.csv";
  expect_error([&] { prepare_data(empty, Shape{6}, 2); }, {"empty.csv", "no samples"});
}

TEST(PrepareData, TwoClassesOnOneOutputAreItsProbabilityOfClass1) {
  const Tensor<float> bce = prepare_targets(labelled(4, 2, 2), 1, {.loss = "bce"});
  ASSERT_EQ(bce.shape(), (Shape{4, 1}));
  EXPECT_EQ(bce[0], 0.0f);
  EXPECT_EQ(bce[1], 1.0f);
  const Tensor<float> mse = prepare_targets(labelled(4, 2, 2), 1, {.loss = "mse", .off = 0.1f, .on = 0.9f});
  EXPECT_EQ(mse[2], 0.1f);
  EXPECT_EQ(mse[3], 0.9f);
  expect_error([] { prepare_targets(labelled(4, 2, 2), 1, {.loss = "cross_entropy"}); },
               {"labels.csv", "two classes on one output", "end the network in sigmoid", "or give it 2 outputs"});
  // Class names are one per output: wine's three classes on four outputs leave one unused.
  Dataset wine = labelled(3, 2, 3);
  wine.class_names = {"1", "2", "3"};
  expect_error([&] { prepare_targets(wine, 4); },
               {"labels.csv", "the labels are 3 classes (1, 2, 3), and the network has 4 outputs",
                "one output per class (3)"});
  EXPECT_EQ(prepare_targets(wine, 3).shape(), (Shape{3}));
}

TEST(DataRecipe, DefaultLossAndWhatLaterFilesAreReadBy) {
  DataRecipe binary;
  binary.task = Task::classification;
  binary.classes = 2;
  EXPECT_EQ(default_loss(binary, 1, "sigmoid"), "bce");
  EXPECT_EQ(default_loss(binary, 1, "dense"), "cross_entropy");
  EXPECT_EQ(default_loss(binary, 2, "dense"), "cross_entropy");
  DataRecipe regression;
  regression.task = Task::regression;
  EXPECT_EQ(default_loss(regression, 1, "sigmoid"), "mse");

  Dataset training = labelled(2, 2, 3);
  training.feature_names = {"a", "b"};
  training.target_names = {"species"};
  training.dropped_names = {"id"};
  DataRecipe recipe;
  recipe.read.csv.drop = {"0"};
  learn_from(recipe, training);
  EXPECT_TRUE(recipe.read.csv.class_ids);
  EXPECT_EQ(recipe.read.csv.feature_names, training.feature_names);
  EXPECT_EQ(recipe.read.csv.drop, (std::vector<std::string>{"id"}));  // by name, as the header had it
  const DataRecipe back = recipe_from_json(recipe_to_json(recipe), "m.safetensors");
  EXPECT_TRUE(back.read.csv.class_ids);
  EXPECT_EQ(back.read.csv.feature_names, training.feature_names);
  EXPECT_EQ(back.read.csv.target_names, training.target_names);
  EXPECT_EQ(back.read.csv.drop, (std::vector<std::string>{"id"}));
  training.class_names = {"x", "y", "z"};
  learn_from(recipe, training);
  EXPECT_FALSE(recipe_from_json(recipe_to_json(recipe), "m.safetensors").read.csv.class_ids);
}

TEST(SplitValidation, SizesFileOrderAndSeededChoice) {
  auto split = [](std::uint64_t seed) {
    PreparedData data = prepare_data(labelled(10, 2, 2), Shape{2}, 2);
    Rng rng(seed);
    PreparedData validation = split_validation(data, 0.3, rng);
    return std::pair{std::move(data), std::move(validation)};
  };
  auto [train, validation] = split(7);
  EXPECT_EQ(train.dataset.size(), 7u);
  EXPECT_EQ(validation.dataset.size(), 3u);
  EXPECT_EQ(validation.targets.shape(), (Shape{3}));
  // Every sample lands on exactly one side, each side in file order (inputs are 2n, 2n + 1).
  std::set<float> seen;
  for (const PreparedData* part : {&train, &validation}) {
    for (std::size_t n = 0; n < part->dataset.size(); ++n) {
      seen.insert(part->dataset.inputs[2 * n]);
      if (n > 0) {
        EXPECT_LT(part->dataset.inputs[2 * (n - 1)], part->dataset.inputs[2 * n]);
      }
    }
  }
  EXPECT_EQ(seen.size(), 10u);
  auto [train2, validation2] = split(7);
  EXPECT_EQ(std::vector<float>(validation.dataset.inputs.data(), validation.dataset.inputs.data() + 6),
            std::vector<float>(validation2.dataset.inputs.data(), validation2.dataset.inputs.data() + 6));
  PreparedData data = prepare_data(labelled(4, 2, 2), Shape{2}, 2);
  Rng rng(1);
  expect_error([&] { split_validation(data, 0.01, rng); }, {"0.01", "4 samples", "leaves no"});
}

TEST(Predict, EqualsInferOnEachSample) {
  Sequential<float> model(Shape{3});
  model.add(Dense<float>({.units = 5}));
  model.add(Activation<float>("tanh"));
  model.add(Dense<float>({.units = 2}));
  Rng rng(4);
  model.initialize(rng);
  Tensor<float> x(Shape{7, 3});
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 5) * 0.3f - 0.6f;
  const Tensor<float> y = predict(model, x, /*batch_size=*/3);
  ASSERT_EQ(y.shape(), (Shape{7, 2}));
  Sequential<float>::Workspace workspace;
  for (std::size_t n = 0; n < 7; ++n) {
    const TensorView<const float> one = model.infer(x.view().samples(n, 1), workspace);
    for (std::size_t k = 0; k < 2; ++k) EXPECT_NEAR(y(n, k), one[k], 1e-6f) << n << "," << k;
  }
  EXPECT_THROW(predict(model, x, 0), Error);
  EXPECT_THROW(predict(model, Tensor<float>(Shape{2, 4}), 8), Error);
}

TEST(Sampler, FileOrderAndTheFisherYatesShuffle) {
  Rng rng(9), before(9);
  const Sampler in_order(7, 3, false);
  EXPECT_EQ(in_order.batches(), 3u);
  const std::vector<std::size_t> order = in_order.order(1, rng);
  EXPECT_EQ(order, (std::vector<std::size_t>{0, 1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(rng.next(), before.next());  // file order draws nothing
  const auto last = in_order.batch(order, 2);
  EXPECT_EQ(std::vector<std::size_t>(last.begin(), last.end()), (std::vector<std::size_t>{6}));
  EXPECT_THROW(in_order.batch(order, 3), Error);

  // The shuffle is the one fit always drew: Fisher-Yates from the back with rng.below.
  Rng a(5), b(5);
  const std::vector<std::size_t> shuffled = Sampler(7, 3, true).order(1, a);
  std::vector<std::size_t> expected(7);
  std::iota(expected.begin(), expected.end(), std::size_t{0});
  for (std::size_t i = 7; i > 1; --i) std::swap(expected[i - 1], expected[b.below(i)]);
  EXPECT_EQ(shuffled, expected);
  EXPECT_EQ(a.next(), b.next());
  EXPECT_THROW(Sampler(7, 0, true), Error);
}

}  // namespace
}  // namespace bpnn
