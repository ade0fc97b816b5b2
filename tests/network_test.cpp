// Network descriptions (JSON and compact) and safetensors model files: what they build, round
// trips, and a clear error naming the file, layer and field for every defect.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <limits>
#include <vector>
#include <nlohmann/json.hpp>

#include "bpnn/bpnn.hpp"
#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"

namespace bpnn {
namespace {

using testing::expect_error;
using testing::TempDir;

TEST(Network, JsonBuildsTheLayers) {
  const Network n = parse_network(R"({"input": [4], "layers": [
      {"type": "dense", "units": 3, "init": "he_normal", "bias_init": {"type": "constant", "value": 0.5}},
      {"type": "leaky_relu", "slope": 0.2}, {"type": "dense", "units": 2, "bias": false}, {"type": "softmax"}]})",
                                  "net.json");
  EXPECT_EQ(n.input, (Shape{4}));
  Sequential<float> model = build_model<float>(n);
  ASSERT_EQ(model.size(), 4u);
  EXPECT_EQ(model.layer(1).kind(), "leaky_relu");
  EXPECT_EQ(static_cast<Activation<float>&>(model.layer(1)).option(), 0.2);
  EXPECT_EQ(model.parameters().count(), 3u);  // 0.weight, 0.bias, 2.weight
  EXPECT_EQ(model.parameters().entry(2).name, "2.weight");
  Rng rng(1);
  model.initialize(rng);
  EXPECT_EQ(model.parameters().value("0.bias")[2], 0.5f);
}

TEST(Network, CompactForm) {
  const Network n = parse_network("784-128relu-10", "--net");
  Sequential<double> model = build_model<double>(n);
  ASSERT_EQ(model.size(), 3u);
  EXPECT_EQ(model.layer(0).kind(), "dense");
  EXPECT_EQ(model.layer(1).kind(), "relu");
  EXPECT_EQ(model.output_shape(), (Shape{10}));
  EXPECT_EQ(build_model<float>(parse_network("2-3sigmoid-1sigmoid", "--net")).size(), 4u);
  expect_error([] { parse_network("784", "--net"); }, {"--net", "no layers"});
  expect_error([] { parse_network("784-relu", "--net"); }, {"--net", "must start with a size"});
  expect_error([] { parse_network("784-10swish", "--net"); }, {"--net", "layers[1]", "swish"});
  expect_error([] { parse_network("784-10dense", "--net"); },
               {"--net", "item 2 ends in 'dense', which is not an activation"});
  // Found by fuzzing: a byte that is not UTF-8 in an activation's name must be our error, not JSON's.
  expect_error([] { parse_network("784-12\x95relu-10", "--net"); }, {"--net", "item 2", "lowercase letters"});
}

TEST(Network, ErrorsNameTheLayerAndField) {
  expect_error([] { parse_network(R"({"input": [4], "layers": [{"type": "dense", "units": -3}]})", "net.json"); },
               {"net.json: layers[0] (dense): field 'units' must be a positive integer, got -3"});
  expect_error([] { parse_network(R"({"input": [4], "layers": [{"type": "relu"}, {"type": "dense"}]})", "n.json"); },
               {"n.json: layers[1] (dense)", "'units'"});
  expect_error(
      [] { parse_network(R"({"input": [4], "layers": [{"type": "dense", "units": 2, "unit": 3}]})", "n.json"); },
      {"layers[0] (dense)", "unknown field 'unit'"});
  expect_error([] { parse_network(R"({"input": [4], "layers": [{"type": "conv"}]})", "n.json"); },
               {"layers[0]", "'conv'"});
  expect_error([] { parse_network(R"({"input": [4], "layers": [{"units": 2}]})", "n.json"); }, {"layers[0]", "'type'"});
  expect_error(
      [] { parse_network(R"({"input": [4], "layers": [{"type": "dense", "units": 2, "init": "magic"}]})", "n.json"); },
      {"layers[0] (dense)", "'init'", "magic"});
  expect_error(
      [] { parse_network(R"({"input": [4], "layers": [{"type": "dense", "units": 2, "bias": 1}]})", "n.json"); },
      {"'bias'"});
  expect_error([] { parse_network(R"({"input": [4], "layers": [{"type": "leaky_relu", "slope": "x"}]})", "n.json"); },
               {"layers[0] (leaky_relu)", "'slope'"});
  expect_error([] { parse_network(R"({"input": [0], "layers": [{"type": "relu"}]})", "n.json"); }, {"n.json", "input"});
  expect_error([] { parse_network(R"({"input": [4], "layers": []})", "n.json"); }, {"n.json", "layers"});
  expect_error([] { parse_network(R"({"input": [1, 28, 28], "layers": [{"type": "dense", "units": 2}]})", "n.json"); },
               {"n.json", "layer 0 (dense)", "[1, 28, 28]"});
  expect_error([] { parse_network("{\"input\": [4], ", "broken.json"); }, {"broken.json", "not valid JSON"});
  expect_error([] { read_network_file("/nonexistent/net.json"); }, {"/nonexistent/net.json: no such file"});
}

