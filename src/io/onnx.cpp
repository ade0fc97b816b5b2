// ONNX export and import (docs/onnx.md). The messages and field numbers used are those of the ONNX
// specification's onnx.proto (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto,
// ValueInfoProto, TypeProto, TensorShapeProto, OperatorSetIdProto), written and read with
// io/protobuf.hpp. Import walks the nodes in their (topological) order, keeping the one
// activation a chain of layers has, folding constants (Constant, Identity, and the
// Shape/Gather/Unsqueeze/Concat arithmetic of a dynamic flatten) and refusing anything else.
#include "bpnn/io/onnx.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <map>
#include <optional>
#include <utility>
#include <variant>
#include <vector>

#include "bpnn/core/error.hpp"
#include "bpnn/core/file.hpp"
#include "bpnn/layers/activation.hpp"
#include "bpnn/model/layer_factory.hpp"
#include "bpnn/train/metrics.hpp"
#include "io/protobuf.hpp"

namespace bpnn {
namespace {

namespace pb = protobuf;

// Field numbers of the ONNX messages (onnx.proto in the ONNX specification).
namespace model_f {
constexpr std::uint32_t ir_version = 1, producer_name = 2, producer_version = 3, doc_string = 6, graph = 7,
                        opset_import = 8, metadata_props = 14;
}
namespace entry_f { constexpr std::uint32_t key = 1, value = 2; }
namespace opset_f { constexpr std::uint32_t domain = 1, version = 2; }
namespace graph_f {
constexpr std::uint32_t node = 1, name = 2, initializer = 5, sparse_initializer = 15, input = 11, output = 12;
}
namespace node_f { constexpr std::uint32_t input = 1, output = 2, name = 3, op_type = 4, attribute = 5, domain = 7; }
namespace attr_f {
constexpr std::uint32_t name = 1, f = 2, i = 3, s = 4, t = 5, g = 6, floats = 7, ints = 8, type = 20,
                        ref_attr_name = 21;
}
namespace tensor_f {
constexpr std::uint32_t dims = 1, data_type = 2, segment = 3, float_data = 4, int32_data = 5, string_data = 6,
                        int64_data = 7, name = 8, raw_data = 9, double_data = 10, uint64_data = 11, external_data = 13,
                        data_location = 14;
}
namespace value_info_f { constexpr std::uint32_t name = 1, type = 2; }
namespace type_f { constexpr std::uint32_t tensor_type = 1; }
namespace tensor_type_f { constexpr std::uint32_t elem_type = 1, shape = 2; }
namespace shape_f { constexpr std::uint32_t dim = 1; }
namespace dim_f { constexpr std::uint32_t dim_value = 1, dim_param = 2; }

// AttributeProto.AttributeType and TensorProto.DataType values used here.
enum AttributeType : std::int32_t { attr_float = 1, attr_int = 2, attr_string = 3, attr_tensor = 4, attr_graph = 5,
                                    attr_floats = 6, attr_ints = 7 };
enum DataType : std::int32_t { dt_float = 1, dt_int32 = 6, dt_int64 = 7, dt_bool = 9, dt_double = 11 };

constexpr std::int64_t ir_version = 8;  // the IR version of opset 17 (ONNX 1.12)

// ---------------------------------------------------------------------------------------------
// Export

std::string text(std::initializer_list<std::string_view> parts) {
  std::string s;
  for (std::string_view p : parts) s += p;
  return s;
}

pb::Writer attribute(std::string_view name, AttributeType type) {
  pb::Writer a;
  a.bytes(attr_f::name, name);
  a.varint(attr_f::type, static_cast<std::uint64_t>(type));
  return a;
}
pb::Writer int_attribute(std::string_view name, std::int64_t value) {
  pb::Writer a = attribute(name, attr_int);
  a.int64(attr_f::i, value);
  return a;
}
pb::Writer float_attribute(std::string_view name, float value) {
  pb::Writer a = attribute(name, attr_float);
  a.float32(attr_f::f, value);
  return a;
}
pb::Writer ints_attribute(std::string_view name, std::initializer_list<std::int64_t> values) {
  pb::Writer a = attribute(name, attr_ints);
  for (std::int64_t v : values) a.int64(attr_f::ints, v);
  return a;
}

// A float tensor (little-endian raw_data).
pb::Writer float_tensor(std::string_view name, const std::vector<std::int64_t>& dims, const float* data,
                        std::size_t size) {
  pb::Writer t;
  for (std::int64_t d : dims) t.int64(tensor_f::dims, d);
  t.varint(tensor_f::data_type, dt_float);
  t.bytes(tensor_f::name, name);
  t.bytes(tensor_f::raw_data, std::string_view(reinterpret_cast<const char*>(data), size * sizeof(float)));
  return t;
}

// ValueInfoProto of a float tensor [N, dims...].
pb::Writer batch_value_info(std::string_view name, const Shape& sample) {
  pb::Writer shape;
  pb::Writer batch;
  batch.bytes(dim_f::dim_param, "N");
  shape.message(shape_f::dim, batch);
  for (std::size_t d = 0; d < sample.rank(); ++d) {
    pb::Writer dim;
    dim.int64(dim_f::dim_value, static_cast<std::int64_t>(sample[d]));
    shape.message(shape_f::dim, dim);
  }
  pb::Writer tensor_type;
  tensor_type.varint(tensor_type_f::elem_type, dt_float);
  tensor_type.message(tensor_type_f::shape, shape);
  pb::Writer type;
  type.message(type_f::tensor_type, tensor_type);
  pb::Writer info;
  info.bytes(value_info_f::name, name);
  info.message(value_info_f::type, type);
  return info;
}

class GraphWriter {
 public:
  void node(std::string_view op, std::initializer_list<std::string_view> inputs, std::string_view output,
            std::string_view name, std::initializer_list<const pb::Writer*> attributes = {}) {
    node(op, std::vector<std::string_view>(inputs), output, name, std::vector<const pb::Writer*>(attributes));
  }
  void node(std::string_view op, const std::vector<std::string_view>& inputs, std::string_view output,
            std::string_view name, const std::vector<const pb::Writer*>& attributes) {
    pb::Writer n;
    for (std::string_view in : inputs) n.bytes(node_f::input, in);
    n.bytes(node_f::output, output);
    n.bytes(node_f::name, name);
    n.bytes(node_f::op_type, op);
    for (const pb::Writer* a : attributes) n.message(node_f::attribute, *a);
    graph_.message(graph_f::node, n);
  }
  // Adds a float initializer holding a parameter of the model: its name, shape and values.
  void parameter(const ParameterStore<float>& store, const std::string& name) {
    const TensorView<const float> v = store.value(store.index(name));
    std::vector<std::int64_t> dims;
    for (std::size_t d = 0; d < v.shape().rank(); ++d) dims.push_back(static_cast<std::int64_t>(v.shape()[d]));
    initializer(name, dims, std::vector<float>(v.data(), v.data() + v.size()));
  }
  void initializer(std::string_view name, const std::vector<std::int64_t>& dims, const std::vector<float>& values) {
    initializers_.push_back(float_tensor(name, dims, values.data(), values.size()));
  }
  void output(std::string_view name, const Shape& sample) { outputs_.push_back(batch_value_info(name, sample)); }
  pb::Writer finish(const Shape& input) {
    graph_.bytes(graph_f::name, "bpnn");
    for (const pb::Writer& t : initializers_) graph_.message(graph_f::initializer, t);
    graph_.message(graph_f::input, batch_value_info("input", input));
    for (const pb::Writer& o : outputs_) graph_.message(graph_f::output, o);
    return graph_;
  }

