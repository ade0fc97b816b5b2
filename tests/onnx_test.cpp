// ONNX export and import: round trips give the same layers, weights and outputs bit for bit, and
// malformed or unsupported files are refused with an Error naming what and where.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "bpnn/bpnn.hpp"
#include "bpnn/io/onnx.hpp"
#include "io/protobuf.hpp"
#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"

namespace bpnn {
namespace {

using testing::expect_error;
using testing::TempDir;

// The model of ONNX bytes (its meaning aside).
Sequential<float> imported(std::string_view bytes, const std::string& source = "ONNX model") {
  return from_onnx(bytes, source).model;
}

// A model of the network with random weights and non-trivial batch norm statistics.
Sequential<float> random_model(const Network& network, std::uint64_t seed) {
  Sequential<float> model = build_model<float>(network);
  Rng rng(seed);
  model.initialize(rng);
  ParameterStore<float>& p = model.parameters();
  for (std::size_t k = 0; k < p.count(); ++k) {
    const std::string& name = p.entry(k).name;
    TensorView<float> v = p.value(k);
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (name.ends_with("running_var")) v[i] = static_cast<float>(rng.uniform(0.5, 2.0));
      if (name.ends_with("running_mean")) v[i] = static_cast<float>(rng.uniform(-0.5, 0.5));
      if (name.ends_with("num_batches_tracked")) v[i] = 12;
      if (model.layer(std::stoul(name)).kind() == "batchnorm" && (name.ends_with("weight") || name.ends_with("bias"))) {
        v[i] = static_cast<float>(rng.uniform(0.5, 1.5));
      }
    }
  }
  return model;
}

Tensor<float> random_input(const Sequential<float>& model, std::size_t batch, std::uint64_t seed) {
  Tensor<float> x(model.input_shape().with_batch(batch));
  Rng rng(seed);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(rng.normal(0, 1));
  return x;
}

// Exports, imports and checks: the configs (dropout left out), every tensor and the outputs.
void expect_round_trip(Sequential<float>& model) {
  Sequential<float> back = imported(to_onnx(model), "test");
  std::vector<LayerConfig> expected;
  for (const LayerConfig& c : layer_configs(model)) {
    if (c.kind != "dropout") expected.push_back(c);
  }
  EXPECT_EQ(layer_configs(back), expected);
  EXPECT_EQ(back.input_shape(), model.input_shape());
  EXPECT_EQ(back.output_shape(), model.output_shape());
  const ParameterStore<float>& a = model.parameters();
  const ParameterStore<float>& b = back.parameters();
  for (std::size_t k = 0; k < a.count(); ++k) {
    // Tensor names follow the layer index, which dropout's removal shifts.
    std::string name = a.entry(k).name;
    const std::size_t layer = std::stoul(name);
    std::size_t dropped = 0;
    for (std::size_t i = 0; i < layer; ++i) dropped += model.layer(i).kind() == "dropout";
    name = std::to_string(layer - dropped) + name.substr(name.find('.'));
    const TensorView<const float> va = a.value(k), vb = b.value(b.index(name));
    ASSERT_EQ(va.shape(), vb.shape()) << name;
    EXPECT_EQ(std::memcmp(va.data(), vb.data(), va.size() * sizeof(float)), 0) << name;
  }
  EXPECT_EQ(a.values().size(), b.values().size());
  const Tensor<float> x = random_input(model, 5, 3);
  const TensorView<const float> ya = model.forward(x.view());
  const TensorView<const float> yb = back.forward(x.view());
  ASSERT_EQ(ya.size(), yb.size());
  EXPECT_EQ(std::memcmp(ya.data(), yb.data(), ya.size() * sizeof(float)), 0);
}

TEST(Onnx, MlpRoundTrip) {
  Sequential<float> model = random_model(parse_network("8-16tanh-3", "mlp"), 1);
  expect_round_trip(model);
}

TEST(Onnx, LeNetWithBatchNormRoundTrip) {
  Sequential<float> model = random_model(read_network_file(BPNN_SOURCE_DIR "/examples/networks/lenet.json"), 2);
  expect_round_trip(model);
}

TEST(Onnx, EveryLayerRoundTrip) {
  Sequential<float> model = random_model(parse_network(R"({"input": [2, 9, 9], "layers": [
      {"type": "conv2d", "filters": 3, "kernel": 3, "stride": 1, "padding": 1},
      {"type": "batchnorm", "momentum": 0.2, "eps": 0.001}, {"type": "leaky_relu", "slope": 0.2},
      {"type": "conv2d", "filters": 4, "kernel": 2, "stride": 2, "bias": false},
      {"type": "maxpool2d", "kernel": 2, "stride": 1}, {"type": "avgpool2d", "kernel": 2},
      {"type": "flatten"}, {"type": "dense", "units": 6, "bias": false}, {"type": "batchnorm"},
      {"type": "sigmoid"}, {"type": "dropout", "p": 0.3}, {"type": "dense", "units": 5}, {"type": "tanh"},
      {"type": "identity"}, {"type": "relu"}, {"type": "step"}, {"type": "dense", "units": 4},
      {"type": "softmax"}, {"type": "dropout"}]})",
                                                       "every"),
                                         3);
  expect_round_trip(model);
}

