// ONNX export and import (docs/onnx.md). The messages and field numbers used are those of the ONNX
// specification's onnx.proto (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto,
// ValueInfoProto, TypeProto, TensorShapeProto, OperatorSetIdProto), written and read with
// model/protobuf.hpp. Import walks the nodes in their (topological) order, keeping the one
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
#include "bpnn/model/layer_factory.hpp"
#include "io/protobuf.hpp"

namespace bpnn {
namespace {

namespace pb = protobuf;

// Field numbers of the ONNX messages (onnx.proto in the ONNX specification).
namespace model_f { constexpr std::uint32_t ir_version = 1, producer_name = 2, producer_version = 3, doc_string = 6, graph = 7, opset_import = 8, metadata_props = 14; }
namespace entry_f { constexpr std::uint32_t key = 1, value = 2; }
namespace opset_f { constexpr std::uint32_t domain = 1, version = 2; }
namespace graph_f { constexpr std::uint32_t node = 1, name = 2, initializer = 5, sparse_initializer = 15, input = 11, output = 12; }
namespace node_f { constexpr std::uint32_t input = 1, output = 2, name = 3, op_type = 4, attribute = 5, domain = 7; }
namespace attr_f { constexpr std::uint32_t name = 1, f = 2, i = 3, s = 4, t = 5, g = 6, floats = 7, ints = 8, type = 20, ref_attr_name = 21; }
namespace tensor_f {
constexpr std::uint32_t dims = 1, data_type = 2, segment = 3, float_data = 4, int32_data = 5, string_data = 6, int64_data = 7,
                        name = 8, raw_data = 9, double_data = 10, uint64_data = 11, external_data = 13, data_location = 14;
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
pb::Writer float_tensor(std::string_view name, const std::vector<std::int64_t>& dims, const float* data, std::size_t size) {
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
  pb::Writer finish(const Shape& input, const Shape& output) {
    graph_.bytes(graph_f::name, "bpnn");
    for (const pb::Writer& t : initializers_) graph_.message(graph_f::initializer, t);
    graph_.message(graph_f::input, batch_value_info("input", input));
    graph_.message(graph_f::output, batch_value_info("output", output));
    return graph_;
  }

 private:
  pb::Writer graph_;  // nodes first, in order, then the rest at finish
  std::vector<pb::Writer> initializers_;
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

// Writes layer i's nodes, from value `in` to value `out`. Returns false for a layer that has
// none (dropout: the identity in inference).
bool export_layer(GraphWriter& g, const Sequential<float>& model, std::size_t i, const std::string& in, const std::string& out) {
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
  } else if (kind == "sigmoid" || kind == "tanh" || kind == "relu" || kind == "identity") {
    const char* op = kind == "sigmoid" ? "Sigmoid" : kind == "tanh" ? "Tanh" : kind == "relu" ? "Relu" : "Identity";
    g.node(op, {in}, out, name);
  } else if (kind == "leaky_relu") {
    const pb::Writer alpha = float_attribute("alpha", static_cast<float>(config_number(c, "slope")));
    g.node("LeakyRelu", {in}, out, name, {&alpha});
  } else if (kind == "softmax") {
    const pb::Writer axis = int_attribute("axis", 1);
    g.node("Softmax", {in}, out, name, {&axis});
  } else if (kind == "step") {
    // y = (x >= 0) as 0 or 1: GreaterOrEqual against a scalar 0, then Cast to float.
    g.initializer(p + "zero", {}, {0.0f});
    const pb::Writer to = int_attribute("to", dt_float);
    g.node("GreaterOrEqual", {in, p + "zero"}, p + "nonnegative", name + ".compare");
    g.node("Cast", {p + "nonnegative"}, out, name, {&to});
  } else {
    throw Error("layer " + std::to_string(i) + " (" + kind + ") has no ONNX form in bpnn's export");
  }
  return true;
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
    if (d != 0 && n > (std::int64_t{1} << 31) / d) throw Error("a tensor of more than 2^31 elements, " + dims_text(dims));
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
      case tensor_f::segment: throw Error(what + ": a segmented tensor (TensorProto.segment), which bpnn does not read");
      case tensor_f::string_data:
      case tensor_f::double_data:
      case tensor_f::uint64_data:
        throw Error(what + ": tensor " + name_text(name) + " holds data of a type bpnn does not import");
      default: break;  // doc_string, metadata: not needed
    }
  }
  const std::string where = what + " " + name_text(name);
  if (name_out) *name_out = name;
  if (external) throw Error(where + ": its data is in an external file, which bpnn does not read; save the model with its data inside");
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
    throw Error(where + ": shape " + dims_text(c.dims) + " needs " + std::to_string(count) + " values, the tensor holds " +
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
      for (pb::Reader tensor(pb::bytes_value(t, "TypeProto.tensor_type"), what + ".type.tensor_type"); tensor.next(tt);) {
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
            if (d.number == dim_f::dim_param) dim.param = std::string(pb::bytes_value(d, "TensorShapeProto.Dimension.dim_param"));
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
        g.inputs.push_back(parse_value_info(pb::bytes_value(f, "GraphProto.input"), "graph input " + std::to_string(g.inputs.size())));
        break;
      case graph_f::output:
        g.outputs.push_back(parse_value_info(pb::bytes_value(f, "GraphProto.output"), "graph output " + std::to_string(g.outputs.size())));
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
          if (e.number == entry_f::value) entry.second = std::string(pb::bytes_value(e, "StringStringEntryProto.value"));
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
  explicit Importer(const Model& model) : model_(model) {}

  Sequential<float> run() {
    const Graph& g = *model_.graph;
    for (const auto& [name, c] : g.initializers) constants_[name] = c;
    const ValueInfo* input = nullptr;
    for (const ValueInfo& v : g.inputs) {
      if (constants_.count(v.name)) continue;  // an initializer listed as an input too (IR < 4)
      if (input) throw Error("the graph has two inputs, " + name_text(input->name) + " and " + name_text(v.name) + "; bpnn models have one");
      input = &v;
    }
    if (input == nullptr) throw Error("the graph has no input");
    const std::string in = "graph input " + name_text(input->name);
    if (input->elem_type != dt_float) throw Error(in + " is not a float32 tensor (elem_type " + std::to_string(input->elem_type) + ")");
    if (!input->has_shape || input->dims.size() < 2 || input->dims.size() > Shape::max_rank + 1) {
      throw Error(in + " needs a shape [N, features...] of rank 2 to " + std::to_string(Shape::max_rank + 1));
    }
    std::vector<std::int64_t> dims{batch_dim};
    for (std::size_t k = 1; k < input->dims.size(); ++k) {
      const Dim& d = input->dims[k];
      if (!d.known || d.value <= 0 || d.value > 100000000) {
        throw Error(in + ": dimension " + std::to_string(k) + " must be a fixed size, it is " +
                    (d.known ? std::to_string(d.value) : "'" + printable(d.param) + "'") + " (only the batch may vary)");
      }
      dims.push_back(d.value);
    }
    element_count(std::vector<std::int64_t>(dims.begin() + 1, dims.end()));  // the sample is of a reasonable size
    model_out_.emplace(shape_of(dims, 1));
    current_ = input->name;
    for (std::size_t k = 0; k < g.nodes.size(); ++k) {
      node_ = &g.nodes[k];
      where_ = "node " + std::to_string(k) + " " + name_text(node_->name) + " (" + printable(node_->op_type) + ")";
      try {
        import_node(*node_);
      } catch (const Error& e) {
        const std::string message = e.what();
        throw Error(message.rfind(where_, 0) == 0 ? message : where_ + ": " + message);
      }
    }
    where_ = "the graph";
    flush();
    if (g.outputs.size() != 1) throw Error("the graph has " + std::to_string(g.outputs.size()) + " outputs; bpnn models have one");
    if (bool_pending_) throw Error("the graph ends in a GreaterOrEqual without the Cast to float of a step layer");
    if (g.outputs[0].name != current_) {
      throw Error("graph output " + name_text(g.outputs[0].name) + " is not the last layer's output " + name_text(current_));
    }
    restore_counts();
    return std::move(*model_out_);
  }

 private:
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
      if (e1 != std::errc() || p1 != index.data() + index.size() || e2 != std::errc() || p2 != value.data() + value.size() ||
          layer >= model_out_->size() || model_out_->layer(layer).kind() != "batchnorm" || count > (std::size_t{1} << 24)) {
        continue;  // not ours to restore (a count above 2^24 would not be exact in float either)
      }
      store.value(std::to_string(layer) + ".num_batches_tracked")[0] = static_cast<float>(count);
    }
  }