 private:
  pb::Writer graph_;  // nodes first, in order, then the rest at finish
  std::vector<pb::Writer> initializers_, outputs_;
};

std::int64_t config_int(const LayerConfig& c, std::string_view name) {
  const ConfigValue* v = c.find(name);
  const std::int64_t* i = v ? std::get_if<std::int64_t>(v) : nullptr;
  if (i == nullptr) throw Error(text({"layer config of ", c.kind, " has no integer '", name, "'"}));
  return *i;
}
double config_number(const LayerConfig& c, std::string_view name) {
  const ConfigValue* v = c.find(name);
  if (const double* d = v ? std::get_if<double>(v) : nullptr) return *d;
  if (const std::int64_t* i = v ? std::get_if<std::int64_t>(v) : nullptr) return static_cast<double>(*i);
  throw Error(text({"layer config of ", c.kind, " has no number '", name, "'"}));
}
bool config_bool(const LayerConfig& c, std::string_view name) {
  const ConfigValue* v = c.find(name);
  const bool* b = v ? std::get_if<bool>(v) : nullptr;
  if (b == nullptr) throw Error(text({"layer config of ", c.kind, " has no flag '", name, "'"}));
  return *b;
}

// An activation's ONNX form (ActivationRow::onnx), parsed: its nodes from x to y.
struct FormInput {
  enum Kind { x, previous, constant } kind = x;
  float value = 0;  // a constant's
};
struct FormAttribute {
  std::string name;
  enum Kind { number, float_type, option } kind = number;
  float value = 0;  // a number's
};
struct FormNode {
  std::string op;
  std::vector<FormInput> inputs;
  std::vector<FormAttribute> attributes;
};

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

std::vector<FormNode> parse_form(const ActivationRow& row) {
  auto fail = [&]() -> std::vector<FormNode> {
    throw Error("activation '" + std::string(row.name) + "' has a malformed ONNX form: " + std::string(row.onnx));
  };
  auto number = [&](std::string_view text, float& value) {
    const std::string copy(text);
    char* end = nullptr;
    value = static_cast<float>(std::strtod(copy.c_str(), &end));
    return !copy.empty() && end == copy.c_str() + copy.size();
  };
  std::vector<FormNode> nodes;
  for (std::string_view s = trimmed(row.onnx); !s.empty(); s = trimmed(s)) {
    const std::size_t open = s.find('('), close = s.find(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open) return fail();
    FormNode node{std::string(trimmed(s.substr(0, open))), {}, {}};
    for (std::string_view args = s.substr(open + 1, close - open - 1); !args.empty();) {
      const std::size_t comma = args.find(',');
      const std::string_view arg = trimmed(args.substr(0, comma));
      args = comma == std::string_view::npos ? std::string_view() : args.substr(comma + 1);
      const std::size_t equals = arg.find('=');
      if (equals != std::string_view::npos) {
        FormAttribute a{std::string(trimmed(arg.substr(0, equals)))};
        const std::string_view value = trimmed(arg.substr(equals + 1));
        if (value == "float") {
          a.kind = FormAttribute::float_type;
        } else if (!row.option.name.empty() && value == row.option.name) {
          a.kind = FormAttribute::option;
        } else if (!number(value, a.value)) {
          return fail();
        }
        node.attributes.push_back(a);
      } else if (arg == "x") {
        node.inputs.push_back({FormInput::x});
      } else if (arg == "_" && !nodes.empty()) {
        node.inputs.push_back({FormInput::previous});
      } else {
        FormInput constant{FormInput::constant};
        if (!number(arg, constant.value)) return fail();
        node.inputs.push_back(constant);
      }
    }
    nodes.push_back(std::move(node));
    s.remove_prefix(close + 1);
  }
  if (nodes.empty()) return fail();
  return nodes;
}

// An activation layer's nodes, from its row's form: node k's output is name.k (the last's, out),
// a constant input j of node k an initializer name.k.cj.
void export_activation(GraphWriter& g, const ActivationRow& row, double option, const std::string& name,
                       const std::string& in, const std::string& out) {
  const std::vector<FormNode> nodes = parse_form(row);
  std::string previous;
  for (std::size_t k = 0; k < nodes.size(); ++k) {
    const bool last = k + 1 == nodes.size();
    const std::string node = last ? name : name + "." + std::to_string(k), output = last ? out : node;
    std::vector<std::string> constants;
    std::vector<std::string_view> inputs;
    constants.reserve(nodes[k].inputs.size());
    for (const FormInput& input : nodes[k].inputs) {
      if (input.kind == FormInput::constant) {
        constants.push_back(name + "." + std::to_string(k) + ".c" + std::to_string(inputs.size()));
        g.initializer(constants.back(), {}, {input.value});
      }
      inputs.push_back(input.kind == FormInput::x ? std::string_view(in)
                       : input.kind == FormInput::previous ? std::string_view(previous)
                                                           : std::string_view(constants.back()));
    }
    std::vector<pb::Writer> attributes;
    for (const FormAttribute& a : nodes[k].attributes) {
      attributes.push_back(a.kind == FormAttribute::float_type ? int_attribute(a.name, dt_float)
                           : float_attribute(a.name, a.kind == FormAttribute::option ? static_cast<float>(option)
                                                                                     : a.value));
    }
    std::vector<const pb::Writer*> pointers;
    for (const pb::Writer& a : attributes) pointers.push_back(&a);
    g.node(nodes[k].op, inputs, output, node, pointers);
    previous = output;
  }
}

// Writes layer i's nodes, from value `in` to value `out`. Returns false for a layer that has
// none (dropout: the identity in inference).
bool export_layer(GraphWriter& g, const Sequential<float>& model, std::size_t i, const std::string& in,
                  const std::string& out) {
  const Layer<float>& layer = model.layer(i);
  const LayerConfig c = layer.config();
  const std::string& kind = c.kind;
  const std::string p = std::to_string(i) + ".";
  const std::string name = p + kind;
  const ParameterStore<float>& store = model.parameters();
  if (kind == "dense") {
    const pb::Writer trans_b = int_attribute("transB", 1);
    g.parameter(store, p + "weight");
    if (config_bool(c, "bias")) {
      g.parameter(store, p + "bias");
      g.node("Gemm", {in, p + "weight", p + "bias"}, out, name, {&trans_b});
    } else {
      g.node("Gemm", {in, p + "weight"}, out, name, {&trans_b});
    }
  } else if (kind == "conv2d") {
    const std::int64_t k = config_int(c, "kernel"), s = config_int(c, "stride"), pad = config_int(c, "padding");
    const pb::Writer kernel_shape = ints_attribute("kernel_shape", {k, k});
    const pb::Writer strides = ints_attribute("strides", {s, s});
    const pb::Writer pads = ints_attribute("pads", {pad, pad, pad, pad});
    g.parameter(store, p + "weight");
    if (config_bool(c, "bias")) {
      g.parameter(store, p + "bias");
      g.node("Conv", {in, p + "weight", p + "bias"}, out, name, {&kernel_shape, &strides, &pads});
    } else {
      g.node("Conv", {in, p + "weight"}, out, name, {&kernel_shape, &strides, &pads});
    }
  } else if (kind == "maxpool2d" || kind == "avgpool2d") {
    const std::int64_t k = config_int(c, "kernel"), s = config_int(c, "stride");
    const pb::Writer kernel_shape = ints_attribute("kernel_shape", {k, k});
    const pb::Writer strides = ints_attribute("strides", {s, s});
    g.node(kind == "maxpool2d" ? "MaxPool" : "AveragePool", {in}, out, name, {&kernel_shape, &strides});
  } else if (kind == "flatten") {
    const pb::Writer axis = int_attribute("axis", 1);
    g.node("Flatten", {in}, out, name, {&axis});
  } else if (kind == "batchnorm") {
    // ONNX's momentum weighs the running value (running = momentum running + (1 - momentum) batch):
    // 1 - PyTorch's, as torch.onnx.export writes it.
    const pb::Writer epsilon = float_attribute("epsilon", static_cast<float>(config_number(c, "eps")));
    const pb::Writer momentum = float_attribute("momentum", static_cast<float>(1.0 - config_number(c, "momentum")));
    const std::size_t channels = store.value(store.index(p + "running_mean")).size();
    if (config_bool(c, "affine")) {
      g.parameter(store, p + "weight");
      g.parameter(store, p + "bias");
    } else {  // ONNX needs a scale and a shift: the identity ones
      g.initializer(p + "weight", {static_cast<std::int64_t>(channels)}, std::vector<float>(channels, 1.0f));
      g.initializer(p + "bias", {static_cast<std::int64_t>(channels)}, std::vector<float>(channels, 0.0f));
    }
    g.parameter(store, p + "running_mean");
    g.parameter(store, p + "running_var");
    g.node("BatchNormalization", {in, p + "weight", p + "bias", p + "running_mean", p + "running_var"}, out, name,
           {&epsilon, &momentum});
  } else if (kind == "dropout") {
    return false;
  } else if (const std::optional<std::size_t> f = find_activation(kind)) {
    const ActivationRow& row = activation_table[*f];
    export_activation(g, row, row.option.name.empty() ? 0.0 : config_number(c, row.option.name), name, in, out);
  } else if (kind == "softmax") {
    const pb::Writer axis = int_attribute("axis", 1);
    g.node("Softmax", {in}, out, name, {&axis});
  } else {
    throw Error("layer " + std::to_string(i) + " (" + kind + ") has no ONNX form in bpnn's export");
  }
  return true;
}

// The input scaling as nodes at the graph's input, as apply_scaling computes it: Sub(input,
// scaling.shift), then Mul(_, scaling.scale), both of the sample's shape. Returns the value the
// first layer reads.
std::string export_scaling(GraphWriter& g, const InputScaling& scaling, const Shape& sample) {
  if (scaling.kind == InputScaling::Kind::none) return "input";
  if (scaling.shift.size() != sample.numel() || scaling.scale.size() != sample.numel()) {
    throw Error("the input scaling is for " + std::to_string(scaling.shift.size()) + " values, the model takes " +
                std::to_string(sample.numel()));
  }
  std::vector<std::int64_t> dims;
  for (std::size_t d = 0; d < sample.rank(); ++d) dims.push_back(static_cast<std::int64_t>(sample[d]));
  g.initializer("scaling.shift", dims, scaling.shift);
  g.initializer("scaling.scale", dims, scaling.scale);
  g.node("Sub", {"input", "scaling.shift"}, "scaling.centered", "scaling.sub");
  g.node("Mul", {"scaling.centered", "scaling.scale"}, "scaling.output", "scaling.mul");
  return "scaling.output";
}

void metadata_entry(pb::Writer& m, std::string_view key, std::string_view value) {
  pb::Writer entry;
  entry.bytes(entry_f::key, key);
  entry.bytes(entry_f::value, value);
  m.message(model_f::metadata_props, entry);
}

// The meaning as metadata_props: the recipe as "bpnn.data", its scaling "none" (the graph applies
// it), "bpnn.input_scaling" naming the kind of the scaling nodes, and the model file's other
// metadata. Keys bpnn uses itself are not passed on from metadata.
void export_meaning(pb::Writer& m, const DataRecipe& recipe, const ModelMetadata& metadata) {
  for (const auto& [key, value] : metadata) {
    if (key == "bpnn.data" || key == "bpnn.input_scaling" || key.rfind("bpnn.num_batches_tracked.", 0) == 0) continue;
    metadata_entry(m, key, value);
  }
  DataRecipe unscaled = recipe;
  unscaled.scaling = InputScaling{};
  metadata_entry(m, "bpnn.data", recipe_to_json(unscaled));
  if (recipe.scaling.kind != InputScaling::Kind::none)
    metadata_entry(m, "bpnn.input_scaling", scaling_name(recipe.scaling.kind));
}

// ---------------------------------------------------------------------------------------------
// Import: the messages as read (only what import uses), each parsed with its fields checked.

// A constant: float values, or integers (int64, int32 and bool tensors, and shape arithmetic).
constexpr std::int64_t batch_dim = INT64_MIN;  // in a shape value: the batch size, known only when run

struct Constant {
  std::vector<std::int64_t> dims;
  bool is_float = true;
  std::vector<float> floats;
  std::vector<std::int64_t> ints;
  std::size_t size() const { return is_float ? floats.size() : ints.size(); }
};

std::string dims_text(const std::vector<std::int64_t>& dims) {
  std::string s = "[";
  for (std::size_t k = 0; k < dims.size(); ++k) {
    s += (k ? ", " : "") + (dims[k] == batch_dim ? std::string("N") : std::to_string(dims[k]));
  }
  return s + "]";
}

struct Attribute {
  std::string name;
  std::int32_t type = 0;
  float f = 0;
  std::int64_t i = 0;
  std::string s;
  std::optional<Constant> t;
  std::vector<float> floats;
  std::vector<std::int64_t> ints;
};

struct Node {
  std::string name, op_type, domain;
  std::vector<std::string> inputs, outputs;
  std::vector<Attribute> attributes;
};

struct Dim {
  bool known = false;
  std::int64_t value = 0;
  std::string param;
};

struct ValueInfo {
  std::string name;
  std::int32_t elem_type = 0;
  bool has_shape = false;
  std::vector<Dim> dims;
};

struct Graph {
  std::vector<Node> nodes;
  std::vector<std::pair<std::string, Constant>> initializers;
  std::vector<ValueInfo> inputs, outputs;
};

struct Model {
  std::int64_t ir_version = 0;
  std::vector<std::pair<std::string, std::int64_t>> opsets;
  std::optional<Graph> graph;
  std::vector<std::pair<std::string, std::string>> metadata;  // metadata_props
};

std::string name_text(std::string_view name) { return "'" + printable(name, 80) + "'"; }

// Elements of a tensor of dims, checked: no negative size, at most 2^31 elements.
std::size_t element_count(const std::vector<std::int64_t>& dims) {
  if (dims.size() > 8) throw Error("a tensor of rank " + std::to_string(dims.size()) + " (at most 8 here)");
  std::int64_t n = 1;
  for (std::int64_t d : dims) {
    if (d < 0) throw Error("a tensor dimension of " + std::to_string(d));
    if (d != 0 && n > (std::int64_t{1} << 31) / d)
      throw Error("a tensor of more than 2^31 elements, " + dims_text(dims));
    n *= d;
  }
  return static_cast<std::size_t>(n);
}

Constant parse_tensor(std::string_view bytes, const std::string& what, std::string* name_out = nullptr) {
  pb::Reader r(bytes, what);
  pb::Field f;
  Constant c;
  std::int32_t data_type = 0;
  std::string_view raw;
  bool has_raw = false, external = false;
  std::vector<float> float_data;
  std::vector<std::int64_t> int_data;  // int64_data, or int32_data (also bool) as varints
  std::string name;
  while (r.next(f)) {
    switch (f.number) {
      case tensor_f::dims: pb::append_int64s(f, "TensorProto.dims", c.dims); break;
      case tensor_f::data_type: data_type = pb::int32_value(f, "TensorProto.data_type"); break;
      case tensor_f::float_data: pb::append_floats(f, "TensorProto.float_data", float_data); break;
      case tensor_f::int32_data: pb::append_int64s(f, "TensorProto.int32_data", int_data); break;
      case tensor_f::int64_data: pb::append_int64s(f, "TensorProto.int64_data", int_data); break;
      case tensor_f::name: name = std::string(pb::bytes_value(f, "TensorProto.name")); break;
      case tensor_f::raw_data:
        raw = pb::bytes_value(f, "TensorProto.raw_data");
        has_raw = true;
        break;
      case tensor_f::data_location: external = pb::int64_value(f, "TensorProto.data_location") == 1; break;
      case tensor_f::external_data: external = true; break;
      case tensor_f::segment:
        throw Error(what + ": a segmented tensor (TensorProto.segment), which bpnn does not read");
      case tensor_f::string_data:
      case tensor_f::double_data:
      case tensor_f::uint64_data:
        throw Error(what + ": tensor " + name_text(name) + " holds data of a type bpnn does not import");
      default: break;  // doc_string, metadata: not needed
    }
  }
  const std::string where = what + " " + name_text(name);
  if (name_out) *name_out = name;
  if (external)
    throw Error(where +
                ": its data is in an external file, which bpnn does not read; save the model with its data inside");
  std::size_t count;
  try {
    count = element_count(c.dims);
  } catch (const Error& e) {
    throw Error(where + ": " + e.what());
  }
  std::size_t width = 0;
  if (data_type == dt_float) {
    width = 4;
  } else if (data_type == dt_int64) {
    width = 8;
  } else if (data_type == dt_int32) {
    width = 4;
  } else if (data_type == dt_bool) {
    width = 1;
  } else {
    throw Error(where + ": data type " + std::to_string(data_type) + (data_type == dt_double ? " (double)" : "") +
                "; bpnn imports float32 weights (and int64 shapes)");
  }
  const std::size_t given = has_raw ? raw.size() / width : data_type == dt_float ? float_data.size() : int_data.size();
  if ((has_raw && (!float_data.empty() || !int_data.empty())) || (data_type == dt_float && !int_data.empty()) ||
      (data_type != dt_float && !float_data.empty())) {
    throw Error(where + ": its data is given in two fields, or in a field of another type");
  }
  if ((has_raw && raw.size() != count * width) || given != count) {
    throw Error(where + ": shape " + dims_text(c.dims) + " needs " + std::to_string(count) +
                " values, the tensor holds " +
                (has_raw ? std::to_string(raw.size()) + " bytes" : std::to_string(given) + " values"));
  }
  c.is_float = data_type == dt_float;
  if (c.is_float) {
    if (has_raw) {
      c.floats.resize(count);
      if (count) std::memcpy(c.floats.data(), raw.data(), count * 4);
    } else {
      c.floats = std::move(float_data);
    }
  } else if (has_raw) {
    c.ints.resize(count);
    for (std::size_t k = 0; k < count; ++k) {
      if (width == 8) {
        std::memcpy(&c.ints[k], raw.data() + 8 * k, 8);
      } else if (width == 4) {
        std::int32_t v;
        std::memcpy(&v, raw.data() + 4 * k, 4);
        c.ints[k] = v;
      } else {
        c.ints[k] = raw[k] != 0;
      }
    }
  } else {
    c.ints = std::move(int_data);
    if (data_type == dt_int32) {
      for (std::int64_t& v : c.ints) v = static_cast<std::int32_t>(v);  // int32 varints carry 64 bits
    }
  }
  for (std::int64_t v : c.ints) {
    if (v == batch_dim) throw Error(where + ": holds " + std::to_string(v) + ", which bpnn does not take");
  }
  return c;
}

Attribute parse_attribute(std::string_view bytes, const std::string& what) {
  pb::Reader r(bytes, what);
  pb::Field f;
  Attribute a;
  std::int32_t set = 0;  // the type of the value field seen, for files without AttributeProto.type
  while (r.next(f)) {
    switch (f.number) {
      case attr_f::name: a.name = std::string(pb::bytes_value(f, "AttributeProto.name")); break;
      case attr_f::type: a.type = pb::int32_value(f, "AttributeProto.type"); break;
      case attr_f::f: a.f = pb::float_value(f, "AttributeProto.f"), set = attr_float; break;
      case attr_f::i: a.i = pb::int64_value(f, "AttributeProto.i"), set = attr_int; break;
      case attr_f::s: a.s = std::string(pb::bytes_value(f, "AttributeProto.s")), set = attr_string; break;
      case attr_f::t: a.t = parse_tensor(pb::bytes_value(f, "AttributeProto.t"), what + ".t"), set = attr_tensor; break;
      case attr_f::g: pb::bytes_value(f, "AttributeProto.g"), set = attr_graph; break;
      case attr_f::floats: pb::append_floats(f, "AttributeProto.floats", a.floats), set = attr_floats; break;
      case attr_f::ints: pb::append_int64s(f, "AttributeProto.ints", a.ints), set = attr_ints; break;
      case attr_f::ref_attr_name: throw Error(what + ": a reference attribute (only functions have those)");
      default: break;
    }
  }
  if (a.type == 0) a.type = set;
  return a;
}

Node parse_node(std::string_view bytes, const std::string& what) {
  pb::Reader r(bytes, what);
  pb::Field f;
  Node n;
  std::vector<std::string_view> attributes;
  while (r.next(f)) {
    switch (f.number) {
      case node_f::input: n.inputs.emplace_back(pb::bytes_value(f, "NodeProto.input")); break;
      case node_f::output: n.outputs.emplace_back(pb::bytes_value(f, "NodeProto.output")); break;
      case node_f::name: n.name = std::string(pb::bytes_value(f, "NodeProto.name")); break;
      case node_f::op_type: n.op_type = std::string(pb::bytes_value(f, "NodeProto.op_type")); break;
      case node_f::domain: n.domain = std::string(pb::bytes_value(f, "NodeProto.domain")); break;
      case node_f::attribute: attributes.push_back(pb::bytes_value(f, "NodeProto.attribute")); break;
      default: break;
    }
  }
  for (std::size_t k = 0; k < attributes.size(); ++k) {
    n.attributes.push_back(parse_attribute(attributes[k], what + " attribute " + std::to_string(k)));
  }
  return n;
}

ValueInfo parse_value_info(std::string_view bytes, const std::string& what) {
  ValueInfo v;
  pb::Field f;
  for (pb::Reader r(bytes, what); r.next(f);) {
    if (f.number == value_info_f::name) v.name = std::string(pb::bytes_value(f, "ValueInfoProto.name"));
    if (f.number != value_info_f::type) continue;
    pb::Field t;
    for (pb::Reader type(pb::bytes_value(f, "ValueInfoProto.type"), what + ".type"); type.next(t);) {
      if (t.number != type_f::tensor_type) continue;
      v.elem_type = -1;  // a tensor type, element type not given yet
      pb::Field tt;
      for (pb::Reader tensor(pb::bytes_value(t, "TypeProto.tensor_type"), what + ".type.tensor_type");
           tensor.next(tt);) {
        if (tt.number == tensor_type_f::elem_type) v.elem_type = pb::int32_value(tt, "TypeProto.Tensor.elem_type");
        if (tt.number != tensor_type_f::shape) continue;
        v.has_shape = true;
        v.dims.clear();
        pb::Field s;
        for (pb::Reader shape(pb::bytes_value(tt, "TypeProto.Tensor.shape"), what + ".shape"); shape.next(s);) {
          if (s.number != shape_f::dim) continue;
          Dim dim;
          pb::Field d;
          for (pb::Reader dr(pb::bytes_value(s, "TensorShapeProto.dim"), what + ".shape.dim"); dr.next(d);) {
            if (d.number == dim_f::dim_value) {
              dim.known = true;
              dim.value = pb::int64_value(d, "TensorShapeProto.Dimension.dim_value");
            }
            if (d.number == dim_f::dim_param)
              dim.param = std::string(pb::bytes_value(d, "TensorShapeProto.Dimension.dim_param"));
          }
          v.dims.push_back(dim);
          if (v.dims.size() > 16) throw Error(what + ": a shape of more than 16 dimensions");
        }
      }
    }
  }
  return v;
}

Graph parse_graph(std::string_view bytes) {
  Graph g;
  pb::Field f;
  for (pb::Reader r(bytes, "graph"); r.next(f);) {
    switch (f.number) {
      case graph_f::node: {
        const std::string what = "node " + std::to_string(g.nodes.size());
        g.nodes.push_back(parse_node(pb::bytes_value(f, "GraphProto.node"), what));
        break;
      }
      case graph_f::initializer: {
        std::string name;
        const std::string what = "initializer " + std::to_string(g.initializers.size());
        Constant c = parse_tensor(pb::bytes_value(f, "GraphProto.initializer"), what, &name);
        g.initializers.emplace_back(std::move(name), std::move(c));
        break;
      }
      case graph_f::sparse_initializer: throw Error("graph: a sparse initializer, which bpnn does not read");
      case graph_f::input:
        g.inputs.push_back(
            parse_value_info(pb::bytes_value(f, "GraphProto.input"), "graph input " + std::to_string(g.inputs.size())));
        break;
      case graph_f::output:
        g.outputs.push_back(parse_value_info(pb::bytes_value(f, "GraphProto.output"),
                                             "graph output " + std::to_string(g.outputs.size())));
        break;
      default: break;
    }
  }
  return g;
}

Model parse_model(std::string_view bytes) {
  Model m;
  pb::Field f;
  for (pb::Reader r(bytes, "ModelProto"); r.next(f);) {
    switch (f.number) {
      case model_f::ir_version: m.ir_version = pb::int64_value(f, "ModelProto.ir_version"); break;
      case model_f::opset_import: {
        std::pair<std::string, std::int64_t> opset{"", 0};
        pb::Field o;
        for (pb::Reader r2(pb::bytes_value(f, "ModelProto.opset_import"), "opset_import"); r2.next(o);) {
          if (o.number == opset_f::domain) opset.first = std::string(pb::bytes_value(o, "OperatorSetIdProto.domain"));
          if (o.number == opset_f::version) opset.second = pb::int64_value(o, "OperatorSetIdProto.version");
        }
        m.opsets.push_back(opset);
        break;
      }
      case model_f::metadata_props: {
        std::pair<std::string, std::string> entry;
        pb::Field e;
        for (pb::Reader r2(pb::bytes_value(f, "ModelProto.metadata_props"), "metadata_props"); r2.next(e);) {
          if (e.number == entry_f::key) entry.first = std::string(pb::bytes_value(e, "StringStringEntryProto.key"));
          if (e.number == entry_f::value)
            entry.second = std::string(pb::bytes_value(e, "StringStringEntryProto.value"));
        }
        m.metadata.push_back(std::move(entry));
        break;
      }
      case model_f::graph:
        if (m.graph) throw Error("ModelProto has two graphs");
        m.graph = parse_graph(pb::bytes_value(f, "ModelProto.graph"));
        break;
      default: break;
    }
  }
  return m;
}

// ---------------------------------------------------------------------------------------------
// Import: from the parsed graph to a Sequential.

// The shortest decimal that rounds to the float f, as a double: 0.2f -> 0.2, so an option written
// as a float (epsilon, alpha) comes back as the number a person wrote.
double decimal(double value, bool single) {
  char buffer[64];
  const auto end = single ? std::to_chars(buffer, buffer + sizeof buffer, static_cast<float>(value)).ptr
                          : std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::general, 15).ptr;
  *end = '\0';
  return std::strtod(buffer, nullptr);
}

Shape shape_of(const std::vector<std::int64_t>& dims, std::size_t first) {
  Shape s;
  for (std::size_t k = dims.size(); k-- > first;) s = s.with_batch(static_cast<std::size_t>(dims[k]));
  return s;
}

class Importer {
 public:
  explicit Importer(const Model& model) : model_(model) {
    for (const auto& [domain, version] : model.opsets) {
      if (domain.empty() || domain == "ai.onnx") opset_ = version;
    }
  }