// Every row of the activation table exports as its ONNX form and imports back as itself, its
// option off the default.
TEST(Onnx, EveryActivationRowRoundTrips) {
  for (const ActivationRow& row : activation_table) {
    Sequential<float> model(Shape{4});
    model.add(Dense<float>({.units = 5}));
    if (row.option.name.empty()) {
      model.add(Activation<float>(row.name));
    } else {
      model.add(Activation<float>(row.name, row.option.default_value + 0.25));
    }
    model.add(Dense<float>({.units = 3}));
    Rng rng(7);
    model.initialize(rng);
    SCOPED_TRACE(row.name);
    expect_round_trip(model);
  }
}

TEST(Onnx, FileRoundTripAndNoLayers) {
  TempDir dir;
  Sequential<float> model = random_model(parse_network("4-3", "mlp"), 4);
  export_onnx(model, dir.file("m.onnx"));
  EXPECT_EQ(layer_configs(import_onnx(dir.file("m.onnx")).model), layer_configs(model));
  Sequential<float> empty(Shape{3});
  const Sequential<float> back = imported(to_onnx(empty));
  EXPECT_EQ(back.size(), 1u);  // the Identity that joins input to output
  EXPECT_EQ(back.input_shape(), (Shape{3}));
  expect_error([&] { import_onnx(dir.file("missing.onnx")); }, {"missing.onnx"});
}

TEST(Onnx, EveryTruncationIsAnError) {
  const std::string bytes = to_onnx(random_model(parse_network("3-4relu-2", "mlp"), 5));
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    try {
      imported(std::string_view(bytes).substr(0, n), "cut");
      ADD_FAILURE() << "a file cut to " << n << " of " << bytes.size() << " bytes was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()).rfind("cut: ", 0), 0u) << e.what();
    }
  }
}

namespace pb = protobuf;

// A one-node model written field by field: input "x" [N, 4], node op(x) -> "y", output "y".
std::string one_node_model(const std::string& op, std::int64_t opset = 17, bool bad_graph_type = false) {
  auto value_info = [](const std::string& name) {
    pb::Writer dim_n, dim_4, shape, tensor, type, info;
    dim_n.bytes(2, "N");
    dim_4.int64(1, 4);
    shape.message(1, dim_n);
    shape.message(1, dim_4);
    tensor.varint(1, 1);
    tensor.message(2, shape);
    type.message(1, tensor);
    info.bytes(1, name);
    info.message(2, type);
    return info;
  };
  pb::Writer node, graph, opset_id, model;
  node.bytes(1, "x");
  node.bytes(2, "y");
  node.bytes(3, "my_node");
  node.bytes(4, op);
  graph.message(1, node);
  graph.message(11, value_info("x"));
  graph.message(12, value_info("y"));
  opset_id.int64(2, opset);
  model.int64(1, 8);
  if (bad_graph_type) {
    model.int64(7, 3);
  } else {
    model.message(7, graph);
  }
  model.message(8, opset_id);
  return model.data();
}