Sequential<float> trained_model(const Network& n) {
  Sequential<float> model = build_model<float>(n);
  Rng rng(3);
  model.initialize(rng);
  return model;
}

TEST(ModelFile, RoundTripIsBitExact) {
  TempDir dir;
  const Network n = parse_network("5-4tanh-3", "--net");
  Sequential<float> model = trained_model(n);
  save_model(dir.file("m.safetensors"), model, {{"bpnn.loss", "mse"}});
  LoadedModel<float> loaded = load_model<float>(dir.file("m.safetensors"));
  EXPECT_EQ(loaded.network.json, describe(model).json);
  EXPECT_EQ(loaded.metadata.at("bpnn.loss"), "mse");
  const auto a = model.parameters().values().span(), b = loaded.model.parameters().values().span();
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size_bytes()), 0);
  EXPECT_FALSE(std::filesystem::exists(dir.file("m.safetensors.tmp")));

  // Double models save F64 and load into float models too.
  Sequential<double> wide = build_model<double>(n);
  Rng rng(4);
  wide.initialize(rng);
  save_model(dir.file("d.safetensors"), wide);
  EXPECT_NE(read_file(dir.file("d.safetensors")).find("\"F64\""), std::string::npos);
  EXPECT_EQ(load_model<float>(dir.file("d.safetensors")).model.parameters().value("2.bias")[1],
            static_cast<float>(wide.parameters().value("2.bias")[1]));

  // load_weights fills a model built separately.
  Sequential<float> other = build_model<float>(n);
  load_weights(dir.file("m.safetensors"), other);
  EXPECT_EQ(other.parameters().value("0.weight")[7], model.parameters().value("0.weight")[7]);
}

TEST(ModelFile, BytesAreTheFilesBytesAndLoadTheSameModel) {
  TempDir dir;
  const Network n = parse_network("5-4tanh-3", "--net");
  Sequential<float> model = trained_model(n);
  const ModelMetadata metadata{{"bpnn.loss", "cross_entropy"}};
  save_model(dir.file("m.safetensors"), model, metadata);
  const std::string bytes = model_bytes(model, metadata);
  EXPECT_EQ(bytes, read_file(dir.file("m.safetensors")));  // one writer: the file is the bytes
  LoadedModel<float> loaded = load_model_bytes<float>(bytes, "pickled model");
  EXPECT_EQ(loaded.network.json, describe(model).json);
  EXPECT_EQ(loaded.metadata, metadata);
  const auto a = model.parameters().values().span(), b = loaded.model.parameters().values().span();
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size_bytes()), 0);

  // A double model's bytes hold F64 and load as double exactly.
  Sequential<double> wide = build_model<double>(n);
  Rng rng(4);
  wide.initialize(rng);
  LoadedModel<double> again = load_model_bytes<double>(model_bytes(wide));
  EXPECT_EQ(again.model.parameters().value("2.bias")[1], wide.parameters().value("2.bias")[1]);

  // load_weights_bytes fills a model built separately, as load_weights does from the file; a model
  // of another shape is refused by tensor.
  Sequential<float> other = build_model<float>(n);
  load_weights_bytes(bytes, other, "uploaded model");
  const auto c = other.parameters().values().span();
  EXPECT_EQ(std::memcmp(a.data(), c.data(), a.size_bytes()), 0);
  Sequential<float> smaller = build_model<float>(parse_network("5-2tanh-3", "--net"));
  expect_error([&] { load_weights_bytes(bytes, smaller, "uploaded model"); },
               {"uploaded model", "tensor '0.weight' has shape [4,5]"});

  // Bad bytes are the file reader's clear errors, naming what the bytes stand for.
  expect_error([&] { load_model_bytes<float>(bytes.substr(0, 5), "pickled model"); },
               {"pickled model", "too short for a safetensors file"});
  expect_error([&] { load_model_bytes<float>(bytes.substr(0, bytes.size() - 4), "pickled model"); },
               {"pickled model", "outside the data section"});
  expect_error([&] { load_model_bytes<float>(std::string("\x02\0\0\0\0\0\0\0{}", 10)); },
               {"model bytes", "not a bpnn model"});
}