  Sequential<float> run() {
    const Graph& g = *model_.graph;
    for (const auto& [name, c] : g.initializers) constants_[name] = c;
    const ValueInfo* input = nullptr;
    for (const ValueInfo& v : g.inputs) {
      if (constants_.count(v.name)) continue;  // an initializer listed as an input too (IR < 4)
      if (input)
        throw Error("the graph has two inputs, " + name_text(input->name) + " and " + name_text(v.name) +
                    "; bpnn models have one");
      input = &v;
    }
    if (input == nullptr) throw Error("the graph has no input");
    const std::string in = "graph input " + name_text(input->name);
    if (input->elem_type == 0)
      throw Error(in + " is not a tensor (a sequence, map or optional); bpnn takes one float32 tensor");
    if (input->elem_type != dt_float)
      throw Error(in + " is not a float32 tensor (elem_type " + std::to_string(input->elem_type) + ")");
    if (!input->has_shape || input->dims.empty() || input->dims.size() > Shape::max_rank + 1) {
      throw Error(in + " needs a shape [N, features...] of rank 1 to " + std::to_string(Shape::max_rank + 1));
    }
    // [N, d1, ...]: the first dimension is the batch; a vector [d] has none: it is one sample.
    batched_ = input->dims.size() > 1;
    if (batched_ && input->dims[0].known && input->dims[0].value > 0) fixed_batch_ = input->dims[0].value;
    std::vector<std::int64_t> dims{batch_dim};
    for (std::size_t k = batched_ ? 1 : 0; k < input->dims.size(); ++k) {
      const Dim& d = input->dims[k];
      if (!d.known || d.value <= 0 || d.value > 100000000) {
        throw Error(in + ": dimension " + std::to_string(k) + " must be a fixed size, it is " +
                    (d.known ? std::to_string(d.value) : "'" + printable(d.param) + "'") +
                    " (only the batch may vary)");
      }
      dims.push_back(d.value);
    }
    element_count(std::vector<std::int64_t>(dims.begin() + 1, dims.end()));  // the sample is of a reasonable size
    model_out_.emplace(shape_of(dims, 1));
    current_ = input->name;
    // Constant nodes first: an activation's nodes may have them in between (torch's GELU does).
    for (std::size_t k = 0; k < g.nodes.size(); ++k) {
      if (g.nodes[k].op_type == "Constant") at_node(k, [&] { fold(*node_); });
    }
    const std::optional<std::size_t> probabilities = probabilities_node();
    for (std::size_t k = 0; k < g.nodes.size();) {
      std::size_t used = 1;
      if (g.nodes[k].op_type != "Constant" && k != probabilities) at_node(k, [&] { used = import_node(k); });
      k += used;
    }
    where_ = "the graph";
    flush();
    if (g.outputs.size() != (probabilities ? 2 : 1)) {
      throw Error("the graph has " + std::to_string(g.outputs.size()) + " outputs; bpnn models have one");
    }
    if (g.outputs[0].name != current_) {
      throw Error("graph output " + name_text(g.outputs[0].name) + " is not the last layer's output " +
                  name_text(current_));
    }
    restore_counts();
    return std::move(*model_out_);
  }