TEST(Onnx, RefusesWhatItCannotImport) {
  EXPECT_EQ(imported(one_node_model("Relu")).layer(0).kind(), "relu");
  // An activation's form only partly there: refused, naming the activation and its form.
  expect_error([] { imported(one_node_model("GreaterOrEqual")); },
               {"node 0 'my_node' (GreaterOrEqual)", "as the activation step, GreaterOrEqual(x, 0) Cast(_, to=float)"});
  expect_error([] { imported(one_node_model("Sin"), "sin.onnx"); },
               {"sin.onnx", "node 0 'my_node' (Sin)", "not supported"});
  EXPECT_EQ(imported(one_node_model("Relu", 6)).layer(0).kind(), "relu");
  expect_error([] { imported(one_node_model("Relu", 22)); }, {"opset 22", "1 to 21"});
  expect_error([] { imported(one_node_model("Relu", 17, true)); },
               {"ModelProto.graph", "holds an integer", "length-delimited"});
  expect_error([] { imported(""); }, {"empty"});
  expect_error([] { imported("not an onnx file at all"); }, {"ONNX model"});
  // A length that runs past the end, and a group wire type.
  expect_error([] { imported(std::string("\x3a\x7f\x08", 3)); }, {"truncated", "127 bytes"});
  expect_error([] { imported(std::string("\x0b\x01", 2)); }, {"wire type 3"});
  // A Gemm whose weight does not fit the input.
  Sequential<float> model = random_model(parse_network("4-3", "mlp"), 6);
  std::string bytes = to_onnx(model);
  const std::size_t at = bytes.find("Gemm");
  ASSERT_NE(at, std::string::npos);
  bytes.replace(at, 4, "Gemx");
  expect_error([&] { imported(bytes); }, {"(Gemx)", "'0.dense'"});
  // An op that consumes something other than the chain's activation.
  std::string branch = one_node_model("Relu");
  const std::size_t x = branch.find("\x0a\x01x");
  ASSERT_NE(x, std::string::npos);
  branch[x + 2] = 'z';
  expect_error([&] { imported(branch); }, {"'z'", "chain of layers"});
}

// A graph written field by field, for the semantics of each opset: input "x" of dims (0: the
// batch, named N), the nodes in order, float initializers, and the last node's first output as the
// graph's output.
class GraphBuilder {
 public:
  GraphBuilder(std::int64_t opset, std::vector<std::int64_t> dims) : opset_(opset), dims_(std::move(dims)) {}
  // A node: op, inputs, outputs, attributes (as attr_int and the others below make them).
  GraphBuilder& node(const std::string& op, std::vector<std::string> inputs, std::vector<std::string> outputs,
                     std::vector<pb::Writer> attributes = {}) {
    pb::Writer n;
    for (const std::string& in : inputs) n.bytes(1, in);
    for (const std::string& out : outputs) n.bytes(2, out);
    n.bytes(4, op);
    for (const pb::Writer& a : attributes) n.message(5, a);
    graph_.message(1, n);
    last_ = outputs[0];
    return *this;
  }
  GraphBuilder& initializer(const std::string& name, std::vector<std::int64_t> dims, std::vector<float> values) {
    pb::Writer t;
    for (std::int64_t d : dims) t.int64(1, d);
    t.varint(2, 1);
    for (float v : values) t.float32(4, v);
    t.bytes(8, name);
    graph_.message(5, t);
    return *this;
  }
  GraphBuilder& integers(const std::string& name, std::vector<std::int64_t> values) {
    pb::Writer t;
    t.int64(1, static_cast<std::int64_t>(values.size()));
    t.varint(2, 7);
    for (std::int64_t v : values) t.int64(7, v);
    t.bytes(8, name);
    graph_.message(5, t);
    return *this;
  }
  GraphBuilder& metadata(const std::string& key, const std::string& value) {
    pb::Writer entry;
    entry.bytes(1, key);
    entry.bytes(2, value);
    metadata_.push_back(entry);
    return *this;
  }
  // extra: more graph outputs, named.
  std::string bytes(const std::vector<std::string>& extra = {}) const {
    pb::Writer graph = graph_, opset, model;
    graph.message(11, value_info("x", dims_));
    graph.message(12, value_info(last_, {}));
    for (const std::string& name : extra) graph.message(12, value_info(name, {}));
    opset.int64(2, opset_);
    model.int64(1, 8);
    model.message(7, graph);
    model.message(8, opset);
    for (const pb::Writer& entry : metadata_) model.message(14, entry);
    return model.data();
  }

 private:
  static pb::Writer value_info(const std::string& name, const std::vector<std::int64_t>& dims) {
    pb::Writer shape, tensor, type, info;
    for (std::int64_t d : dims) {
      pb::Writer dim;
      if (d == 0) {
        dim.bytes(2, "N");
      } else {
        dim.int64(1, d);
      }
      shape.message(1, dim);
    }
    tensor.varint(1, 1);
    if (!dims.empty()) tensor.message(2, shape);
    type.message(1, tensor);
    info.bytes(1, name);
    info.message(2, type);
    return info;
  }
  std::int64_t opset_;
  std::vector<std::int64_t> dims_;
  pb::Writer graph_;
  std::vector<pb::Writer> metadata_;
  std::string last_;
};