// The header and data section of a saved file, to be mutated and written back.
struct SafetensorsParts {
  nlohmann::json header;
  std::string data;

  explicit SafetensorsParts(const std::string& file) {
    std::uint64_t n = 0;
    std::memcpy(&n, file.data(), 8);
    header = nlohmann::json::parse(file.substr(8, n));
    data = file.substr(8 + n);
  }
  std::string bytes() const {
    const std::string text = header.dump();
    std::string file(8, '\0');
    const std::uint64_t n = text.size();
    std::memcpy(file.data(), &n, 8);
    return file + text + data;
  }
};

TEST(ModelFile, StructuralDefectsAreClearErrors) {
  TempDir dir;
  const Network n = parse_network("2-1", "--net");  // 0.weight [1, 2] at [0, 8), 0.bias [1] at [8, 12)
  save_model(dir.file("good"), trained_model(n));
  const std::string good = read_file(dir.file("good"));
  auto load_mutated = [&](const std::function<void(SafetensorsParts&)>& mutate) {
    SafetensorsParts parts(good);
    mutate(parts);
    const std::string path = dir.write("bad.safetensors", parts.bytes());
    load_model<float>(path);
  };
  using J = nlohmann::json;
  expect_error([&] { load_mutated([](auto& p) { p.header["0.weight"]["data_offsets"] = J{4, 12}; }); },
               {"bad.safetensors", "'0.weight'", "overlap"});
  expect_error([&] { load_mutated([](auto& p) { p.header["0.bias"]["data_offsets"] = J{8, 16}; }); },
               {"'0.bias'", "outside the data section"});
  expect_error([&] { load_mutated([](auto& p) { p.header["0.bias"]["shape"] = J{2}; }); }, {"'0.bias'", "needs 8"});
  expect_error([&] { load_mutated([](auto& p) { p.header["0.bias"]["dtype"] = "F16"; }); },
               {"'0.bias'", "dtype F16 is not supported"});
  expect_error([&] {
    load_mutated([](auto& p) {
      p.header["0.weight"]["dtype"] = "I64";
      p.header["0.weight"]["shape"] = J::array();  // its 8 bytes as one count, where the network needs real values
    });
  }, {"'0.weight'", "is stored as I64, the network needs real values"});
  expect_error([&] { load_mutated([](auto& p) { p.header["0.bias"]["shape"] = J{-1}; }); }, {"'0.bias'", "shape"});
  expect_error([&] {
    load_mutated([](auto& p) {
      p.header["0.weight"]["shape"] = J{2, 1};  // same size, wrong shape for the network
    });
  }, {"'0.weight'", "[2,1]", "[1, 2]"});
  expect_error([&] { load_mutated([](auto& p) { p.header.erase("0.bias"); }); }, {"'0.bias'", "missing"});
  expect_error([&] {
    load_mutated([](auto& p) {
      p.header["9.weight"] = {{"dtype", "F32"}, {"shape", J{1}}, {"data_offsets", J{12, 16}}};
      p.data += std::string(4, '\0');
    });
  },
               {"'9.weight'", "no place"});
  expect_error([&] { load_mutated([](auto& p) { p.header["__metadata__"]["format_version"] = "7"; }); },
               {"version '7'"});
  expect_error([&] { load_mutated([](auto& p) { p.header.erase("__metadata__"); }); }, {"not a bpnn model"});
  expect_error([&] {
    load_mutated([](auto& p) {
      p.header["__metadata__"]["bpnn.network"] = R"({"input": [2], "layers": [{"type": "dense", "units": 0}]})";
    });
  }, {"bad.safetensors (network)", "layers[0] (dense)", "'units'"});

  expect_error([&] { load_model<float>(dir.write("short", "1234")); }, {"short", "too short"});
  expect_error([&] { load_model<float>(dir.write("huge", std::string("\xff\xff\xff\xff\xff\xff\xff\x7f", 8) + "{}")); },
               {"huge", "header length"});
  expect_error([&] { load_model<float>(dir.write("json", std::string("\x04\0\0\0\0\0\0\0{{{{", 12))); },
               {"json", "not valid JSON"});
  expect_error([&] { load_model<float>(dir.write("array", std::string("\x02\0\0\0\0\0\0\0[]", 10))); },
               {"array", "JSON object"});
}