  // The input scaling the graph starts with (scaling_node), a shift and a scale per input value;
  // none when it starts with none. Its kind is for the caller to name. May be called after run.
  std::optional<InputScaling> scaling() const {
    if (scaling_.shift.empty() && scaling_.scale.empty()) return std::nullopt;
    const std::size_t size = std::max(scaling_.shift.size(), scaling_.scale.size());  // the input's, per_input_value's
    InputScaling s = scaling_;
    if (s.shift.empty()) s.shift.assign(size, 0.0f);
    if (s.scale.empty()) s.scale.assign(size, 1.0f);
    return s;
  }

 private:
  // The node of a second graph output that is the softmax of the first (bpnn's export writes
  // "probabilities" for a classifier of logits): a view of the output, not a layer.
  std::optional<std::size_t> probabilities_node() const {
    const Graph& g = *model_.graph;
    if (g.outputs.size() != 2 || opset_ < 13) return std::nullopt;
    for (std::size_t k = 0; k < g.nodes.size(); ++k) {
      const Node& n = g.nodes[k];
      if (n.outputs.size() != 1 || n.outputs[0] != g.outputs[1].name) continue;
      const bool last_axis = n.attributes.empty() || (n.attributes.size() == 1 && n.attributes[0].name == "axis" &&
                                                      (n.attributes[0].i == 1 || n.attributes[0].i == -1));
      if (n.op_type == "Softmax" && n.domain.empty() && n.inputs.size() == 1 && n.inputs[0] == g.outputs[0].name &&
          last_axis) {
        return k;
      }
    }
    return std::nullopt;
  }
  // Batch norm's num_batches_tracked, which ONNX has no place for, from bpnn's metadata_props
  // ("bpnn.num_batches_tracked.<layer>"), when the layer there is a batch norm. Others are ignored.
  void restore_counts() {
    ParameterStore<float>& store = model_out_->parameters();
    for (const auto& [key, value] : model_.metadata) {
      const std::string prefix = "bpnn.num_batches_tracked.";
      if (key.rfind(prefix, 0) != 0) continue;
      std::size_t layer = 0, count = 0;
      const std::string_view index(key.data() + prefix.size(), key.size() - prefix.size());
      const auto [p1, e1] = std::from_chars(index.data(), index.data() + index.size(), layer);
      const auto [p2, e2] = std::from_chars(value.data(), value.data() + value.size(), count);
      if (e1 != std::errc() || p1 != index.data() + index.size() || e2 != std::errc() ||
          p2 != value.data() + value.size() || layer >= model_out_->size() ||
          model_out_->layer(layer).kind() != "batchnorm" || count > (std::size_t{1} << 24)) {
        continue;  // not ours to restore (a count above 2^24 would not be exact in float either)
      }
      store.value(std::to_string(layer) + ".num_batches_tracked")[0] = static_cast<float>(count);
    }
  }

  [[noreturn]] void refuse(const std::string& why) const { throw Error(where_ + ": " + why); }

  // Runs f on node k, its errors prefixed with where it is.
  template <class F>
  void at_node(std::size_t k, F f) {
    node_ = &model_.graph->nodes[k];
    where_ = "node " + std::to_string(k) + " " + name_text(node_->name) + " (" + printable(node_->op_type) + ")";
    try {
      f();
    } catch (const Error& e) {
      const std::string message = e.what();
      throw Error(message.rfind(where_, 0) == 0 ? message : where_ + ": " + message);
    }
  }

  // The per-sample shape of the activation now.
  Shape current_shape() const { return dense_pending_ ? Shape{pending_.units} : model_out_->output_shape(); }

  const Attribute* attribute(std::string_view name) const {
    for (const Attribute& a : node_->attributes) {
      if (a.name == name) return &a;
    }
    return nullptr;
  }
  // Refuses an attribute not in names. consumed_inputs (opsets 1 to 5) is a hint for in-place
  // buffers, with no effect on the values: every node may have it.
  void allow(std::initializer_list<std::string_view> names) const {
    for (const Attribute& a : node_->attributes) {
      bool known = a.name == "consumed_inputs" && opset_ < 6;
      for (std::string_view n : names) known = known || a.name == n;
      if (!known) refuse("attribute " + name_text(a.name) + " is not supported by bpnn's import");
    }
  }
  const Attribute* typed(std::string_view name, AttributeType type, const char* type_name) const {
    const Attribute* a = attribute(name);
    if (a && a->type != type) refuse("attribute " + name_text(name) + " must be " + type_name);
    return a;
  }
  std::int64_t int_attr(std::string_view name, std::int64_t fallback) const {
    const Attribute* a = typed(name, attr_int, "an integer");
    return a ? a->i : fallback;
  }
  float float_attr(std::string_view name, float fallback) const {
    const Attribute* a = typed(name, attr_float, "a float");
    return a ? a->f : fallback;
  }
  std::string string_attr(std::string_view name, std::string fallback) const {
    const Attribute* a = typed(name, attr_string, "a string");
    return a ? a->s : fallback;
  }
  std::vector<std::int64_t> ints_attr(std::string_view name, std::vector<std::int64_t> fallback) const {
    const Attribute* a = typed(name, attr_ints, "a list of integers");
    return a ? a->ints : fallback;
  }

  // Input k of the node: a constant, or null for the activation. Refuses any other value.
  const Constant* input(std::size_t k) const {
    const std::string& name = node_->inputs[k];
    if (name == current_) return nullptr;
    const auto c = constants_.find(name);
    if (c != constants_.end()) return &c->second;
    refuse("input " + name_text(name) + " is neither a constant nor the previous layer's output " +
           name_text(current_) + " (bpnn imports a chain of layers: one activation, no branches)");
  }
  const Constant& constant_input(std::size_t k, const char* what) const {
    if (k >= node_->inputs.size() || node_->inputs[k].empty()) refuse(std::string("needs its input ") + what);
    const Constant* c = input(k);
    if (c == nullptr) refuse(std::string("its ") + what + " must be a constant, not the activation");
    return *c;
  }
  const Constant* optional_input(std::size_t k, const char* what) const {
    if (k >= node_->inputs.size() || node_->inputs[k].empty()) return nullptr;
    return &constant_input(k, what);
  }
  static const std::vector<float>& float_values(const Constant& c, const std::string& what) {
    if (!c.is_float) throw Error(what + " must hold floats, it holds integers");
    return c.floats;
  }

  // The node's output. Optional outputs after it (Dropout's mask, BatchNormalization's
  // statistics, MaxPool's indices) are for the op's import to take or refuse (unread_outputs).
  const std::string& output() const {
    if (node_->outputs.empty() || node_->outputs[0].empty()) refuse("has no output");
    const std::string& op = node_->op_type;
    for (std::size_t k = 1; k < node_->outputs.size(); ++k) {
      if (!node_->outputs[k].empty() && op != "Dropout" && op != "BatchNormalization" && op != "MaxPool") {
        refuse("has more than one output");
      }
    }
    const std::string& out = node_->outputs[0];
    if (constants_.count(out) || out == current_) refuse("writes " + name_text(out) + ", which already exists");
    return out;
  }

  // Refuses when an output after the first (what, e.g. "mask") is read by a node or is a graph
  // output: a bpnn layer has one output.
  void unread_outputs(const std::string& what) const {
    for (std::size_t k = 1; k < node_->outputs.size(); ++k) {
      const std::string& name = node_->outputs[k];
      if (name.empty()) continue;
      for (std::size_t m = 0; m < model_.graph->nodes.size(); ++m) {
        for (const std::string& in : model_.graph->nodes[m].inputs) {
          if (in == name)
            refuse("its output " + name_text(name) + " (" + what + ") is read by node " + std::to_string(m) +
                   "; a bpnn layer has one output");
        }
      }
      for (const ValueInfo& out : model_.graph->outputs) {
        if (out.name == name)
          refuse("its output " + name_text(name) + " (" + what + ") is a graph output; a bpnn layer has one output");
      }
    }
  }

  void add_layer(LayerConfig config, std::vector<std::pair<std::string, std::vector<float>>> tensors) {
    const std::size_t i = model_out_->size();
    model_out_->add(make_layer<float>(config));
    ParameterStore<float>& store = model_out_->parameters();
    for (auto& [local, values] : tensors) {
      TensorView<float> v = store.value(std::to_string(i) + "." + local);
      if (v.size() != values.size()) {
        refuse("tensor '" + local + "' has " + std::to_string(values.size()) + " values, the layer needs " +
               std::to_string(v.size()));
      }
      std::copy(values.begin(), values.end(), v.data());
    }
  }

  // A dense layer without bias waits here for an Add (torch's MatMul + Add) to give it one.
  struct PendingDense {
    std::size_t units = 0;
    std::vector<float> weight;
    std::vector<float> bias;
  };
  void flush() {
    if (!dense_pending_) return;
    dense_pending_ = false;
    const bool bias = !pending_.bias.empty();
    std::vector<std::pair<std::string, std::vector<float>>> tensors{{"weight", std::move(pending_.weight)}};
    if (bias) tensors.emplace_back("bias", std::move(pending_.bias));
    add_layer({"dense", {{"units", static_cast<std::int64_t>(pending_.units)}, {"bias", bias}}}, std::move(tensors));
  }

  // Imports node k (and, for an activation of several nodes, those after it); returns how many
  // nodes it took.
  std::size_t import_node(std::size_t k) {
    const Node& n = model_.graph->nodes[k];
    if (!n.domain.empty() && n.domain != "ai.onnx")
      refuse("operator domain " + name_text(n.domain) + " is not supported (only ONNX's own operators)");
    bool on_activation = false;
    for (std::size_t j = 0; j < n.inputs.size(); ++j) {
      if (!n.inputs[j].empty() && input(j) == nullptr) on_activation = true;
    }
    const std::string& op = n.op_type;
    if (!on_activation) {
      fold(n);
      return 1;
    }
    if (op == "Shape") {
      shape(n);
      return 1;
    }
    if (op == "Add" && dense_pending_ && pending_.bias.empty()) {
      add_bias(n);  // an Add on a dense layer without bias is that layer's bias (MatMul + Add)
      return 1;
    }
    if (scaling_node(k)) return 1;
    flush();
    if (const std::size_t used = activation(k)) return used;
    if (n.inputs.empty() || n.inputs[0] != current_) refuse("the previous layer's output must be its first input");
    for (std::size_t j = 1; j < n.inputs.size(); ++j) {
      if (n.inputs[j] == current_) refuse("takes the activation twice");
    }
    const std::string& out = output();
    layer(n);
    current_ = out;
    return 1;
  }