pb::Writer attr_int(const std::string& name, std::int64_t value) {
  pb::Writer a;
  a.bytes(1, name);
  a.int64(3, value);
  a.varint(20, 2);
  return a;
}
pb::Writer attr_float(const std::string& name, float value) {
  pb::Writer a;
  a.bytes(1, name);
  a.float32(2, value);
  a.varint(20, 1);
  return a;
}
pb::Writer attr_ints(const std::string& name, std::vector<std::int64_t> values) {
  pb::Writer a;
  a.bytes(1, name);
  for (std::int64_t v : values) a.int64(8, v);
  a.varint(20, 7);
  return a;
}
pb::Writer attr_string(const std::string& name, const std::string& value) {
  pb::Writer a;
  a.bytes(1, name);
  a.bytes(4, value);
  a.varint(20, 3);
  return a;
}

std::vector<std::string> kinds(const Sequential<float>& model) {
  std::vector<std::string> k;
  for (std::size_t i = 0; i < model.size(); ++i) k.emplace_back(model.layer(i).kind());
  return k;
}

// A batch norm of two channels with scale s, bias b, mean m, var v.
GraphBuilder batch_norm_graph(std::int64_t opset, std::vector<std::int64_t> dims, std::vector<pb::Writer> attributes,
                              std::vector<std::string> outputs = {"y"}) {
  GraphBuilder g(opset, std::move(dims));
  g.initializer("s", {2}, {2, 3})
      .initializer("b", {2}, {0.5f, -1})
      .initializer("m", {2}, {1, -2})
      .initializer("v", {2}, {3, 0});
  g.node("BatchNormalization", {"x", "s", "b", "m", "v"}, std::move(outputs), std::move(attributes));
  return g;
}

TEST(Onnx, OldBatchNormalization) {
  // Opset 6: is_test 1 is inference: y = s (x - m) / sqrt(v + eps) + b.
  const std::string v6 = batch_norm_graph(6, {0, 2}, {attr_int("is_test", 1), attr_float("epsilon", 1.0f)}).bytes();
  Sequential<float> model = imported(v6);
  ASSERT_EQ(kinds(model), std::vector<std::string>{"batchnorm"});
  Tensor<float> x(Shape{1, 2});
  x[0] = 3, x[1] = 1;
  const TensorView<const float> y = model.forward(x.view());
  EXPECT_NEAR(y[0], 2 * (3 - 1) / 2.0f + 0.5f, 1e-6);
  EXPECT_NEAR(y[1], 3 * (1 + 2) / 1.0f - 1, 1e-6);
  expect_error([] { imported(batch_norm_graph(6, {0, 2}, {}).bytes()); }, {"is_test 0", "training-mode"});
  // Opsets 7 to 13: the statistics outputs make it a training-mode batch norm.
  expect_error(
      [] {
        imported(batch_norm_graph(9, {0, 2}, {}, {"y", "mean", "var"}).bytes());
      },
      {"opset 9", "training-mode"});
  EXPECT_EQ(kinds(imported(batch_norm_graph(9, {0, 2}, {}).bytes())), std::vector<std::string>{"batchnorm"});
  // spatial 0 is the same on [N, F]; on images it normalizes each value apart.
  EXPECT_EQ(kinds(imported(batch_norm_graph(7, {0, 2}, {attr_int("spatial", 0)}).bytes())),
            std::vector<std::string>{"batchnorm"});
  expect_error([] { imported(batch_norm_graph(7, {0, 2, 3, 3}, {attr_int("spatial", 0)}).bytes()); }, {"spatial 0"});
  expect_error(
      [] {
        imported(batch_norm_graph(9, {0, 2}, {attr_int("spatial", 1)}).bytes());
      },
      {"'spatial' is not supported"});
  // From opset 14, statistics outputs in inference are taken when nothing reads them.
  EXPECT_EQ(imported(batch_norm_graph(15, {0, 2}, {}, {"y", "rm", "rv"}).bytes()).size(), 1u);
  expect_error([] { imported(batch_norm_graph(15, {0, 2}, {}, {"y", "rm"}).bytes({"rm"})); }, {"'rm'", "graph output"});
}

