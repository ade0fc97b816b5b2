// The one layer factory: every kind's config() builds the same layer again, integers are taken
// where numbers are wanted, and every refusal names the field.
#include <gtest/gtest.h>

#include <algorithm>

#include "bpnn/bpnn.hpp"
#include "support/expect_error.hpp"

namespace bpnn {
namespace {

using testing::expect_error;

// A config of every kind with fields off their defaults, as the layers report them; every row of
// the activation table, its option (if any) off its default.
std::vector<LayerConfig> every_kind() {
  using I = std::int64_t;
  std::vector<LayerConfig> configs = {
      {"dense", {{"units", I{4}}, {"bias", false}, {"init", Initializer::normal(0.5, 0.25)}}},
      {"dense", {{"units", I{3}}, {"bias", true}, {"init", Initializer::he_normal()},
                 {"bias_init", Initializer::constant(0.1)}}},
      {"conv2d", {{"filters", I{6}}, {"kernel", I{5}}, {"stride", I{2}}, {"padding", I{1}}, {"bias", true}}},
      {"conv2d", {{"filters", I{2}}, {"kernel", I{3}}, {"stride", I{1}}, {"padding", I{0}}, {"bias", false},
                  {"init", Initializer::xavier_uniform(2.0)}}},
      {"maxpool2d", {{"kernel", I{3}}, {"stride", I{2}}}},
      {"avgpool2d", {{"kernel", I{2}}, {"stride", I{2}}}},
      {"flatten", {}},
      {"batchnorm", {{"momentum", 0.3}, {"eps", 1e-3}, {"affine", false}}},
      {"dropout", {{"p", 0.25}}},
      {"softmax", {}},
  };
  for (const ActivationRow& row : activation_table) {
    LayerConfig config{std::string(row.name), {}};
    const ActivationOption& option = row.option;
    if (!option.name.empty()) config.fields.emplace_back(std::string(option.name), option.default_value + 0.25);
    configs.push_back(config);
  }
  return configs;
}

template <class T>
void expect_round_trip(const LayerConfig& config) {
  const std::unique_ptr<Layer<T>> layer = make_layer<T>(config);
  EXPECT_EQ(layer->kind(), config.kind);
  EXPECT_TRUE(layer->config() == config) << config.kind;
  // And again from what the layer reports.
  const LayerConfig reported = make_layer<T>(layer->config())->config();
  EXPECT_TRUE(reported == layer->config()) << config.kind;
}

TEST(LayerFactory, EveryKindsConfigBuildsTheSameLayer) {
  std::vector<std::string> covered;  // copies: every_kind()'s configs live only as long as the loop
  for (const LayerConfig& config : every_kind()) {
    expect_round_trip<float>(config);
    expect_round_trip<double>(config);
    covered.emplace_back(config.kind);
  }
  for (std::string_view kind : layer_kinds()) {
    EXPECT_NE(std::find(covered.begin(), covered.end(), std::string(kind)), covered.end())
        << "no round trip for " << kind;
  }
}

TEST(LayerFactory, DefaultsNamesAndIntegersForNumbers) {
  // Absent fields take the defaults, which the layer then reports.
  const LayerConfig pool = make_layer<float>({"maxpool2d", {}})->config();
  EXPECT_TRUE(pool == (LayerConfig{"maxpool2d", {{"kernel", std::int64_t{2}}, {"stride", std::int64_t{2}}}}));
  const LayerConfig norm = make_layer<float>({"batchnorm", {}})->config();
  EXPECT_TRUE(norm == (LayerConfig{"batchnorm", {{"momentum", 0.1}, {"eps", 1e-5}, {"affine", true}}}));
  // An initializer by name is that initializer with its defaults.
  const LayerConfig dense =
      make_layer<float>({"dense", {{"units", std::int64_t{2}}, {"init", std::string("uniform")}}})->config();
  ASSERT_NE(dense.find("init"), nullptr);
  EXPECT_TRUE(std::get<Initializer>(*dense.find("init")) == Initializer::uniform(-0.05, 0.05));
  // An integer where a number is wanted: "p": 0, "slope": 1.
  EXPECT_EQ(static_cast<Dropout<float>&>(*make_layer<float>({"dropout", {{"p", std::int64_t{0}}}})).p(), 0.0);
  const auto leaky = make_layer<double>({"leaky_relu", {{"slope", std::int64_t{1}}}});
  EXPECT_EQ(static_cast<Activation<double>&>(*leaky).option(), 1.0);
  // A float model reports the slope it was given, not the slope rounded to float.
  EXPECT_EQ(std::get<double>(*make_layer<float>({"leaky_relu", {{"slope", 0.2}}})->config().find("slope")), 0.2);
}

TEST(LayerFactory, ErrorsNameTheField) {
  using I = std::int64_t;
  expect_error([] { make_layer<float>({"conv", {}}); },
               {"unknown layer type 'conv'; use dense, conv2d, maxpool2d, avgpool2d, flatten, batchnorm, dropout, "
                "sigmoid, tanh, relu, leaky_relu, identity, step", " or softmax"});
  expect_error([] { make_layer<float>({"dense", {{"units", I{2}}, {"unit", I{3}}}}); },
               {"unknown field 'unit'; dense takes units, bias, init or bias_init"});
  expect_error([] { make_layer<float>({"relu", {{"slope", 0.1}}}); }, {"unknown field 'slope'; relu takes no fields"});
  expect_error([] { make_layer<float>({"dropout", {{"p", 0.1}, {"p", 0.2}}}); }, {"field 'p' is given twice"});
  // Wrong types.
  expect_error([] { make_layer<float>({"dense", {}}); }, {"field 'units' must be a positive integer, got nothing"});
  expect_error([] { make_layer<float>({"dense", {{"units", 2.5}}}); },
               {"field 'units' must be a positive integer, got 2.5"});
  expect_error([] { make_layer<float>({"dense", {{"units", I{2}}, {"bias", I{1}}}}); },
               {"field 'bias' must be true or false, got 1"});
  expect_error([] { make_layer<float>({"conv2d", {{"filters", I{2}}, {"kernel", 3.0}}}); },
               {"field 'kernel' must be an integer >= 1, got 3.0"});
  expect_error([] { make_layer<float>({"leaky_relu", {{"slope", std::string("x")}}}); },
               {"field 'slope' must be a number, got \"x\""});
  expect_error([] { make_layer<float>({"batchnorm", {{"affine", std::string("yes")}}}); },
               {"field 'affine' must be true or false"});
  expect_error([] { make_layer<float>({"dense", {{"units", I{2}}, {"init", std::string("magic")}}}); },
               {"field 'init': unknown initializer 'magic'; use zeros"});
  expect_error([] { make_layer<float>({"dense", {{"units", I{2}}, {"bias_init", I{3}}}}); },
               {"field 'bias_init': an initializer is a name or an object"});
  // Out of range.
  expect_error([] { make_layer<float>({"dense", {{"units", I{-3}}}}); },
               {"field 'units' must be a positive integer, got -3"});
  expect_error([] { make_layer<float>({"conv2d", {}}); }, {"field 'filters' must be an integer >= 1, got nothing"});
  expect_error([] { make_layer<float>({"conv2d", {{"filters", I{2}}, {"stride", I{0}}}}); },
               {"field 'stride' must be an integer >= 1, got 0"});
  expect_error([] { make_layer<float>({"maxpool2d", {{"kernel", I{2000000}}}}); },
               {"field 'kernel' must be an integer >= 1"});
  expect_error([] { make_layer<float>({"batchnorm", {{"momentum", 1.5}}}); },
               {"field 'momentum' must lie in [0, 1], got 1.5"});
  expect_error([] { make_layer<float>({"batchnorm", {{"eps", I{0}}}}); }, {"field 'eps' must be > 0, got 0"});
  expect_error([] { make_layer<float>({"dropout", {{"p", I{1}}}}); }, {"field 'p' must lie in [0, 1), got 1"});
}

// The registry's defaults are the layers' own: a layer built with only its required fields reports
// each option at the registry's default (a 0 that stands for another value, "(0: the kernel size)",
// as that value), and its kind under the registry's name.
TEST(LayerFactory, RegistryDefaultsAreTheLayersDefaults) {
  for (const LayerKind& kind : layer_registry()) {
    LayerConfig config{std::string(kind.name), {}};
    for (const Option& o : kind.options) {
      if (o.required) config.fields.emplace_back(std::string(o.name), std::int64_t{3});
    }
    const std::unique_ptr<Layer<float>> layer = make_layer<float>(config);
    EXPECT_EQ(layer->kind(), kind.name);
    const LayerConfig reported = layer->config();
    for (const Option& o : kind.options) {
      if (o.required || o.type == OptionType::initializer || o.meaning.find("(0: ") != std::string_view::npos) continue;
      const ConfigValue* v = reported.find(o.name);
      ASSERT_NE(v, nullptr) << kind.name << " does not report " << o.name;
      const double value = o.type == OptionType::integer ? static_cast<double>(std::get<std::int64_t>(*v))
                           : o.type == OptionType::flag  ? static_cast<double>(std::get<bool>(*v))
                                                         : std::get<double>(*v);
      EXPECT_EQ(value, o.default_value) << kind.name << "." << o.name;
    }
  }
  EXPECT_EQ(layer_kinds().size(), layer_registry().size());
  for (const ActivationRow& row : activation_table) {
    const LayerKind* kind = find_layer_kind(row.name);
    ASSERT_NE(kind, nullptr) << row.name;
    EXPECT_TRUE(kind->activation);
  }
}

// Every initializer's name stands for its kind with its defaults, and back.
TEST(LayerFactory, InitializerNamesRoundTrip) {
  for (const InitializerKind& k : initializer_registry()) {
    const std::optional<Initializer> init = initializer_named(k.name);
    ASSERT_TRUE(init.has_value()) << k.name;
    EXPECT_EQ(init->kind, k.kind);
    EXPECT_EQ(initializer_name(k.kind), k.name);
  }
  EXPECT_FALSE(initializer_named("magic").has_value());
  EXPECT_TRUE(*initializer_named("uniform") == Initializer::uniform(-0.05, 0.05));
  EXPECT_TRUE(*initializer_named("xavier_normal") == Initializer::xavier_normal(1.0));
  // Options by their names, the rest at the name's defaults.
  EXPECT_TRUE(initializer_with("xavier_uniform", {{"gain", 0.5}}) == Initializer::xavier_uniform(0.5));
  EXPECT_TRUE(initializer_with("uniform", {{"high", 0.25}}) == Initializer::uniform(-0.05, 0.25));
  EXPECT_TRUE(initializer_with("he_normal", {}) == Initializer::he_normal());
  expect_error([] { initializer_with("magic", {}); }, {"unknown initializer 'magic'; use zeros, constant"});
  expect_error([] { initializer_with("uniform", {{"lo", 0.1}}); },
               {"uniform: unknown field 'lo'; it takes low or high"});
  expect_error([] { initializer_with("he_uniform", {{"gain", 2.0}}); },
               {"he_uniform: unknown field 'gain'; it takes none"});
}

TEST(LayerFactory, LayerConfigsListTheModelsLayers) {
  Sequential<double> model(Shape{3});
  model.add(Dense<double>({.units = 2}));
  model.add(Activation<double>("sigmoid"));
  const std::vector<LayerConfig> configs = layer_configs(model);
  ASSERT_EQ(configs.size(), 2u);
  EXPECT_TRUE(configs[0] == (LayerConfig{"dense", {{"units", std::int64_t{2}}, {"bias", true}}}));
  EXPECT_TRUE(configs[1] == (LayerConfig{"sigmoid", {}}));
}

// build_model from configs is layer_configs' inverse, and its refusals name the layer.
TEST(LayerFactory, BuildModelFromConfigs) {
  using I = std::int64_t;
  const std::vector<LayerConfig> configs = {
      {"dense", {{"units", I{4}}, {"bias", true}, {"init", Initializer::xavier_uniform(0.5)}}},
      {"leaky_relu", {{"slope", 0.2}}},
      {"dense", {{"units", I{2}}, {"bias", false}}}};
  Sequential<float> model = build_model<float>(Shape{3}, configs);
  EXPECT_TRUE(model.output_shape() == Shape{2});
  EXPECT_TRUE(layer_configs(model) == configs);
  EXPECT_EQ(describe(model).json, describe(build_model<float>(parse_network(describe(model).json, "again"))).json);

  expect_error([] { build_model<float>(Shape{3}, {{"dense", {{"units", I{2}}}}, {"dense", {{"units", I{-1}}}}}); },
               {"layers[1] (dense): field 'units' must be a positive integer, got -1"});
  expect_error([] { build_model<float>(Shape{3}, {{"relu", {}}, {"densely", {}}}); },
               {"layers[1]: unknown layer type 'densely'"});
  expect_error([] { build_model<float>(Shape{3}, {{"conv2d", {{"filters", I{2}}}}}); }, {"layer 0 (conv2d): "});
  expect_error([] { build_model<float>(Shape{0}, {{"relu", {}}}); },
               {"input [0]: a sample shape is 1 to 3 positive sizes"});
  expect_error([] { build_model<float>(Shape{3}, {}); }, {"a network needs at least one layer"});
}

}  // namespace
}  // namespace bpnn