  // Sub(x, shift), then Mul(_, scale) or Div(_, divisor), at the graph's input before any layer:
  // the input scaling x' = (x - shift) scale (bpnn's export writes it so; torchvision-style
  // normalization too), each constant one value per input value or broadcast to it. Returns
  // false, taking nothing, for any other node (an activation's form starting with Div or Mul).
  bool scaling_node(std::size_t k) {
    const Node& n = model_.graph->nodes[k];
    const std::string& op = n.op_type;
    if (model_out_->size() != 0 || dense_pending_ || !scaling_.scale.empty() || n.inputs.size() != 2) return false;
    if (op != "Mul" && op != "Div" && op != "Sub") return false;
    if (op == "Sub" && !scaling_.shift.empty()) return false;
    const std::size_t x = op == "Mul" && n.inputs[1] == current_ ? 1 : 0;  // Mul either way round
    const auto c = constants_.find(n.inputs[1 - x]);
    if (n.inputs[x] != current_ || c == constants_.end() || !c->second.is_float || starts_activation(k)) return false;
    allow({});
    std::vector<float> values = per_input_value(c->second);
    if (op == "Sub") {
      scaling_.shift = std::move(values);
    } else if (op == "Mul") {
      scaling_.scale = std::move(values);
    } else {
      for (float& v : values) {
        if (v == 0.0f) refuse("it divides by 0 (bpnn takes a Div at the graph's input as its input scaling)");
        v = 1.0f / v;
      }
      scaling_.scale = std::move(values);
    }
    current_ = output();
    return true;
  }

  // A constant broadcast (numpy's rules) to the shape of one sample of the input: the batch
  // dimension, if it has one, of size 1. Refuses a constant that does not broadcast so.
  std::vector<float> per_input_value(const Constant& c) const {
    const Shape x = model_out_->input_shape();
    std::vector<std::size_t> full{1};  // [1, sample...], c's dims right-aligned to it
    for (std::size_t d = 0; d < x.rank(); ++d) full.push_back(x[d]);
    if (c.dims.size() > full.size())
      refuse("its constant " + dims_text(c.dims) + " does not broadcast to a sample of " + x.str());
    const std::size_t offset = full.size() - c.dims.size();
    for (std::size_t d = 0; d < c.dims.size(); ++d) {
      if (c.dims[d] != 1 && static_cast<std::size_t>(c.dims[d]) != full[offset + d]) {
        refuse("its constant " + dims_text(c.dims) + " does not broadcast to a sample of " + x.str() +
               " (bpnn takes it at the graph's input as its input scaling)");
      }
    }
    std::vector<float> values(x.numel());
    for (std::size_t i = 0; i < values.size(); ++i) {
      std::size_t rest = i, at = 0, stride = 1;  // the constant's element at sample index i
      for (std::size_t d = full.size(); d-- > offset;) {
        const std::size_t coordinate = rest % full[d];
        rest /= full[d];
        const auto size = static_cast<std::size_t>(c.dims[d - offset]);
        if (size != 1) at += coordinate * stride;
        stride *= size;
      }
      values[i] = c.floats[at];
    }
    return values;
  }

  // Whether the nodes from k on are an activation's ONNX form (gelu's starts with Div).
  bool starts_activation(std::size_t k) const {
    for (const auto& [row, form] : forms_) {
      std::optional<double> option;
      std::string why;
      if (form[0].op == model_.graph->nodes[k].op_type && match(*row, form, k, option, why) != 0) return true;
    }
    return false;
  }

  // The activation whose ONNX form (ActivationRow::onnx) the nodes from k on are, Constant nodes
  // among them skipped: adds its layer and returns how many nodes it took; 0 when no form starts
  // with this node's operator. Longer forms are tried first: Sigmoid(x) then Mul(x, _) is a silu.
  std::size_t activation(std::size_t k) {
    std::string why;
    for (const auto& [row, form] : forms_) {
      if (form[0].op != model_.graph->nodes[k].op_type) continue;
      std::optional<double> option;
      const std::size_t end = match(*row, form, k, option, why);
      if (end == 0) continue;
      LayerConfig config{std::string(row->name), {}};
      if (!row->option.name.empty()) {
        config.fields.emplace_back(std::string(row->option.name), option.value_or(row->option.default_value));
      }
      add_layer(config, {});
      current_ = model_.graph->nodes[end - 1].outputs[0];
      return end - k;
    }
    if (!why.empty()) refuse(why);
    return 0;
  }

  // Whether the nodes from k on are row's form: returns the index after its last node, or 0 with
  // why set. The option's value, when the file gives it, goes to option.
  std::size_t match(const ActivationRow& row, const std::vector<FormNode>& form, std::size_t k,
                    std::optional<double>& option, std::string& why) const {
    const std::vector<Node>& nodes = model_.graph->nodes;
    auto fail = [&](const std::string& what) -> std::size_t {
      why = "bpnn imports " + printable(nodes[k].op_type) + " here as the activation " + std::string(row.name) + ", " +
            std::string(row.onnx) + ", and " + what;
      return 0;
    };
    std::vector<std::string> values;  // each form node's output
    std::size_t at = k;
    for (std::size_t j = 0; j < form.size(); ++j, ++at) {
      while (at < nodes.size() && nodes[at].op_type == "Constant") ++at;
      if (at == nodes.size()) return fail("the graph ends before its " + form[j].op);
      const Node& n = nodes[at];
      const std::string node = "node " + std::to_string(at) + " (" + printable(n.op_type) + ")";
      if (n.op_type != form[j].op || (!n.domain.empty() && n.domain != "ai.onnx")) {
        return fail(node + " is not " + form[j].op);
      }
      const std::string previous = j == 0 ? std::string() : values.back();
      bool inputs = form_inputs(form[j].inputs, n.inputs, previous);
      if (!inputs && n.inputs.size() == 2 && (n.op_type == "Add" || n.op_type == "Mul")) {
        inputs = form_inputs(form[j].inputs, {n.inputs[1], n.inputs[0]}, previous);
      }
      if (!inputs) return fail(node + " has other inputs");
      const std::string problem = form_attributes(form[j], n, option, opset_);
      if (!problem.empty()) return fail(node + problem);
      if (n.outputs.empty() || n.outputs[0].empty() || constants_.count(n.outputs[0]) || n.outputs[0] == current_) {
        return fail(node + " has no new output");
      }
      for (std::size_t m = 1; m < n.outputs.size(); ++m) {
        if (!n.outputs[m].empty()) return fail(node + " has more than one output");
      }
      values.push_back(n.outputs[0]);
    }
    // The values between its nodes are its own: nothing after it reads them, and none is the output.
    for (std::size_t v = 0; v + 1 < values.size(); ++v) {
      for (std::size_t m = at; m < nodes.size(); ++m) {
        for (const std::string& in : nodes[m].inputs) {
          if (in == values[v]) return fail("node " + std::to_string(m) + " reads its value " + name_text(values[v]));
        }
      }
      for (const ValueInfo& out : model_.graph->outputs) {
        if (out.name == values[v]) return fail("its value " + name_text(values[v]) + " is a graph output");
      }
    }
    return at;
  }

  // Whether a node's inputs are a form node's: x the activation, _ the previous node's output,
  // a number a constant of one value equal to it (within float rounding).
  bool form_inputs(const std::vector<FormInput>& form, const std::vector<std::string>& inputs,
                   const std::string& previous) const {
    if (inputs.size() != form.size()) return false;
    for (std::size_t j = 0; j < form.size(); ++j) {
      if (form[j].kind == FormInput::x && inputs[j] != current_) return false;
      if (form[j].kind == FormInput::previous && inputs[j] != previous) return false;
      if (form[j].kind == FormInput::constant) {
        const auto c = constants_.find(inputs[j]);
        if (c == constants_.end() || !c->second.is_float || c->second.floats.size() != 1) return false;
        const float v = c->second.floats[0], want = form[j].value;
        if (!(std::fabs(v - want) <= 1e-6f * std::max(1.0f, std::fabs(want)))) return false;
      }
    }
    return true;
  }

  // "" when node n's attributes are the form node's (an absent one taking the form's value, ONNX's
  // default for these operators), else what is wrong. The option's value goes to option.
  static std::string form_attributes(const FormNode& form, const Node& n, std::optional<double>& option,
                                     std::int64_t opset) {
    for (const Attribute& a : n.attributes) {
      if (a.name == "consumed_inputs" && opset < 6) continue;  // a hint for in-place buffers (opsets 1 to 5)
      const FormAttribute* f = nullptr;
      for (const FormAttribute& candidate : form.attributes) {
        if (candidate.name == a.name) f = &candidate;
      }
      if (f == nullptr) return " has the attribute " + name_text(a.name) + ", which bpnn does not take";
      if (f->kind == FormAttribute::float_type) {
        if (a.type != attr_int || a.i != dt_float) return " must have " + f->name + " = FLOAT (1)";
      } else if (a.type != attr_float || !std::isfinite(a.f)) {
        return " must have a finite float " + f->name;
      } else if (f->kind == FormAttribute::option) {
        option = decimal(a.f, true);
      } else if (a.f != f->value) {
        return " must have " + f->name + " = " + std::to_string(f->value);
      }
    }
    for (const FormAttribute& f : form.attributes) {
      bool given = false;
      for (const Attribute& a : n.attributes) given = given || a.name == f.name;
      if (!given && f.kind == FormAttribute::float_type) return " needs the attribute " + f.name;
    }
    return "";
  }

  void add_bias(const Node& n) {
    allow({});
    if (n.inputs.size() != 2) refuse("needs two inputs");
    const Constant& b = constant_input(input(0) == nullptr ? 1 : 0, "bias");
    const std::vector<float>& values = float_values(b, "the bias");
    const bool row = (b.dims.size() == 1 && b.dims[0] == static_cast<std::int64_t>(pending_.units)) ||
                     (b.dims.size() == 2 && b.dims[0] == 1 && b.dims[1] == static_cast<std::int64_t>(pending_.units));
    if (!row)
      refuse("adds a constant of shape " + dims_text(b.dims) +
             " to a dense layer's output; bpnn takes it as the bias only when it is [" +
             std::to_string(pending_.units) + "]");
    pending_.bias = values;
    current_ = output();
  }

  // x [N, in] W: a dense layer's weight from B, [in, out] (MatMul, Gemm without transB) or
  // [out, in] (Gemm with transB = 1).
  void dense(const Constant& b, bool transposed) {
    const Shape x = current_shape();
    if (x.rank() != 1)
      refuse("takes [N, features] in bpnn, but its input here is a sample of " + x.str() + "; flatten first");
    const std::vector<float>& values = float_values(b, "the weight");
    if (b.dims.size() != 2) refuse("its weight must be a matrix, it is " + dims_text(b.dims));
    const auto in = static_cast<std::size_t>(transposed ? b.dims[1] : b.dims[0]);
    const auto units = static_cast<std::size_t>(transposed ? b.dims[0] : b.dims[1]);
    if (in != x[0] || units == 0)
      refuse("its weight " + dims_text(b.dims) + " does not fit the input [N, " + std::to_string(x[0]) + "]");
    pending_ = PendingDense{.units = units, .weight = {}, .bias = {}};
    pending_.weight.resize(units * in);
    for (std::size_t o = 0; o < units; ++o) {
      for (std::size_t k = 0; k < in; ++k)
        pending_.weight[o * in + k] = transposed ? values[o * in + k] : values[k * units + o];
    }
    dense_pending_ = true;
  }

  // Node n, on the activation, as a layer: one function per operator, each reading the node with
  // the semantics of its version at the model's opset (opset_).
  void layer(const Node& n) {
    const std::string& op = n.op_type;
    const Shape x = current_shape();
    if (!batched_ && op != "MatMul" && op != "Softmax" && op != "Dropout" && op != "Pad") {
      refuse("the graph input has no batch dimension (a vector " + x.str() +
             "); bpnn takes such a graph through elementwise "
             "operators, MatMul and Softmax only");
    }
    if (op == "Gemm") return gemm();
    if (op == "MatMul") {
      allow({});
      if (n.inputs.size() != 2) refuse("needs two inputs");
      return dense(constant_input(1, "B (the weight)"), false);
    }
    if (op == "Conv") return conv(x);
    if (op == "MaxPool" || op == "AveragePool") return pool(n, x);
    if (op == "BatchNormalization") return batch_norm(x);
    if (op == "Flatten") return flatten(x);
    if (op == "Reshape") return reshape(x);
    if (op == "Pad") return pad();
    if (op == "Softmax") return softmax(x);
    if (op == "Dropout") return dropout();
    refuse("operator " + printable(op) +
           " is not supported by bpnn's import (see docs/onnx.md for the supported subset)");
  }