TEST(Onnx, OldSoftmaxIsOverTheSampleMadeFlat) {
  // Before opset 13, Softmax (axis 1) is over all of [2, 3]: flatten, then softmax.
  const Sequential<float> model = imported(GraphBuilder(11, {0, 2, 3}).node("Softmax", {"x"}, {"y"}).bytes());
  EXPECT_EQ(kinds(model), (std::vector<std::string>{"flatten", "softmax"}));
  // From 13 it is over axis -1 alone: over all of a sample only where the others are of size 1.
  EXPECT_EQ(kinds(imported(GraphBuilder(13, {0, 1, 3}).node("Softmax", {"x"}, {"y"}).bytes())),
            (std::vector<std::string>{"flatten", "softmax"}));
  expect_error(
      [] {
        imported(GraphBuilder(13, {0, 2, 3}).node("Softmax", {"x"}, {"y"}).bytes());
      },
      {"softmax over axis 2 (opset 13)", "over all of a sample's values"});
  expect_error(
      [] {
        imported(GraphBuilder(11, {0, 2, 3}).node("Softmax", {"x"}, {"y"}, {attr_int("axis", 2)}).bytes());
      },
      {"axis 2 and those after it (opset 11)"});
  expect_error(
      [] {
        imported(GraphBuilder(11, {0, 3}).node("Softmax", {"x"}, {"y"}, {attr_int("axis", 0)}).bytes());
      },
      {"over the batch"});
}

TEST(Onnx, OldDropoutAndGemm) {
  expect_error([] { imported(GraphBuilder(6, {0, 3}).node("Dropout", {"x"}, {"y"}).bytes()); }, {"is_test 0"});
  const Sequential<float> dropout =
      imported(GraphBuilder(10, {0, 3}).node("Dropout", {"x"}, {"y", "mask"}, {attr_float("ratio", 0.25f)}).bytes());
  EXPECT_EQ(layer_configs(dropout)[0], (LayerConfig{"dropout", {{"p", 0.25}}}));
  expect_error(
      [] {
        imported(GraphBuilder(10, {0, 3}).node("Dropout", {"x"}, {"y", "mask"}).bytes({"mask"}));
      },
      {"'mask' (the mask) is a graph output"});
  // Gemm: before opset 7 a bias row needs broadcast 1; alpha and beta scale the weight and bias.
  auto gemm = [](std::int64_t opset, std::vector<pb::Writer> attributes) {
    GraphBuilder g(opset, {0, 2});
    g.initializer("w", {2, 1}, {1, 2}).initializer("c", {1}, {3});
    return g.node("Gemm", {"x", "w", "c"}, {"y"}, std::move(attributes)).bytes();
  };
  expect_error([&] { imported(gemm(6, {})); }, {"without broadcast (opset 6)"});
  Sequential<float> model =
      imported(gemm(6, {attr_int("broadcast", 1), attr_float("alpha", 2), attr_float("beta", 0.5f)}));
  Tensor<float> x(Shape{1, 2});
  x[0] = 1, x[1] = 10;
  EXPECT_EQ(model.forward(x.view())[0], 2 * (1 + 20) + 0.5f * 3);
  expect_error([&] { imported(gemm(13, {attr_int("transA", 1)})); }, {"transA 1"});
}