// A model written in C++, one layer of every kind with options, as a user or a front end builds it.
template <class T>
Sequential<T> coded_model() {
  Sequential<T> model(Shape{1, 8, 8});
  model.add(
      Conv2d<T>({.filters = 3, .kernel = 3, .stride = 2, .padding = 1, .weight_init = Initializer::normal(0.0, 0.3)}));
  model.add(BatchNorm<T>({.momentum = 0.3, .eps = 1e-3}));
  model.add(Activation<T>("leaky_relu", 0.2));
  model.add(MaxPool2d<T>({.kernel = 2}));
  model.add(Flatten<T>());
  model.add(
      Dense<T>({.units = 5, .weight_init = Initializer::uniform(-0.4, 0.4), .bias_init = Initializer::constant(0.1)}));
  model.add(Dropout<T>({.p = 0.25}));
  model.add(Activation<T>("tanh"));
  model.add(Dense<T>({.units = 3, .bias = false}));
  model.add(Softmax<T>());
  return model;
}

template <class T>
std::vector<T> eval_output(Sequential<T>& model, const Tensor<T>& x) {
  const TensorView<const T> y = model.forward(x);
  return std::vector<T>(y.data(), y.data() + y.size());
}

void expect_same_configs(const std::vector<LayerConfig>& a, const std::vector<LayerConfig>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(a[i] == b[i]) << "layer " << i << " (" << a[i].kind << ")";
}

template <class T>
void expect_coded_model_round_trips(const std::string& path) {
  Sequential<T> model = coded_model<T>();
  Rng rng(5);
  model.initialize(rng);
  Tensor<T> x(Shape{4, 1, 8, 8});
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<T>(rng.uniform() - 0.5);
  model.forward_train(x, rng);  // moves batch norm's running statistics off their start
  save_model(path, model);

  LoadedModel<T> loaded = load_model<T>(path);
  EXPECT_EQ(loaded.model.input_shape(), model.input_shape());
  expect_same_configs(layer_configs(loaded.model), layer_configs(model));
  const auto a = model.parameters().values().span(), b = loaded.model.parameters().values().span();
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size_bytes()), 0);
  const std::vector<T> before = eval_output(model, x), after = eval_output(loaded.model, x);
  ASSERT_EQ(before.size(), after.size());
  EXPECT_EQ(std::memcmp(before.data(), after.data(), before.size() * sizeof(T)), 0);

  const nlohmann::json layers = nlohmann::json::parse(loaded.network.json)["layers"];
  EXPECT_EQ(layers[0]["init"], nlohmann::json::parse(R"({"type": "normal", "mean": 0.0, "std": 0.3})"));
  EXPECT_EQ(layers[2]["slope"], 0.2);  // as given, in a float model too
  EXPECT_EQ(layers[5]["init"], nlohmann::json::parse(R"({"type": "uniform", "low": -0.4, "high": 0.4})"));
  EXPECT_EQ(layers[5]["bias_init"], nlohmann::json::parse(R"({"type": "constant", "value": 0.1})"));
  EXPECT_EQ(layers[6]["p"], 0.25);
}

TEST(ModelFile, ModelBuiltInCodeRoundTripsThroughAFile) {
  TempDir dir;
  expect_coded_model_round_trips<float>(dir.file("f.safetensors"));
  expect_coded_model_round_trips<double>(dir.file("d.safetensors"));
}