  // Gemm(x, B, C) = alpha x B + beta C: a dense layer of weight alpha B and bias beta C. Before
  // opset 7, a C of [units] is added to every row only with broadcast 1 (without, C has the
  // output's whole shape).
  void gemm() {
    if (opset_ < 7) {
      allow({"alpha", "beta", "transA", "transB", "broadcast"});
    } else {
      allow({"alpha", "beta", "transA", "transB"});
    }
    if (int_attr("transA", 0) != 0)
      refuse("transA 1 transposes the input, whose batch is then not its first axis; bpnn takes transA 0");
    const float alpha = float_attr("alpha", 1.0f), beta = float_attr("beta", 1.0f);
    if (!std::isfinite(alpha) || !std::isfinite(beta)) refuse("alpha and beta must be finite");
    dense(constant_input(1, "B (the weight)"), int_attr("transB", 0) != 0);
    if (alpha != 1.0f) {
      for (float& w : pending_.weight) w *= alpha;
    }
    const Constant* c = optional_input(2, "C (the bias)");
    if (c == nullptr) return;
    if (opset_ < 7 && int_attr("broadcast", 0) == 0) {
      refuse("C without broadcast (opset " + std::to_string(opset_) +
             ") has the output's whole shape [batch, units]; bpnn's bias "
             "is one row [units] (broadcast 1)");
    }
    const std::vector<float>& values = float_values(*c, "the bias");
    const std::int64_t units = static_cast<std::int64_t>(pending_.units);
    if (c->dims == std::vector<std::int64_t>{units} || c->dims == std::vector<std::int64_t>{1, units}) {
      pending_.bias = values;
    } else if (c->size() == 1) {
      pending_.bias.assign(pending_.units, values[0]);
    } else {
      refuse("its bias C " + dims_text(c->dims) + " is not one row [" + std::to_string(units) +
             "] (a bias per row of a batch of a "
             "fixed size, say); bpnn's bias is the same for every sample");
    }
    if (beta != 1.0f) {
      for (float& b : pending_.bias) b *= beta;
    }
  }

  // One number for both spatial axes: [a, a] (or [a, a, a, a] for pads); fallback when absent.
  std::int64_t square(std::string_view name, std::size_t count, std::int64_t fallback) const {
    const std::vector<std::int64_t> v = ints_attr(name, std::vector<std::int64_t>(count, fallback));
    if (v.size() != count)
      refuse("attribute " + name_text(name) + " must have " + std::to_string(count) + " values, it has " +
             dims_text(v));
    for (std::int64_t k : v) {
      if (k != v[0]) refuse("bpnn takes the same " + std::string(name) + " on every side, not " + dims_text(v));
    }
    if (v[0] < 0 || v[0] > 1000000) refuse("attribute " + name_text(name) + " is " + std::to_string(v[0]));
    return v[0];
  }

  // A Conv's or pool's pads [top, left, bottom, right] on a sample x [C, H, W]: its pads, or what
  // auto_pad SAME_UPPER or SAME_LOWER gives: (out - 1) stride + kernel - in in all, out =
  // ceil(in / stride), the odd one at the end (SAME_UPPER) or the start. Refuses dilation.
  std::vector<std::int64_t> padding(const Shape& x, std::int64_t kernel, std::int64_t stride) const {
    if (square("dilations", 2, 1) != 1) refuse("bpnn takes no dilation");
    const std::string auto_pad = string_attr("auto_pad", "NOTSET");
    std::vector<std::int64_t> pads = ints_attr("pads", {0, 0, 0, 0});
    if (pads.size() != 4) refuse("attribute 'pads' must have 4 values, it has " + dims_text(pads));
    for (std::int64_t p : pads) {
      if (p < 0 || p > 1000000) refuse("attribute 'pads' is " + dims_text(pads));
    }
    if (auto_pad == "NOTSET") return pads;
    if (pads != std::vector<std::int64_t>(4, 0)) refuse("has both auto_pad and pads");
    if (auto_pad == "VALID") return pads;
    if (auto_pad != "SAME_UPPER" && auto_pad != "SAME_LOWER")
      refuse("auto_pad " + printable(auto_pad) + " is not one ONNX defines");
    for (std::size_t d = 0; d < 2; ++d) {
      const auto in = static_cast<std::int64_t>(x[1 + d]);
      const std::int64_t total = std::max<std::int64_t>(((in + stride - 1) / stride - 1) * stride + kernel - in, 0);
      const std::int64_t small = total / 2, large = total - small;
      pads[d] = auto_pad == "SAME_UPPER" ? small : large;
      pads[d + 2] = auto_pad == "SAME_UPPER" ? large : small;
    }
    return pads;
  }

  // Conv: a conv2d, its square kernel from the weight [F, C, K, K].
  void conv(const Shape& x) {
    allow({"kernel_shape", "strides", "pads", "dilations", "group", "auto_pad"});
    if (x.rank() != 3)
      refuse("takes images [N, C, H, W] (bpnn's convolution is 2-D), its input here is a sample of " + x.str());
    if (int_attr("group", 1) != 1) refuse("bpnn takes no grouped convolution (group 1 only)");
    const Constant& w = constant_input(1, "W (the weight)");
    const std::vector<float>& weight = float_values(w, "the weight");
    if (w.dims.size() != 4 || w.dims[1] != static_cast<std::int64_t>(x[0]) || w.dims[0] <= 0 || w.dims[2] <= 0 ||
        w.dims[3] <= 0) {
      refuse("its weight " + dims_text(w.dims) + " is not [F, " + std::to_string(x[0]) + ", K, K]");
    }
    if (w.dims[2] != w.dims[3]) {
      refuse("bpnn's conv2d takes square kernels, this one is " + std::to_string(w.dims[2]) + " x " +
             std::to_string(w.dims[3]));
    }
    const std::int64_t kernel = w.dims[2], stride = square("strides", 2, 1);
    if (attribute("kernel_shape") && square("kernel_shape", 2, kernel) != kernel)
      refuse("kernel_shape does not match the weight");
    if (stride < 1) refuse("its stride must be at least 1");
    const std::vector<std::int64_t> pads = padding(x, kernel, stride);
    if (pads != std::vector<std::int64_t>(4, pads[0])) {
      refuse("pads " + dims_text(pads) + ": bpnn's conv2d pads the same on every side");
    }
    LayerConfig c{"conv2d", {{"filters", w.dims[0]}, {"kernel", kernel}, {"stride", stride}, {"padding", pads[0]}}};
    std::vector<std::pair<std::string, std::vector<float>>> tensors{{"weight", weight}};
    const Constant* b = optional_input(2, "B (the bias)");
    if (b) {
      if (b->dims != std::vector<std::int64_t>{w.dims[0]})
        refuse("its bias " + dims_text(b->dims) + " is not [" + std::to_string(w.dims[0]) + "]");
      tensors.emplace_back("bias", float_values(*b, "the bias"));
    }
    c.fields.emplace_back("bias", b != nullptr);
    add_layer(std::move(c), std::move(tensors));
  }

  // MaxPool and AveragePool: maxpool2d and avgpool2d, without padding. ceil_mode 1 is taken where
  // the windows fit exactly (it then adds no window); count_include_pad does nothing without pads.
  void pool(const Node& n, const Shape& x) {
    const bool max = n.op_type == "MaxPool";
    if (max) {
      allow({"kernel_shape", "strides", "pads", "dilations", "auto_pad", "ceil_mode", "storage_order"});
    } else {
      allow({"kernel_shape", "strides", "pads", "dilations", "auto_pad", "ceil_mode", "count_include_pad"});
    }
    if (x.rank() != 3)
      refuse("takes images [N, C, H, W] (bpnn's pooling is 2-D), its input here is a sample of " + x.str());
    if (!attribute("kernel_shape")) refuse("needs kernel_shape");
    if (node_->outputs.size() > 1 && !node_->outputs[1].empty())
      refuse("bpnn does not give MaxPool's indices (its second output)");
    const std::int64_t kernel = square("kernel_shape", 2, 0);
    const std::int64_t stride = square("strides", 2, 1);
    if (kernel < 1 || stride < 1) refuse("kernel and stride must be at least 1");
    const std::vector<std::int64_t> pads = padding(x, kernel, stride);
    if (pads != std::vector<std::int64_t>(4, 0)) {
      refuse("pads " + dims_text(pads) + (string_attr("auto_pad", "NOTSET") == "NOTSET" ? "" : " (auto_pad)") +
             ": bpnn pools without padding");
    }
    if (int_attr("ceil_mode", 0) != 0) {
      for (std::size_t d = 1; d < 3; ++d) {
        if (static_cast<std::int64_t>(x[d]) >= kernel && (static_cast<std::int64_t>(x[d]) - kernel) % stride != 0) {
          refuse("ceil_mode 1 adds a partial window on a sample of " + x.str() + "; bpnn pools with ceil_mode 0");
        }
      }
    }
    add_layer({max ? "maxpool2d" : "avgpool2d", {{"kernel", kernel}, {"stride", stride}}}, {});
  }

  // BatchNormalization in inference: a batch norm of the running statistics, per channel. Before
  // opset 7, is_test 1 marks inference; from 7 to 13, the statistics outputs (mean, var,
  // saved_mean, saved_var) mark training; from 14, training_mode. spatial 0 (before opset 9)
  // normalizes each value of a sample apart: on [N, F] that is per feature, as bpnn's.
  void batch_norm(const Shape& x) {
    if (opset_ < 7) {
      allow({"epsilon", "momentum", "is_test", "spatial"});
    } else if (opset_ < 9) {
      allow({"epsilon", "momentum", "spatial"});
    } else {
      allow({"epsilon", "momentum", "training_mode"});
    }
    if (opset_ < 7 && int_attr("is_test", 0) == 0) {
      refuse("is_test 0 (opset " + std::to_string(opset_) +
             "): a training-mode batch norm, which normalizes by the batch's "
             "statistics; bpnn imports the inference graph (is_test 1)");
    }
    if (int_attr("training_mode", 0) != 0) refuse("training_mode must be 0 (bpnn imports the inference graph)");
    if (opset_ >= 7 && opset_ < 14 && node_->outputs.size() > 1) {
      for (std::size_t k = 1; k < node_->outputs.size(); ++k) {
        if (!node_->outputs[k].empty()) {
          refuse(
              "its statistics outputs (mean, var, saved_mean, saved_var) make it a training-mode batch norm at opset " +
              std::to_string(opset_) + "; bpnn imports the inference graph");
        }
      }
    }
    unread_outputs("a statistic of the batch");
    if (x.rank() != 1 && x.rank() != 3)
      refuse("bpnn normalizes [N, F] or [N, C, H, W], its input here is a sample of " + x.str());
    if (int_attr("spatial", 1) == 0 && x.rank() != 1) {
      refuse("spatial 0 normalizes each value of a " + x.str() +
             " sample apart; bpnn's batch norm is per channel (spatial 1)");
    }
    const auto channels = static_cast<std::int64_t>(x[0]);
    std::vector<std::pair<std::string, std::vector<float>>> tensors;
    const char* names[] = {"weight", "bias", "running_mean", "running_var"};
    const char* roles[] = {"scale", "B", "input_mean", "input_var"};
    for (int k = 0; k < 4; ++k) {
      const Constant& c = constant_input(static_cast<std::size_t>(k + 1), roles[k]);
      if (c.dims != std::vector<std::int64_t>{channels})
        refuse(std::string("its ") + roles[k] + " " + dims_text(c.dims) + " is not [" + std::to_string(channels) + "]");
      tensors.emplace_back(names[k], float_values(c, roles[k]));
    }
    for (float v : tensors[3].second) {
      if (!(v >= 0)) refuse("its input_var holds a negative variance");
    }
    const double eps = decimal(float_attr("epsilon", 1e-5f), true);
    const double momentum = decimal(1.0 - decimal(float_attr("momentum", 0.9f), true), false);
    if (!(eps > 0) || !(momentum >= 0 && momentum <= 1)) refuse("epsilon must be > 0 and momentum in [0, 1]");
    add_layer({"batchnorm", {{"momentum", momentum}, {"eps", eps}, {"affine", true}}}, std::move(tensors));
  }