TEST(Onnx, ShapesThatMapToLayers) {
  // Reshape's shape is an attribute before opset 5; [B, -1] is a flatten where the input fixes B.
  EXPECT_EQ(
      kinds(imported(GraphBuilder(4, {0, 2, 3}).node("Reshape", {"x"}, {"y"}, {attr_ints("shape", {0, -1})}).bytes())),
      std::vector<std::string>{"flatten"});
  auto reshape = [](std::vector<std::int64_t> dims) {
    return imported(
        GraphBuilder(14, std::move(dims)).integers("shape", {2, -1}).node("Reshape", {"x", "shape"}, {"y"}).bytes());
  };
  EXPECT_EQ(kinds(reshape({2, 2, 3})), std::vector<std::string>{"flatten"});
  expect_error([&] { reshape({0, 2, 3}); }, {"[2, -1]", "batch dimension first"});
  // Flatten at axis 2 of [N, 1, 3, 2] is bpnn's flatten; of [N, 2, 3] it makes rows of parts of a sample.
  EXPECT_EQ(
      kinds(imported(GraphBuilder(13, {0, 1, 3, 2}).node("Flatten", {"x"}, {"y"}, {attr_int("axis", 2)}).bytes())),
      std::vector<std::string>{"flatten"});
  expect_error(
      [] {
        imported(GraphBuilder(13, {0, 2, 3}).node("Flatten", {"x"}, {"y"}, {attr_int("axis", 2)}).bytes());
      },
      {"Flatten at axis 2"});
  // Pad of nothing (pads an attribute before opset 11) is nothing.
  EXPECT_EQ(imported(GraphBuilder(2, {0, 1, 2, 2})
                         .node("Pad", {"x"}, {"p"}, {attr_ints("pads", {0, 0, 0, 0, 0, 0, 0, 0})})
                         .node("Relu", {"p"}, {"y"})
                         .bytes())
                .size(),
            1u);
  expect_error(
      [] {
        imported(GraphBuilder(2, {0, 1, 2, 2})
                     .node("Pad", {"x"}, {"y"}, {attr_ints("pads", {0, 0, 1, 1, 0, 0, 1, 1})})
                     .bytes());
      },
      {"pads nothing"});
  // Conv's auto_pad SAME_UPPER of an odd kernel pads evenly; MaxPool's ceil_mode 1 where windows fit.
  GraphBuilder conv(11, {0, 1, 4, 4});
  conv.initializer("w", {1, 1, 3, 3}, std::vector<float>(9, 1.0f));
  const Sequential<float> same =
      imported(conv.node("Conv", {"x", "w"}, {"y"}, {attr_string("auto_pad", "SAME_UPPER")}).bytes());
  const std::vector<LayerConfig> configs = layer_configs(same);
  const ConfigValue* padding = configs[0].find("padding");
  ASSERT_NE(padding, nullptr);
  EXPECT_EQ(std::get<std::int64_t>(*padding), 1);
  EXPECT_EQ(same.output_shape(), (Shape{1, 4, 4}));
  EXPECT_EQ(
      imported(GraphBuilder(12, {0, 1, 5, 5})
                   .node("MaxPool", {"x"}, {"y"},
                         {attr_ints("kernel_shape", {3, 3}), attr_ints("strides", {2, 2}), attr_int("ceil_mode", 1)})
                   .bytes())
          .output_shape(),
      (Shape{1, 2, 2}));
  expect_error(
      [] {
        imported(GraphBuilder(12, {0, 1, 4, 4})
                     .node("MaxPool", {"x"}, {"y"},
                           {attr_ints("kernel_shape", {3, 3}), attr_ints("strides", {2, 2}), attr_int("ceil_mode", 1)})
                     .bytes());
      },
      {"ceil_mode 1 adds a partial window"});
  // A vector input is one sample; consumed_inputs (opsets 1 to 5) is ignored.
  const Sequential<float> vector =
      imported(GraphBuilder(1, {3}).node("Relu", {"x"}, {"y"}, {attr_ints("consumed_inputs", {0})}).bytes());
  EXPECT_EQ(vector.input_shape(), (Shape{3}));
  expect_error(
      [] { imported(GraphBuilder(7, {3}).node("Relu", {"x"}, {"y"}, {attr_ints("consumed_inputs", {0})}).bytes()); },
      {"consumed_inputs"});
  expect_error([] { imported(GraphBuilder(7, {3}).node("Flatten", {"x"}, {"y"}).bytes()); }, {"no batch dimension"});
}

// An iris-like recipe: standardized inputs, class and feature names, trained with cross-entropy.
DataRecipe iris_recipe() {
  DataRecipe recipe;
  recipe.task = Task::classification;
  recipe.loss = "cross_entropy";
  recipe.outputs = OutputReading::logits;
  recipe.classes = 3;
  recipe.class_names = {"setosa", "versicolor", "virginica"};
  recipe.feature_names = {"sepal_length", "sepal_width", "petal_length", "petal_width"};
  recipe.read.csv.label = "species";
  recipe.scaling = {
      .kind = InputScaling::Kind::standardize, .shift = {5.8f, 3.1f, 3.7f, 1.2f}, .scale = {1.2f, 2.3f, 0.57f, 1.3f}};
  return recipe;
}