TEST(ModelFile, LenetFileBuildSaveLoadKeepsItsNetwork) {
  TempDir dir;
  const Network file = read_network_file(std::string(BPNN_SOURCE_DIR) + "/examples/networks/lenet.json");
  const Sequential<float> model = trained_model(file);
  const std::string path = dir.file("lenet.safetensors");
  save_model(path, model);
  LoadedModel<float> loaded = load_model<float>(path);
  EXPECT_EQ(loaded.network.input, file.input);
  EXPECT_EQ(loaded.network.json, describe(model).json);
  expect_same_configs(layer_configs(loaded.model), layer_configs(build_model<float>(file)));

  // Every field the file gives is kept with its value; the ones it leaves out are written with
  // the defaults they took.
  const nlohmann::json original = nlohmann::json::parse(file.json), saved = nlohmann::json::parse(loaded.network.json);
  EXPECT_EQ(saved["input"], original["input"]);
  ASSERT_EQ(saved["layers"].size(), original["layers"].size());
  for (std::size_t i = 0; i < original["layers"].size(); ++i) {
    for (const auto& [key, value] : original["layers"][i].items())
      EXPECT_EQ(saved["layers"][i][key], value) << i << " " << key;
  }
  EXPECT_EQ(saved["layers"][0]["stride"], 1);
  EXPECT_EQ(saved["layers"][3]["stride"], 2);
  EXPECT_EQ(saved["layers"][9]["bias"], true);

  // Files written by earlier versions hold the network as its user wrote it: they still load.
  SafetensorsParts parts(read_file(path));
  parts.header["__metadata__"]["bpnn.network"] = file.json;
  LoadedModel<float> old = load_model<float>(dir.write("old.safetensors", parts.bytes()));
  expect_same_configs(layer_configs(old.model), layer_configs(model));
  const std::span<const float> a = model.parameters().values().span(), b = old.model.parameters().values().span();
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size_bytes()), 0);
}

TEST(Network, DescribeIsWhatBuildModelReads) {
  const Network n = parse_network(R"({"input": [4], "layers": [{"type": "dense", "units": 3, "init": "he_normal"},
      {"type": "dropout", "p": 0}, {"type": "leaky_relu", "slope": 1}, {"type": "dense", "units": 2}]})", "net.json");
  const Sequential<double> model = build_model<double>(n);
  const Network described = describe(model);
  EXPECT_EQ(
      described.json,
      R"({"input":[4],"layers":[{"type":"dense","units":3,"bias":true,"init":"he_normal"},{"type":"dropout","p":0.0},)"
      R"({"type":"leaky_relu","slope":1.0},{"type":"dense","units":2,"bias":true}]})");
  expect_same_configs(layer_configs(build_model<double>(parse_network(described.json, "described"))),
                      layer_configs(model));
  // A value JSON cannot hold is refused when the model is described, naming the layer and field.
  Sequential<float> odd(Shape{2});
  odd.add(Activation<float>("leaky_relu", std::numeric_limits<double>::infinity()));
  expect_error([&] { describe(odd); }, {"layer 0 (leaky_relu): field 'slope'"});
  // A JSON value no field takes is named with its field.
  expect_error([] { parse_network(R"({"input": [4], "layers": [{"type": "dense", "units": [3]}]})", "n.json"); },
               {"n.json: layers[0] (dense): field 'units'", "[3]"});
  expect_error(
      [] {
        parse_network(
            R"({"input": [4], "layers": [{"type": "dense", "units": 2, "init": {"type": "uniform", "lo": 1}}]})",
            "n.json");
      },
      {"n.json: layers[0] (dense): field 'init': uniform: unknown field 'lo'"});
}

TEST(ModelFile, EveryTruncationAndEveryHeaderByteFlipIsHandled) {
  TempDir dir;
  const Network n = parse_network("3-2tanh-2", "--net");
  Sequential<float> model = trained_model(n);
  save_model(dir.file("good"), model);
  const std::string good = read_file(dir.file("good"));
  for (std::size_t length = 0; length < good.size(); ++length) {
    EXPECT_THROW(load_model<float>(dir.write("cut", good.substr(0, length))), Error) << "length " << length;
  }
  std::uint64_t header = 0;
  std::memcpy(&header, good.data(), 8);
  for (std::size_t i = 0; i < 8 + header; ++i) {
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0x5a);
    try {
      LoadedModel<float> loaded = load_model<float>(dir.write("flip", bad));
      EXPECT_EQ(loaded.model.parameters().values().size(), model.parameters().values().size()) << "byte " << i;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("flip"), std::string::npos) << "byte " << i << ": " << e.what();
    }
  }
}

}  // namespace
}  // namespace bpnn