  // Flatten at axis a: [d0 ... d(a-1), da ...] -> [d0 ... d(a-1), da ...]. With the batch first,
  // bpnn's flatten where the axes between the batch and a are all of size 1.
  void flatten(const Shape& x) {
    allow({"axis"});
    const auto rank = static_cast<std::int64_t>(x.rank() + 1);
    std::int64_t axis = int_attr("axis", 1);
    if (axis < -rank || axis > rank)
      refuse("axis " + std::to_string(axis) + " is out of range for a rank-" + std::to_string(rank) + " input");
    if (axis < 0) axis += rank;
    if (axis == 0) refuse("Flatten at axis 0 makes the whole batch one row; bpnn flattens each sample (axis 1)");
    for (std::int64_t k = 0; k + 1 < axis; ++k) {
      if (x[static_cast<std::size_t>(k)] != 1) {
        refuse("Flatten at axis " + std::to_string(axis) + " makes rows of parts of a sample of " + x.str() +
               "; bpnn flattens each sample whole (axis 1)");
      }
    }
    add_layer({"flatten", {}}, {});
  }

  // Softmax: bpnn's softmax is over all of a sample's values. Before opset 13 ONNX's is over the
  // axes from axis on (default 1) of the input made 2-D, from 13 over axis alone (default -1):
  // bpnn's where the sample's other axes are of size 1 (a flatten first when it has several).
  void softmax(const Shape& x) {
    allow({"axis"});
    const auto rank = static_cast<std::int64_t>(x.rank() + (batched_ ? 1 : 0));  // the ONNX tensor's
    std::int64_t axis = int_attr("axis", opset_ < 13 ? 1 : -1);
    if (axis < -rank || axis >= rank)
      refuse("axis " + std::to_string(axis) + " is out of range for a rank-" + std::to_string(rank) + " input");
    if (axis < 0) axis += rank;
    if (batched_ && axis == 0) refuse("a softmax over the batch (axis 0); bpnn's softmax is over each sample");
    const std::size_t first = static_cast<std::size_t>(axis) - (batched_ ? 1 : 0);  // in the sample
    for (std::size_t k = 0; k < x.rank(); ++k) {
      const bool over = opset_ < 13 ? k >= first : k == first;
      if (!over && x[k] != 1) {
        refuse("a softmax over axis " + std::to_string(axis) + (opset_ < 13 ? " and those after it" : "") + " (opset " +
               std::to_string(opset_) + ") of a sample of " + x.str() +
               ", for each value of the other axes apart; bpnn's softmax "
               "is over all of a sample's values");
      }
    }
    if (x.rank() > 1) add_layer({"flatten", {}}, {});
    add_layer({"softmax", {}}, {});
  }

  // Dropout in inference: bpnn's dropout (the identity). Before opset 7, is_test 1 marks
  // inference; to 11 the ratio is an attribute, from 12 an input, with training_mode. The mask
  // output must be read by nothing.
  void dropout() {
    if (opset_ < 7) {
      allow({"is_test", "ratio"});
    } else if (opset_ < 12) {
      allow({"ratio"});
    } else {
      allow({"seed"});
    }
    if (opset_ < 7 && int_attr("is_test", 0) == 0) {
      refuse("is_test 0 (opset " + std::to_string(opset_) +
             "): a training-mode Dropout, which drops values at random; bpnn "
             "imports the inference graph (is_test 1)");
    }
    unread_outputs("the mask");
    double p = decimal(float_attr("ratio", 0.5f), true);
    if (const Constant* ratio = opset_ < 12 ? nullptr : optional_input(1, "ratio")) {
      if (ratio->size() != 1) refuse("its ratio must be one number");
      p = decimal(float_values(*ratio, "its ratio")[0], true);
    }
    if (const Constant* training = opset_ < 12 ? nullptr : optional_input(2, "training_mode")) {
      if (training->size() != 1 || (training->is_float ? training->floats[0] != 0 : training->ints[0] != 0)) {
        refuse("training_mode must be false (bpnn imports the inference graph)");
      }
    }
    if (!(p >= 0 && p < 1)) refuse("its ratio must lie in [0, 1)");
    add_layer({"dropout", {{"p", p}}}, {});
  }

  // Reshape [N, ...] -> [N, features]: a flatten (torch's x.view(x.size(0), -1)); to the same
  // shape, nothing. Shape entries: 0 copies the input's, -1 is inferred, N is the batch, and so
  // is a first entry equal to the batch size the graph input fixes.
  void reshape(const Shape& x) {
    std::vector<std::int64_t> given;  // the shape asked for: an attribute before opset 5, an input from 5
    if (opset_ < 5) {
      allow({"shape"});
      if (!attribute("shape")) refuse("needs its attribute shape (opset " + std::to_string(opset_) + ")");
      given = ints_attr("shape", {});
    } else {
      allow({"allowzero"});
      const Constant& s = constant_input(1, "shape");
      if (s.is_float || s.dims.size() != 1) refuse("its shape must be a list of integers");
      given = s.ints;
    }
    const bool allowzero = int_attr("allowzero", 0) != 0;
    std::vector<std::int64_t> target = given;
    const std::int64_t numel = static_cast<std::int64_t>(x.numel());
    // Resolve 0 (copy) and N; then the one -1.
    std::int64_t known = 1;
    int inferred = -1;
    for (std::size_t k = 0; k < target.size(); ++k) {
      std::int64_t& d = target[k];
      if (d == 0 && !allowzero) {
        if (k > x.rank()) refuse("its shape copies a dimension the input does not have");
        d = k == 0 ? batch_dim : static_cast<std::int64_t>(x[k - 1]);
      }
      if (k == 0 && fixed_batch_ > 0 && d == fixed_batch_)
        d = batch_dim;  // the graph's one batch size, written out (torch without dynamic axes)
      if (d == -1) {
        if (inferred >= 0) refuse("its shape has two -1");
        inferred = static_cast<int>(k);
      } else if (d == batch_dim) {
        if (k != 0) refuse("its shape moves the batch dimension");
      } else if (d <= 0) {
        refuse("its shape " + dims_text(given) +
               (d == 0 ? " has an empty dimension (0 with allowzero 1)" : " is not one bpnn can take"));
      } else if (k > 0) {
        if (d > numel || known > numel / d)
          refuse("its shape " + dims_text(given) + " does not fit a sample of " + x.str() +
                 " (a reshape across samples)");
        known *= d;
      }
    }
    if (target.empty() || (target[0] != batch_dim && !(inferred == 0 && target.size() > 1))) {
      refuse("its shape " + dims_text(given) +
             " does not keep the batch dimension first (a reshape across samples, or to a fixed "
             "batch size the graph input does not fix)");
    }
    if (inferred > 0) {
      if (known == 0 || numel % known != 0)
        refuse("its shape " + dims_text(given) + " does not fit a sample of " + x.str() +
               " (a reshape across samples)");
      target[static_cast<std::size_t>(inferred)] = numel / known;
      known = numel;
    }
    if (known != numel)
      refuse("its shape " + dims_text(given) + " does not fit a sample of " + x.str() + " (a reshape across samples)");
    target[0] = batch_dim;
    std::vector<std::int64_t> now{batch_dim};
    for (std::size_t k = 0; k < x.rank(); ++k) now.push_back(static_cast<std::int64_t>(x[k]));
    if (target == now) return;  // a reshape to the shape it has
    if (target.size() == 2) return add_layer({"flatten", {}}, {});
    refuse("it reshapes a sample of " + x.str() + " to " + dims_text(target) +
           "; bpnn takes Reshape only as a flatten to [N, features]");
  }

  // A Pad of nothing (torch writes one before AveragePool): nothing. Before opset 11 its pads
  // are an attribute (paddings at opset 1), from 11 an input.
  void pad() {
    std::vector<std::int64_t> pads;
    if (opset_ < 11) {
      allow({"mode", "pads", "paddings", "value"});
      pads = ints_attr(opset_ < 2 ? "paddings" : "pads", {});
    } else {
      allow({"mode"});
      const Constant& given = constant_input(1, "pads");
      if (given.is_float) refuse("its pads must be integers");
      pads = given.ints;
    }
    for (std::int64_t p : pads) {
      if (p != 0)
        refuse("pads " + dims_text(pads) + ": bpnn takes Pad only when it pads nothing (padding belongs to the Conv)");
    }
  }

  // Shape of the activation: [N, dims...] with N the batch, for the arithmetic of a dynamic reshape.
  void shape(const Node& n) {
    allow({"start", "end"});
    if (n.inputs.size() != 1) refuse("needs one input");
    const std::string& out = output();
    const Shape x = current_shape();
    Constant c{.dims = {}, .is_float = false, .floats = {}, .ints = {batch_dim}};
    for (std::size_t k = 0; k < x.rank(); ++k) c.ints.push_back(static_cast<std::int64_t>(x[k]));
    const auto rank = static_cast<std::int64_t>(c.ints.size());
    std::int64_t start = int_attr("start", 0), end = int_attr("end", rank);
    if (start < 0) start += rank;
    if (end < 0) end += rank;
    start = std::clamp<std::int64_t>(start, 0, rank);
    end = std::clamp<std::int64_t>(end, start, rank);
    c.ints = std::vector<std::int64_t>(c.ints.begin() + start, c.ints.begin() + end);
    c.dims = {static_cast<std::int64_t>(c.ints.size())};
    constants_[out] = std::move(c);
  }

  // The folds of fold(), one per op, each the value of the node's output.
  // Constant: the value of its one attribute.
  Constant fold_constant_node(const Node& n) {
    Constant result;
    allow({"value", "value_float", "value_floats", "value_int", "value_ints"});
    if (n.attributes.size() != 1) refuse("needs exactly one value attribute");
    const Attribute& a = n.attributes[0];
    if (a.name == "value" && a.type == attr_tensor && a.t) {
      result = *a.t;
    } else if (a.name == "value_float" && a.type == attr_float) {
      result = Constant{.dims = {}, .is_float = true, .floats = {a.f}, .ints = {}};
    } else if (a.name == "value_floats" && a.type == attr_floats) {
      result = Constant{
          .dims = {static_cast<std::int64_t>(a.floats.size())}, .is_float = true, .floats = a.floats, .ints = {}};
    } else if (a.name == "value_int" && a.type == attr_int) {
      result = Constant{.dims = {}, .is_float = false, .floats = {}, .ints = {a.i}};
    } else if (a.name == "value_ints" && a.type == attr_ints) {
      result =
          Constant{.dims = {static_cast<std::int64_t>(a.ints.size())}, .is_float = false, .floats = {}, .ints = a.ints};
    } else {
      refuse("its attribute " + name_text(a.name) + " does not have the type its name says");
    }
    return result;
  }

  // Cast between float and int64 (or int32), refusing what would not convert exactly.
  Constant fold_cast() {
    Constant result;
    allow({"to", "saturate"});
    result = constant_input(0, "input");
    const std::int64_t to = int_attr("to", 0);
    if (to == dt_float && !result.is_float) {
      for (std::int64_t v : result.ints) {
        if (v == batch_dim) refuse("casts the batch size to float, which bpnn does not fold");
        result.floats.push_back(static_cast<float>(v));
      }
      result.ints.clear();
      result.is_float = true;
    } else if ((to == dt_int64 || to == dt_int32) && result.is_float) {
      for (float v : result.floats) {
        if (!(std::fabs(v) < 9e15f)) refuse("casts " + std::to_string(v) + " to an integer");
        result.ints.push_back(static_cast<std::int64_t>(v));
      }
      result.floats.clear();
      result.is_float = false;
    } else if (to != dt_float && to != dt_int64 && to != dt_int32) {
      refuse("bpnn folds Cast of constants to float and int64 only");
    }
    return result;
  }