// The scaling as Sub and Mul nodes at the graph's input, the recipe and loss in metadata_props, a
// "probabilities" output for the logits: import gives back the model, its recipe and metadata.
TEST(Onnx, MeaningRoundTrip) {
  Sequential<float> model = random_model(parse_network("4-5tanh-3", "iris"), 8);
  const DataRecipe recipe = iris_recipe();
  const ModelMetadata metadata{{"bpnn.loss", "cross_entropy"}, {"note", "kept"}};
  const OnnxModel back = from_onnx(to_onnx(model, recipe, metadata));
  EXPECT_EQ(layer_configs(back.model), layer_configs(model));  // the probabilities output is no layer
  EXPECT_EQ(back.metadata, metadata);
  EXPECT_EQ(recipe_to_json(back.recipe), recipe_to_json(recipe));
  EXPECT_EQ(back.recipe.scaling.shift, recipe.scaling.shift);
  EXPECT_EQ(back.recipe.scaling.scale, recipe.scaling.scale);
  // The layers alone: no recipe recorded, no metadata.
  const OnnxModel bare = from_onnx(to_onnx(model));
  EXPECT_EQ(recipe_to_json(bare.recipe), recipe_to_json(DataRecipe{}));
  EXPECT_TRUE(bare.metadata.empty());
  // A scaling that does not fit the model's input is an error, not a graph.
  DataRecipe wrong = recipe;
  wrong.scaling.shift.pop_back();
  wrong.scaling.scale.pop_back();
  expect_error([&] { to_onnx(model, wrong); }, {"scaling is for 3 values", "takes 4"});
}

// Sub and Div by [C, 1, 1] at the input of images (torchvision's normalization) is the input
// scaling, each channel's over its pixels; gelu's Div at the input stays gelu.
TEST(Onnx, ScalingAtTheGraphInput) {
  GraphBuilder g(13, {0, 2, 1, 2});
  g.initializer("mean", {2, 1, 1}, {0.5f, -1}).initializer("std", {2, 1, 1}, {2, 4});
  const OnnxModel normalized = from_onnx(
      g.node("Sub", {"x", "mean"}, {"c"}).node("Div", {"c", "std"}, {"n"}).node("Relu", {"n"}, {"y"}).bytes());
  EXPECT_EQ(kinds(normalized.model), std::vector<std::string>{"relu"});
  EXPECT_EQ(normalized.recipe.scaling.kind, InputScaling::Kind::standardize);
  EXPECT_EQ(normalized.recipe.scaling.shift, (std::vector<float>{0.5f, 0.5f, -1, -1}));
  EXPECT_EQ(normalized.recipe.scaling.scale, (std::vector<float>{0.5f, 0.5f, 0.25f, 0.25f}));
  EXPECT_EQ(normalized.recipe.task, Task::automatic);  // the rest is for the output layer to say
  EXPECT_TRUE(normalized.metadata.empty());
  Sequential<float> gelu(Shape{4});
  gelu.add(Activation<float>("gelu"));
  gelu.add(Dense<float>({.units = 2}));
  Rng rng(9);
  gelu.initialize(rng);
  EXPECT_EQ(kinds(imported(to_onnx(gelu))), (std::vector<std::string>{"gelu", "dense"}));
  // A scaling in both the recipe and the graph, or a constant that is not per input value: refused.
  GraphBuilder both(13, {0, 4});
  both.initializer("shift", {4}, {1, 2, 3, 4}).metadata("bpnn.data", recipe_to_json(iris_recipe()));
  expect_error(
      [&] {
        from_onnx(both.node("Sub", {"x", "shift"}, {"y"}).bytes());
      },
      {"bpnn.data holds an input scaling"});
  GraphBuilder odd(13, {0, 4});
  odd.initializer("shift", {3}, {1, 2, 3});
  expect_error(
      [&] {
        from_onnx(odd.node("Sub", {"x", "shift"}, {"y"}).bytes());
      },
      {"[3] does not broadcast to a sample of [4]"});
}

TEST(Onnx, ExportRefusesNothingItKnows) {
  // Every layer kind either exports or is dropout (left out): the every-layer test above covers
  // each; here a model of dropout only still has a graph from input to output.
  Sequential<float> model =
      build_model<float>(parse_network(R"({"input": [3], "layers": [{"type": "dropout"}]})", "d"));
  const Sequential<float> back = imported(to_onnx(model));
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back.layer(0).kind(), "identity");
}

}  // namespace
}  // namespace bpnn