  [[noreturn]] void refuse(const std::string& why) const { throw Error(where_ + ": " + why); }

  // The per-sample shape of the activation now.
  Shape current_shape() const { return dense_pending_ ? Shape{pending_.units} : model_out_->output_shape(); }

  const Attribute* attribute(std::string_view name) const {
    for (const Attribute& a : node_->attributes) {
      if (a.name == name) return &a;
    }
    return nullptr;
  }
  void allow(std::initializer_list<std::string_view> names) const {
    for (const Attribute& a : node_->attributes) {
      bool known = false;
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
    refuse("input " + name_text(name) + " is neither a constant nor the previous layer's output " + name_text(current_) +
           " (bpnn imports a chain of layers: one activation, no branches)");
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

  // The node's one output (a second, optional one such as Dropout's mask must not be used).
  const std::string& output() const {
    if (node_->outputs.empty() || node_->outputs[0].empty()) refuse("has no output");
    for (std::size_t k = 1; k < node_->outputs.size(); ++k) {
      if (!node_->outputs[k].empty() && node_->op_type != "Dropout") refuse("has more than one output");
    }
    const std::string& out = node_->outputs[0];
    if (constants_.count(out) || out == current_) refuse("writes " + name_text(out) + ", which already exists");
    return out;
  }

  void add_layer(LayerConfig config, std::vector<std::pair<std::string, std::vector<float>>> tensors) {
    const std::size_t i = model_out_->size();
    model_out_->add(make_layer<float>(config));
    ParameterStore<float>& store = model_out_->parameters();
    for (auto& [local, values] : tensors) {
      TensorView<float> v = store.value(std::to_string(i) + "." + local);
      if (v.size() != values.size()) {
        refuse("tensor '" + local + "' has " + std::to_string(values.size()) + " values, the layer needs " + std::to_string(v.size()));
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

  void import_node(const Node& n) {
    if (!n.domain.empty() && n.domain != "ai.onnx") refuse("operator domain " + name_text(n.domain) + " is not supported (only ONNX's own operators)");
    bool on_activation = false;
    for (std::size_t k = 0; k < n.inputs.size(); ++k) {
      if (!n.inputs[k].empty() && input(k) == nullptr) on_activation = true;
    }
    if (!on_activation) return fold(n);
    const std::string& op = n.op_type;
    if (op == "Shape") return shape(n);
    // An Add on a dense layer without bias is that layer's bias (MatMul + Add).
    if (op == "Add" && dense_pending_ && pending_.bias.empty()) return add_bias(n);
    flush();
    if (bool_pending_) {
      if (op != "Cast" || int_attr("to", 0) != dt_float) refuse("bpnn takes a GreaterOrEqual only as the step layer, followed by a Cast to float");
      allow({"to", "saturate"});
      bool_pending_ = false;
      add_layer({"step", {}}, {});
      current_ = output();
      return;
    }
    if (n.inputs.empty() || n.inputs[0] != current_) refuse("the previous layer's output must be its first input");
    for (std::size_t k = 1; k < n.inputs.size(); ++k) {
      if (n.inputs[k] == current_) refuse("takes the activation twice");
    }
    const std::string& out = output();
    layer(n);
    current_ = out;
  }

  void add_bias(const Node& n) {
    allow({});
    if (n.inputs.size() != 2) refuse("needs two inputs");
    const Constant& b = constant_input(input(0) == nullptr ? 1 : 0, "bias");
    const std::vector<float>& values = float_values(b, "the bias");
    const bool row = (b.dims.size() == 1 && b.dims[0] == static_cast<std::int64_t>(pending_.units)) ||
                     (b.dims.size() == 2 && b.dims[0] == 1 && b.dims[1] == static_cast<std::int64_t>(pending_.units));
    if (!row) refuse("adds a constant of shape " + dims_text(b.dims) + " to a dense layer's output; bpnn takes it as the bias only when it is [" + std::to_string(pending_.units) + "]");
    pending_.bias = values;
    current_ = output();
  }

  // x [N, in] W: a dense layer's weight from B, [in, out] (MatMul, Gemm without transB) or
  // [out, in] (Gemm with transB = 1).
  void dense(const Constant& b, bool transposed) {
    const Shape x = current_shape();
    if (x.rank() != 1) refuse("takes [N, features] in bpnn, but its input here is a sample of " + x.str() + "; flatten first");
    const std::vector<float>& values = float_values(b, "the weight");
    if (b.dims.size() != 2) refuse("its weight must be a matrix, it is " + dims_text(b.dims));
    const auto in = static_cast<std::size_t>(transposed ? b.dims[1] : b.dims[0]);
    const auto units = static_cast<std::size_t>(transposed ? b.dims[0] : b.dims[1]);
    if (in != x[0] || units == 0) refuse("its weight " + dims_text(b.dims) + " does not fit the input [N, " + std::to_string(x[0]) + "]");
    pending_ = PendingDense{.units = units, .weight = {}, .bias = {}};
    pending_.weight.resize(units * in);
    for (std::size_t o = 0; o < units; ++o) {
      for (std::size_t k = 0; k < in; ++k) pending_.weight[o * in + k] = transposed ? values[o * in + k] : values[k * units + o];
    }
    dense_pending_ = true;
  }

  void layer(const Node& n) {
    const std::string& op = n.op_type;
    const Shape x = current_shape();
    if (op == "Gemm") {
      allow({"alpha", "beta", "transA", "transB"});
      if (float_attr("alpha", 1.0f) != 1.0f || int_attr("transA", 0) != 0) refuse("bpnn takes Gemm with alpha 1 and transA 0");
      dense(constant_input(1, "B (the weight)"), int_attr("transB", 0) != 0);
      if (const Constant* c = optional_input(2, "C (the bias)")) {
        if (float_attr("beta", 1.0f) != 1.0f) refuse("bpnn takes Gemm with beta 1");
        const std::vector<float>& values = float_values(*c, "the bias");
        const std::int64_t units = static_cast<std::int64_t>(pending_.units);
        if (c->dims == std::vector<std::int64_t>{units} || c->dims == std::vector<std::int64_t>{1, units}) {
          pending_.bias = values;
        } else if (c->size() == 1) {
          pending_.bias.assign(pending_.units, values[0]);
        } else {
          refuse("its bias C has shape " + dims_text(c->dims) + ", not [" + std::to_string(units) + "]");
        }
      }
      return;
    }
    if (op == "MatMul") {
      allow({});
      if (n.inputs.size() != 2) refuse("needs two inputs");
      return dense(constant_input(1, "B (the weight)"), false);
    }
    if (op == "Conv") return conv(x);
    if (op == "MaxPool" || op == "AveragePool") return pool(n, x);
    if (op == "BatchNormalization") return batch_norm(x);
    if (op == "Flatten") {
      allow({"axis"});
      const std::int64_t axis = int_attr("axis", 1);
      if (axis != 1 && axis != 1 - static_cast<std::int64_t>(x.rank() + 1)) refuse("bpnn flattens from axis 1 only, this is axis " + std::to_string(axis));
      return add_layer({"flatten", {}}, {});
    }
    if (op == "Reshape") return reshape(x);
    if (op == "Pad") return pad();
    if (op == "Relu" || op == "Sigmoid" || op == "Tanh" || op == "Identity") {
      allow({});
      if (n.inputs.size() != 1) refuse("needs one input");
      return add_layer({op == "Relu" ? "relu" : op == "Sigmoid" ? "sigmoid" : op == "Tanh" ? "tanh" : "identity", {}}, {});
    }
    if (op == "LeakyRelu") {
      allow({"alpha"});
      const float alpha = float_attr("alpha", 0.01f);
      if (!std::isfinite(alpha)) refuse("its alpha is not a finite number");
      return add_layer({"leaky_relu", {{"slope", decimal(alpha, true)}}}, {});
    }
    if (op == "Softmax") {
      allow({"axis"});
      const std::int64_t axis = int_attr("axis", -1);
      if (x.rank() != 1 || (axis != 1 && axis != -1)) {
        refuse("bpnn's softmax is over the features of [N, C]; this is over axis " + std::to_string(axis) + " of a sample " + x.str());
      }
      return add_layer({"softmax", {}}, {});
    }
    if (op == "Dropout") {
      allow({"seed"});
      double p = 0.5;
      if (const Constant* ratio = optional_input(1, "ratio")) {
        if (ratio->size() != 1) refuse("its ratio must be one number");
        p = decimal(float_values(*ratio, "its ratio")[0], true);
      }
      if (const Constant* training = optional_input(2, "training_mode")) {
        if (training->size() != 1 || (training->is_float ? training->floats[0] != 0 : training->ints[0] != 0)) {
          refuse("training_mode must be false (bpnn imports the inference graph)");
        }
      }
      if (!(p >= 0 && p < 1)) refuse("its ratio must lie in [0, 1)");
      return add_layer({"dropout", {{"p", p}}}, {});
    }
    if (op == "GreaterOrEqual") {
      allow({});
      const Constant& zero = constant_input(1, "B (0 for a step layer)");
      bool zeros = zero.size() == 1 && element_count(zero.dims) == 1;
      for (float v : zero.floats) zeros = zeros && v == 0.0f;
      for (std::int64_t v : zero.ints) zeros = zeros && v == 0;
      if (!zeros) refuse("bpnn takes GreaterOrEqual only against a scalar 0 (the step layer)");
      bool_pending_ = true;
      return;
    }
    refuse("operator " + printable(op) + " is not supported by bpnn's import (see docs/onnx.md for the supported subset)");
  }

  // One number for both spatial axes: [a, a] (or [a, a, a, a] for pads); fallback when absent.
  std::int64_t square(std::string_view name, std::size_t count, std::int64_t fallback) const {
    const std::vector<std::int64_t> v = ints_attr(name, std::vector<std::int64_t>(count, fallback));
    if (v.size() != count) refuse("attribute " + name_text(name) + " must have " + std::to_string(count) + " values, it has " + dims_text(v));
    for (std::int64_t k : v) {
      if (k != v[0]) refuse("bpnn takes the same " + std::string(name) + " on every side, not " + dims_text(v));
    }
    if (v[0] < 0 || v[0] > 1000000) refuse("attribute " + name_text(name) + " is " + std::to_string(v[0]));
    return v[0];
  }
  void no_dilation_no_auto_pad() const {
    if (square("dilations", 2, 1) != 1) refuse("bpnn takes no dilation");
    const std::string auto_pad = string_attr("auto_pad", "NOTSET");
    if (auto_pad != "NOTSET" && auto_pad != "VALID") refuse("auto_pad " + printable(auto_pad) + " is not supported; give pads");
  }

  void conv(const Shape& x) {
    allow({"kernel_shape", "strides", "pads", "dilations", "group", "auto_pad"});
    if (x.rank() != 3) refuse("takes images [N, C, H, W], its input here is a sample of " + x.str());
    no_dilation_no_auto_pad();
    if (int_attr("group", 1) != 1) refuse("bpnn takes no grouped convolution (group 1 only)");
    const Constant& w = constant_input(1, "W (the weight)");
    const std::vector<float>& weight = float_values(w, "the weight");
    if (w.dims.size() != 4 || w.dims[2] != w.dims[3] || w.dims[1] != static_cast<std::int64_t>(x[0]) || w.dims[0] <= 0 || w.dims[2] <= 0) {
      refuse("its weight " + dims_text(w.dims) + " is not [F, " + std::to_string(x[0]) + ", K, K]");
    }
    const std::int64_t kernel = w.dims[2];
    if (attribute("kernel_shape") && square("kernel_shape", 2, kernel) != kernel) refuse("kernel_shape does not match the weight");
    LayerConfig c{"conv2d",
                  {{"filters", w.dims[0]}, {"kernel", kernel}, {"stride", square("strides", 2, 1)}, {"padding", square("pads", 4, 0)}}};
    std::vector<std::pair<std::string, std::vector<float>>> tensors{{"weight", weight}};
    const Constant* b = optional_input(2, "B (the bias)");
    if (b) {
      if (b->dims != std::vector<std::int64_t>{w.dims[0]}) refuse("its bias " + dims_text(b->dims) + " is not [" + std::to_string(w.dims[0]) + "]");
      tensors.emplace_back("bias", float_values(*b, "the bias"));
    }
    c.fields.emplace_back("bias", b != nullptr);
    add_layer(std::move(c), std::move(tensors));
  }

  void pool(const Node& n, const Shape& x) {
    const bool max = n.op_type == "MaxPool";
    if (max) {
      allow({"kernel_shape", "strides", "pads", "dilations", "auto_pad", "ceil_mode", "storage_order"});
    } else {
      allow({"kernel_shape", "strides", "pads", "dilations", "auto_pad", "ceil_mode", "count_include_pad"});
    }
    if (x.rank() != 3) refuse("takes images [N, C, H, W], its input here is a sample of " + x.str());
    if (!attribute("kernel_shape")) refuse("needs kernel_shape");
    no_dilation_no_auto_pad();
    if (square("pads", 4, 0) != 0) refuse("bpnn pools without padding");
    if (int_attr("ceil_mode", 0) != 0) refuse("bpnn takes ceil_mode 0 only");
    if (node_->outputs.size() > 1 && !node_->outputs[1].empty()) refuse("bpnn does not give MaxPool's indices");
    const std::int64_t kernel = square("kernel_shape", 2, 0);
    const std::int64_t stride = square("strides", 2, 1);
    if (kernel < 1 || stride < 1) refuse("kernel and stride must be at least 1");
    add_layer({max ? "maxpool2d" : "avgpool2d", {{"kernel", kernel}, {"stride", stride}}}, {});
  }

  void batch_norm(const Shape& x) {
    allow({"epsilon", "momentum", "training_mode", "spatial"});
    if (int_attr("training_mode", 0) != 0) refuse("training_mode must be 0 (bpnn imports the inference graph)");
    if (int_attr("spatial", 1) != 1) refuse("spatial must be 1");
    if (x.rank() != 1 && x.rank() != 3) refuse("bpnn normalizes [N, F] or [N, C, H, W], its input here is a sample of " + x.str());
    const auto channels = static_cast<std::int64_t>(x[0]);
    std::vector<std::pair<std::string, std::vector<float>>> tensors;
    const char* names[] = {"weight", "bias", "running_mean", "running_var"};
    const char* roles[] = {"scale", "B", "input_mean", "input_var"};
    for (int k = 0; k < 4; ++k) {
      const Constant& c = constant_input(static_cast<std::size_t>(k + 1), roles[k]);
      if (c.dims != std::vector<std::int64_t>{channels}) refuse(std::string("its ") + roles[k] + " " + dims_text(c.dims) + " is not [" + std::to_string(channels) + "]");
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

  // Reshape [N, ...] -> [N, features]: a flatten (torch's x.view(x.size(0), -1)); to the same
  // shape, nothing. Shape entries: 0 copies the input's, -1 is inferred, N is the batch.
  void reshape(const Shape& x) {
    allow({"allowzero"});
    const Constant& s = constant_input(1, "shape");
    if (s.is_float || s.dims.size() != 1) refuse("its shape must be a list of integers");
    const bool allowzero = int_attr("allowzero", 0) != 0;
    std::vector<std::int64_t> target = s.ints;
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
      if (d == -1) {
        if (inferred >= 0) refuse("its shape has two -1");
        inferred = static_cast<int>(k);
      } else if (d == batch_dim) {
        if (k != 0) refuse("its shape moves the batch dimension");
      } else if (d <= 0) {
        refuse("its shape " + dims_text(s.ints) + " is not one bpnn can take");
      } else if (k > 0) {
        if (d > numel || known > numel / d) refuse("its shape " + dims_text(s.ints) + " does not fit the input");
        known *= d;
      }
    }
    if (target.empty() || (target[0] != batch_dim && !(inferred == 0 && target.size() > 1))) {
      refuse("its shape " + dims_text(s.ints) + " does not keep the batch dimension first (a fixed batch size is not a flatten)");
    }
    if (inferred > 0) {
      if (known == 0 || numel % known != 0) refuse("its shape " + dims_text(s.ints) + " does not fit the input");
      target[static_cast<std::size_t>(inferred)] = numel / known;
      known = numel;
    }
    if (known != numel) refuse("its shape " + dims_text(s.ints) + " does not fit a sample of " + x.str());
    target[0] = batch_dim;
    std::vector<std::int64_t> now{batch_dim};
    for (std::size_t k = 0; k < x.rank(); ++k) now.push_back(static_cast<std::int64_t>(x[k]));
    if (target == now) return;  // a reshape to the shape it has
    if (target.size() == 2) return add_layer({"flatten", {}}, {});
    refuse("it reshapes a sample of " + x.str() + " to " + dims_text(target) + "; bpnn takes Reshape only as a flatten to [N, features]");
  }

  // A Pad of zeros (torch writes one before AveragePool): nothing.
  void pad() {
    allow({"mode"});
    if (string_attr("mode", "constant") != "constant") refuse("bpnn takes Pad only when it pads nothing");
    const Constant& pads = constant_input(1, "pads");
    if (pads.is_float) refuse("its pads must be integers");
    for (std::int64_t p : pads.ints) {
      if (p != 0) refuse("pads " + dims_text(pads.ints) + ": bpnn takes Pad only when it pads nothing (padding belongs to the Conv)");
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

  // A node on constants only: computed here (a small set of ops), its output another constant.
  void fold(const Node& n) {
    const std::string& op = n.op_type;
    const std::string& out = output();
    Constant result;
    if (op == "Constant") {
      allow({"value", "value_float", "value_floats", "value_int", "value_ints"});
      if (n.attributes.size() != 1) refuse("needs exactly one value attribute");
      const Attribute& a = n.attributes[0];
      if (a.name == "value" && a.type == attr_tensor && a.t) {
        result = *a.t;
      } else if (a.name == "value_float" && a.type == attr_float) {
        result = Constant{.dims = {}, .is_float = true, .floats = {a.f}, .ints = {}};
      } else if (a.name == "value_floats" && a.type == attr_floats) {
        result = Constant{.dims = {static_cast<std::int64_t>(a.floats.size())}, .is_float = true, .floats = a.floats, .ints = {}};
      } else if (a.name == "value_int" && a.type == attr_int) {
        result = Constant{.dims = {}, .is_float = false, .floats = {}, .ints = {a.i}};
      } else if (a.name == "value_ints" && a.type == attr_ints) {
        result = Constant{.dims = {static_cast<std::int64_t>(a.ints.size())}, .is_float = false, .floats = {}, .ints = a.ints};
      } else {
        refuse("its attribute " + name_text(a.name) + " does not have the type its name says");
      }
    } else if (op == "Identity") {
      allow({});
      result = constant_input(0, "input");
    } else if (op == "Cast") {
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
    } else if (op == "Gather") {
      allow({"axis"});
      const Constant& data = constant_input(0, "data");
      const Constant& indices = constant_input(1, "indices");
      if (int_attr("axis", 0) != 0 || data.dims.size() != 1 || indices.is_float || indices.dims.size() > 1) {
        refuse("bpnn folds Gather of a list by an index or a list of indices only");
      }
      result = Constant{.dims = indices.dims, .is_float = data.is_float, .floats = {}, .ints = {}};
      const auto size = static_cast<std::int64_t>(data.size());
      for (std::int64_t k : indices.ints) {
        if (k < -size || k >= size) refuse("index " + std::to_string(k) + " is out of range for " + std::to_string(size) + " values");
        const auto at = static_cast<std::size_t>(k < 0 ? k + size : k);
        if (data.is_float) {
          result.floats.push_back(data.floats[at]);
        } else {
          result.ints.push_back(data.ints[at]);
        }
      }
    } else if (op == "Unsqueeze" || op == "Squeeze") {
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
          if (k < 0 || k >= rank || one[static_cast<std::size_t>(k)]) refuse("axis " + std::to_string(a) + " is out of range or repeated");
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
          for (std::int64_t a : axes) drop = drop || a == static_cast<std::int64_t>(k) || a + static_cast<std::int64_t>(result.dims.size()) == static_cast<std::int64_t>(k);
          if (drop && result.dims[k] != 1) refuse("squeezes a dimension that is not 1");
          if (!drop) dims.push_back(result.dims[k]);
        }
        result.dims = dims;
      }
    } else if (op == "Concat") {
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
    } else {
      refuse("operator " + printable(op) + " on constants only is not supported by bpnn's import (it folds Constant, Identity, "
             "Cast, Gather, Unsqueeze, Squeeze and Concat)");
    }
    constants_[out] = std::move(result);
  }

  const Model& model_;
  std::optional<Sequential<float>> model_out_;
  std::map<std::string, Constant> constants_;
  std::string current_;         // the activation: the graph input, then each layer's output
  bool dense_pending_ = false;  // pending_ holds a dense layer not yet added
  PendingDense pending_;
  bool bool_pending_ = false;   // the activation is a GreaterOrEqual's (x >= 0): a step, once cast
  const Node* node_ = nullptr;
  std::string where_;
};

}  // namespace

std::string to_onnx(const Sequential<float>& model) {
  GraphWriter g;
  // Layer i reads value "input" or the previous layer's, and the last layer with nodes writes "output".
  std::size_t last = model.size();
  for (std::size_t i = model.size(); i-- > 0;) {
    if (model.layer(i).kind() != "dropout") {
      last = i;
      break;
    }
  }
  std::string value = "input";
  for (std::size_t i = 0; i < model.size(); ++i) {
    const std::string out = i == last ? "output" : std::to_string(i) + ".output";
    if (export_layer(g, model, i, value, out)) value = out;
  }
  if (last == model.size()) g.node("Identity", {"input"}, "output", "identity");  // no layer does anything
  pb::Writer opset;
  opset.bytes(opset_f::domain, "");
  opset.int64(opset_f::version, onnx_opset);
  pb::Writer m;
  m.int64(model_f::ir_version, ir_version);
  m.bytes(model_f::producer_name, "bpnn");
  m.bytes(model_f::producer_version, "0.1");
  m.bytes(model_f::doc_string, "exported by bpnn (docs/onnx.md)");
  m.message(model_f::graph, g.finish(model.input_shape(), model.output_shape()));
  m.message(model_f::opset_import, opset);
  // Batch norm's count of training batches has no place in ONNX: it travels as metadata.
  for (std::size_t i = 0; i < model.size(); ++i) {
    if (model.layer(i).kind() != "batchnorm") continue;
    const ParameterStore<float>& store = model.parameters();
    const float count = store.value(store.index(std::to_string(i) + ".num_batches_tracked"))[0];
    pb::Writer entry;
    entry.bytes(entry_f::key, "bpnn.num_batches_tracked." + std::to_string(i));
    entry.bytes(entry_f::value, std::to_string(static_cast<std::int64_t>(count)));
    m.message(model_f::metadata_props, entry);
  }
  return m.data();
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

Sequential<float> from_onnx(std::string_view bytes, const std::string& source) {
  try {
    if (bytes.empty()) throw Error("empty (not an ONNX model)");
    const Model m = parse_model(bytes);
    if (!m.graph) throw Error("no graph (not an ONNX model?)");
    if (m.ir_version < 3) throw Error("IR version " + std::to_string(m.ir_version) + " is too old (bpnn reads 3 and later)");
    bool found = false;
    for (const auto& [domain, version] : m.opsets) {
      if (domain.empty() || domain == "ai.onnx") {
        found = true;
        if (version < onnx_min_import_opset || version > onnx_max_import_opset) {
          throw Error("opset " + std::to_string(version) + "; bpnn imports opsets " + std::to_string(onnx_min_import_opset) + " to " +
                      std::to_string(onnx_max_import_opset) + " (re-export with opset_version=17)");
        }
      }
    }
    if (!found) throw Error("no opset_import of ONNX's default domain");
    return Importer(m).run();
  } catch (const Error& e) {
    throw Error(source + ": " + e.what());
  }
}

Sequential<float> import_onnx(const std::string& path) { return from_onnx(read_file(path, "ONNX model"), path); }

}  // namespace bpnn