  // Gather of a list by an index or a list of indices.
  Constant fold_gather() {
    Constant result;
    allow({"axis"});
    const Constant& data = constant_input(0, "data");
    const Constant& indices = constant_input(1, "indices");
    if (int_attr("axis", 0) != 0 || data.dims.size() != 1 || indices.is_float || indices.dims.size() > 1) {
      refuse("bpnn folds Gather of a list by an index or a list of indices only");
    }
    result = Constant{.dims = indices.dims, .is_float = data.is_float, .floats = {}, .ints = {}};
    const auto size = static_cast<std::int64_t>(data.size());
    for (std::int64_t k : indices.ints) {
      if (k < -size || k >= size)
        refuse("index " + std::to_string(k) + " is out of range for " + std::to_string(size) + " values");
      const auto at = static_cast<std::size_t>(k < 0 ? k + size : k);
      if (data.is_float) {
        result.floats.push_back(data.floats[at]);
      } else {
        result.ints.push_back(data.ints[at]);
      }
    }
    return result;
  }

  // Unsqueeze and Squeeze: axes from the attribute (opset < 13) or the second input.
  Constant fold_squeeze(const std::string& op) {
    Constant result;
    allow({"axes"});
    result = constant_input(0, "data");
    std::vector<std::int64_t> axes = ints_attr("axes", {});
    if (const Constant* a = optional_input(1, "axes")) {
      if (a->is_float) refuse("its axes must be integers");
      axes = a->ints;
    }
    if (op == "Unsqueeze") {
      if (result.dims.size() + axes.size() > 8) refuse("makes a tensor of too high a rank");
      const auto rank = static_cast<std::int64_t>(result.dims.size() + axes.size());
      std::vector<bool> one(static_cast<std::size_t>(rank), false);
      for (std::int64_t a : axes) {
        const std::int64_t k = a < 0 ? a + rank : a;
        if (k < 0 || k >= rank || one[static_cast<std::size_t>(k)])
          refuse("axis " + std::to_string(a) + " is out of range or repeated");
        one[static_cast<std::size_t>(k)] = true;
      }
      std::vector<std::int64_t> dims;
      std::size_t from = 0;
      for (std::size_t k = 0; k < one.size(); ++k) dims.push_back(one[k] ? 1 : result.dims[from++]);
      result.dims = dims;
    } else {
      std::vector<std::int64_t> dims;
      for (std::size_t k = 0; k < result.dims.size(); ++k) {
        bool drop = axes.empty() && result.dims[k] == 1;
        for (std::int64_t a : axes)
          drop = drop || a == static_cast<std::int64_t>(k) ||
                 a + static_cast<std::int64_t>(result.dims.size()) == static_cast<std::int64_t>(k);
        if (drop && result.dims[k] != 1) refuse("squeezes a dimension that is not 1");
        if (!drop) dims.push_back(result.dims[k]);
      }
      result.dims = dims;
    }
    return result;
  }

  // Concat of lists.
  Constant fold_concat(const Node& n) {
    Constant result;
    allow({"axis"});
    const std::int64_t axis = int_attr("axis", 0);
    if (axis != 0 && axis != -1) refuse("bpnn folds Concat of lists only (axis 0)");
    result = Constant{.dims = {0}, .is_float = false, .floats = {}, .ints = {}};
    for (std::size_t k = 0; k < n.inputs.size(); ++k) {
      const Constant& part = constant_input(k, "input");
      if (part.dims.size() != 1) refuse("bpnn folds Concat of lists only");
      if (k == 0) result.is_float = part.is_float;
      if (part.is_float != result.is_float) refuse("concatenates floats and integers");
      result.floats.insert(result.floats.end(), part.floats.begin(), part.floats.end());
      result.ints.insert(result.ints.end(), part.ints.begin(), part.ints.end());
      if (result.size() > 1000000) refuse("makes too large a constant");
    }
    result.dims = {static_cast<std::int64_t>(result.size())};
    return result;
  }

  // A node on constants only: computed here (a small set of ops), its output another constant.
  void fold(const Node& n) {
    const std::string& op = n.op_type;
    const std::string& out = output();
    Constant result;
    if (op == "Constant") {
      result = fold_constant_node(n);
    } else if (op == "Identity") {
      allow({});
      result = constant_input(0, "input");
    } else if (op == "Cast") {
      result = fold_cast();
    } else if (op == "Gather") {
      result = fold_gather();
    } else if (op == "Unsqueeze" || op == "Squeeze") {
      result = fold_squeeze(op);
    } else if (op == "Concat") {
      result = fold_concat(n);
    } else {
      refuse("operator " + printable(op) +
             " on constants only is not supported by bpnn's import (it folds Constant, Identity, "
             "Cast, Gather, Unsqueeze, Squeeze and Concat)");
    }
    constants_[out] = std::move(result);
  }

  const Model& model_;
  std::int64_t opset_ = 0;        // the version of ONNX's default domain the graph is written in
  bool batched_ = true;           // the graph input's first dimension is the batch (not when it is a vector)
  InputScaling scaling_;          // the scaling nodes at the graph's input: shift, scale (empty: not seen)
  std::int64_t fixed_batch_ = 0;  // the batch size the graph input fixes, when it does (0: none)
  std::optional<Sequential<float>> model_out_;
  std::map<std::string, Constant> constants_;
  std::string current_;         // the activation: the graph input, then each layer's output
  bool dense_pending_ = false;  // pending_ holds a dense layer not yet added
  PendingDense pending_;
  // Each activation row with its parsed ONNX form, the forms of more nodes first.
  const std::vector<std::pair<const ActivationRow*, std::vector<FormNode>>> forms_ = [] {
    std::vector<std::pair<const ActivationRow*, std::vector<FormNode>>> forms;
    for (const ActivationRow& row : activation_table) forms.emplace_back(&row, parse_form(row));
    std::stable_sort(forms.begin(), forms.end(),
                     [](const auto& a, const auto& b) { return a.second.size() > b.second.size(); });
    return forms;
  }();
  const Node* node_ = nullptr;
  std::string where_;
};

// What the file records of the model's meaning: metadata_props ("bpnn.data", the recipe) and the
// scaling the graph starts with, its kind named by "bpnn.input_scaling" (standardize when not
// named); the other metadata_props as model file metadata.
void read_meaning(const Model& m, const std::optional<InputScaling>& scaling, OnnxModel& out) {
  std::string kind = "standardize";
  for (const auto& [key, value] : m.metadata) {
    if (key.rfind("bpnn.num_batches_tracked.", 0) == 0) continue;  // restored into the model
    if (key == "bpnn.input_scaling") {
      kind = value;
    } else if (key == "bpnn.data") {
      out.recipe = recipe_from_json(value, "metadata_props bpnn.data");
    } else {
      out.metadata[key] = value;
    }
  }
  if (!scaling) return;
  if (out.recipe.scaling.kind != InputScaling::Kind::none) {
    throw Error(
        "metadata_props' bpnn.data holds an input scaling, and the graph starts with one too (Sub, Mul or Div at its "
        "input); bpnn takes one of them");
  }
  out.recipe.scaling = *scaling;
  out.recipe.scaling.kind = scaling_kind(kind);
  if (out.recipe.scaling.kind == InputScaling::Kind::none) {
    throw Error("metadata_props' bpnn.input_scaling is 'none', but the graph starts with an input scaling");
  }
}

// to_onnx of the model, with its meaning when given: the recipe completed from the output layer
// where it says nothing, as model files record it.
std::string onnx_bytes(const Sequential<float>& model, const DataRecipe* given, const ModelMetadata& metadata) {
  std::optional<DataRecipe> complete = given ? std::optional<DataRecipe>(*given) : std::nullopt;
  if (complete) complete_meaning(*complete, model);
  const DataRecipe* recipe = complete ? &*complete : nullptr;
  GraphWriter g;
  // Layer i reads the scaled input or the previous layer's output, and the last layer with nodes
  // writes "output".
  std::size_t last = model.size();
  for (std::size_t i = model.size(); i-- > 0;) {
    if (model.layer(i).kind() != "dropout") {
      last = i;
      break;
    }
  }
  const std::string input = export_scaling(g, recipe ? recipe->scaling : InputScaling{}, model.input_shape());
  std::string value = input;
  for (std::size_t i = 0; i < model.size(); ++i) {
    const std::string out = i == last ? "output" : std::to_string(i) + ".output";
    if (export_layer(g, model, i, value, out)) value = out;
  }
  if (last == model.size()) g.node("Identity", {input}, "output", "identity");  // no layer does anything
  g.output("output", model.output_shape());
  // A classifier of logits also gives its class probabilities, as bpnn predict does.
  if (recipe && recipe->outputs == OutputReading::logits && model.output_shape().rank() == 1) {
    const pb::Writer axis = int_attribute("axis", 1);
    g.node("Softmax", {"output"}, "probabilities", "probabilities.softmax", {&axis});
    g.output("probabilities", model.output_shape());
  }
  pb::Writer opset;
  opset.bytes(opset_f::domain, "");
  opset.int64(opset_f::version, onnx_opset);
  pb::Writer m;
  m.int64(model_f::ir_version, ir_version);
  m.bytes(model_f::producer_name, "bpnn");
  m.bytes(model_f::producer_version, "0.1");
  m.bytes(model_f::doc_string, "exported by bpnn (docs/onnx.md)");
  m.message(model_f::graph, g.finish(model.input_shape()));
  m.message(model_f::opset_import, opset);
  if (recipe) export_meaning(m, *recipe, metadata);
  // Batch norm's count of training batches has no place in ONNX: it travels as metadata.
  for (std::size_t i = 0; i < model.size(); ++i) {
    if (model.layer(i).kind() != "batchnorm") continue;
    const ParameterStore<float>& store = model.parameters();
    const float count = store.value(store.index(std::to_string(i) + ".num_batches_tracked"))[0];
    metadata_entry(m, "bpnn.num_batches_tracked." + std::to_string(i),
                   std::to_string(static_cast<std::int64_t>(count)));
  }
  return m.data();
}

}  // namespace

std::string to_onnx(const Sequential<float>& model) { return onnx_bytes(model, nullptr, {}); }

std::string to_onnx(const Sequential<float>& model, const DataRecipe& recipe, const ModelMetadata& metadata) {
  return onnx_bytes(model, &recipe, metadata);
}

void export_onnx(const Sequential<float>& model, const std::string& path, const DataRecipe& recipe,
                 const ModelMetadata& metadata) {
  std::string bytes;
  try {
    bytes = onnx_bytes(model, &recipe, metadata);
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
  write_file_atomically(path, bytes);
}

void export_onnx(const Sequential<float>& model, const std::string& path) {
  std::string bytes;
  try {
    bytes = to_onnx(model);
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
  write_file_atomically(path, bytes);
}

OnnxModel from_onnx(std::string_view bytes, const std::string& source) {
  try {
    if (bytes.empty()) throw Error("empty (not an ONNX model)");
    const Model m = parse_model(bytes);
    if (!m.graph) throw Error("no graph (not an ONNX model?)");
    if (m.ir_version < 3)
      throw Error("IR version " + std::to_string(m.ir_version) + " is too old (bpnn reads 3 and later)");
    bool found = false;
    for (const auto& [domain, version] : m.opsets) {
      if (domain.empty() || domain == "ai.onnx") {
        found = true;
        if (version < onnx_min_import_opset || version > onnx_max_import_opset) {
          throw Error("opset " + std::to_string(version) + "; bpnn imports opsets " +
                      std::to_string(onnx_min_import_opset) + " to " + std::to_string(onnx_max_import_opset) +
                      " (re-export with opset_version=17)");
        }
      }
    }
    if (!found) throw Error("no opset_import of ONNX's default domain");
    Importer importer(m);
    OnnxModel result{importer.run(), {}, {}};
    read_meaning(m, importer.scaling(), result);
    return result;
  } catch (const Error& e) {
    throw Error(source + ": " + e.what());
  }
}

OnnxModel import_onnx(const std::string& path) { return from_onnx(read_file(path, "ONNX model"), path); }

}  // namespace bpnn
