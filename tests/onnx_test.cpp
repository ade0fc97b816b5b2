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
  Sequential<float> back = from_onnx(to_onnx(model), "test");
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

TEST(Onnx, FileRoundTripAndNoLayers) {
  TempDir dir;
  Sequential<float> model = random_model(parse_network("4-3", "mlp"), 4);
  export_onnx(model, dir.file("m.onnx"));
  EXPECT_EQ(layer_configs(import_onnx(dir.file("m.onnx"))), layer_configs(model));
  Sequential<float> empty(Shape{3});
  const Sequential<float> back = from_onnx(to_onnx(empty));
  EXPECT_EQ(back.size(), 1u);  // the Identity that joins input to output
  EXPECT_EQ(back.input_shape(), (Shape{3}));
  expect_error([&] { import_onnx(dir.file("missing.onnx")); }, {"missing.onnx"});
}

TEST(Onnx, EveryTruncationIsAnError) {
  const std::string bytes = to_onnx(random_model(parse_network("3-4relu-2", "mlp"), 5));
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    try {
      from_onnx(std::string_view(bytes).substr(0, n), "cut");
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
  EXPECT_EQ(from_onnx(one_node_model("Relu")).layer(0).kind(), "relu");
  expect_error([] { from_onnx(one_node_model("Sin"), "sin.onnx"); }, {"sin.onnx", "node 0 'my_node' (Sin)", "not supported"});
  expect_error([] { from_onnx(one_node_model("Relu", 9)); }, {"opset 9", "13 to 21"});
  expect_error([] { from_onnx(one_node_model("Relu", 17, true)); }, {"ModelProto.graph", "holds an integer", "length-delimited"});
  expect_error([] { from_onnx(""); }, {"empty"});
  expect_error([] { from_onnx("not an onnx file at all"); }, {"ONNX model"});
  // A length that runs past the end, and a group wire type.
  expect_error([] { from_onnx(std::string("\x3a\x7f\x08", 3)); }, {"truncated", "127 bytes"});
  expect_error([] { from_onnx(std::string("\x0b\x01", 2)); }, {"wire type 3"});
  // A Gemm whose weight does not fit the input.
  Sequential<float> model = random_model(parse_network("4-3", "mlp"), 6);
  std::string bytes = to_onnx(model);
  const std::size_t at = bytes.find("Gemm");
  ASSERT_NE(at, std::string::npos);
  bytes.replace(at, 4, "Gemx");
  expect_error([&] { from_onnx(bytes); }, {"(Gemx)", "'0.dense'"});
  // An op that consumes something other than the chain's activation.
  std::string branch = one_node_model("Relu");
  const std::size_t x = branch.find("\x0a\x01x");
  ASSERT_NE(x, std::string::npos);
  branch[x + 2] = 'z';
  expect_error([&] { from_onnx(branch); }, {"'z'", "chain of layers"});
}

TEST(Onnx, ExportRefusesNothingItKnows) {
  // Every layer kind either exports or is dropout (left out): the every-layer test above covers
  // each; here a model of dropout only still has a graph from input to output.
  Sequential<float> model = build_model<float>(parse_network(R"({"input": [3], "layers": [{"type": "dropout"}]})", "d"));
  const Sequential<float> back = from_onnx(to_onnx(model));
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back.layer(0).kind(), "identity");
}

}  // namespace
}  // namespace bpnn
