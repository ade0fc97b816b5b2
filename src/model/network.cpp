#include "bpnn/model/network.hpp"

#include <cctype>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "bpnn/core/error.hpp"
#include "bpnn/core/file.hpp"
#include "bpnn/layers/batchnorm.hpp"
#include "bpnn/layers/conv2d.hpp"
#include "bpnn/layers/dense.hpp"
#include "bpnn/layers/dropout.hpp"
#include "bpnn/layers/flatten.hpp"
#include "bpnn/layers/identity.hpp"
#include "bpnn/layers/leaky_relu.hpp"
#include "bpnn/layers/pooling.hpp"
#include "bpnn/layers/relu.hpp"
#include "bpnn/layers/sigmoid.hpp"
#include "bpnn/layers/softmax.hpp"
#include "bpnn/layers/step.hpp"
#include "bpnn/layers/tanh.hpp"

namespace bpnn {
namespace {

using nlohmann::json;

// Where in the description an error is: "net.json: layers[2] (dense): ".
std::string at_layer(const std::string& source, std::size_t i, const std::string& type) {
  return source + ": layers[" + std::to_string(i) + "]" + (type.empty() ? "" : " (" + type + ")") + ": ";
}

void allow_fields(const json& layer, const std::set<std::string>& allowed, const std::string& where) {
  for (const auto& [key, value] : layer.items()) {
    if (key != "type" && !allowed.contains(key)) throw Error(where + "unknown field '" + key + "'");
  }
}

double number_field(const json& object, const std::string& field, double fallback, const std::string& where) {
  if (!object.contains(field)) return fallback;
  if (!object[field].is_number()) throw Error(where + "field '" + field + "' must be a number, got " + object[field].dump());
  return object[field].get<double>();
}

// A whole-number field of at least `minimum`; fallback when absent (a fallback of 0 with minimum 1
// makes the field required).
std::size_t size_field(const json& object, const std::string& field, std::size_t fallback, std::size_t minimum,
                       const std::string& where) {
  if (!object.contains(field)) {
    if (fallback < minimum) throw Error(where + "field '" + field + "' is missing");
    return fallback;
  }
  const json& v = object[field];
  if (!v.is_number_integer() || v.get<long long>() < static_cast<long long>(minimum) || v.get<long long>() > 1000000) {
    throw Error(where + "field '" + field + "' must be an integer >= " + std::to_string(minimum) + ", got " + v.dump());
  }
  return v.get<std::size_t>();
}

Initializer parse_initializer(const json& spec, const std::string& where) {
  const std::string kind = spec.is_string() ? spec.get<std::string>()
                           : spec.is_object() && spec.contains("type") && spec["type"].is_string()
                               ? spec["type"].get<std::string>()
                               : "";
  if (kind.empty()) throw Error(where + "an initializer is a name or an object with a \"type\", got " + spec.dump());
  const json params = spec.is_object() ? spec : json::object();
  const std::map<std::string, std::set<std::string>> fields = {
      {"zeros", {}}, {"constant", {"value"}}, {"uniform", {"low", "high"}}, {"normal", {"mean", "std"}},
      {"xavier_uniform", {"gain"}}, {"xavier_normal", {"gain"}}, {"he_uniform", {}}, {"he_normal", {}}};
  const auto known = fields.find(kind);
  if (known == fields.end()) {
    throw Error(where + "unknown initializer '" + kind +
                "'; use zeros, constant, uniform, normal, xavier_uniform, xavier_normal, he_uniform or he_normal");
  }
  for (const auto& [key, value] : params.items()) {
    if (key != "type" && !known->second.contains(key)) throw Error(where + kind + ": unknown field '" + key + "'");
  }
  const std::string in = where + kind + ": ";
  if (kind == "zeros") return Initializer::zeros();
  if (kind == "constant") return Initializer::constant(number_field(params, "value", 0.0, in));
  if (kind == "uniform") return Initializer::uniform(number_field(params, "low", -0.05, in), number_field(params, "high", 0.05, in));
  if (kind == "normal") return Initializer::normal(number_field(params, "mean", 0.0, in), number_field(params, "std", 1.0, in));
  if (kind == "xavier_uniform") return Initializer::xavier_uniform(number_field(params, "gain", 1.0, in));
  if (kind == "xavier_normal") return Initializer::xavier_normal(number_field(params, "gain", 1.0, in));
  if (kind == "he_uniform") return Initializer::he_uniform();
  return Initializer::he_normal();
}

// The fields dense and conv2d share: "bias", "init" and "bias_init", into their options.
template <class Options>
void parse_weight_fields(const json& layer, const std::string& where, Options& options) {
  if (layer.contains("bias")) {
    if (!layer["bias"].is_boolean()) throw Error(where + "field 'bias' must be true or false, got " + layer["bias"].dump());
    options.bias = layer["bias"].get<bool>();
  }
  if (layer.contains("init")) options.weight_init = parse_initializer(layer["init"], where + "field 'init': ");
  if (layer.contains("bias_init")) options.bias_init = parse_initializer(layer["bias_init"], where + "field 'bias_init': ");
}

// The one factory: a layer description to its class. Errors name the source, index and field.
template <class T>
std::unique_ptr<Layer<T>> make_layer(const json& layer, std::size_t i, const std::string& source) {
  if (!layer.is_object()) throw Error(at_layer(source, i, "") + "a layer is an object like {\"type\": \"relu\"}, got " + layer.dump());
  if (!layer.contains("type") || !layer["type"].is_string()) throw Error(at_layer(source, i, "") + "field 'type' (a string) is missing");
  const std::string type = layer["type"].get<std::string>();
  const std::string where = at_layer(source, i, type);
  if (type == "dense") {
    allow_fields(layer, {"units", "bias", "init", "bias_init"}, where);
    if (!layer.contains("units") || !layer["units"].is_number_integer() || layer["units"].get<long long>() <= 0) {
      throw Error(where + "field 'units' must be a positive integer, got " +
                  (layer.contains("units") ? layer["units"].dump() : "nothing"));
    }
    DenseOptions options{.units = layer["units"].get<std::size_t>()};
    parse_weight_fields(layer, where, options);
    return std::make_unique<Dense<T>>(options);
  }
  if (type == "conv2d") {
    allow_fields(layer, {"filters", "kernel", "stride", "padding", "bias", "init", "bias_init"}, where);
    Conv2dOptions options{.filters = size_field(layer, "filters", 0, 1, where),
                          .kernel = size_field(layer, "kernel", 3, 1, where),
                          .stride = size_field(layer, "stride", 1, 1, where),
                          .padding = size_field(layer, "padding", 0, 0, where)};
    parse_weight_fields(layer, where, options);
    return std::make_unique<Conv2d<T>>(options);
  }
  if (type == "maxpool2d" || type == "avgpool2d") {
    allow_fields(layer, {"kernel", "stride"}, where);
    const Pool2dOptions options{.kernel = size_field(layer, "kernel", 2, 1, where),
                                .stride = size_field(layer, "stride", 0, 0, where)};
    if (type == "maxpool2d") return std::make_unique<MaxPool2d<T>>(options);
    return std::make_unique<AvgPool2d<T>>(options);
  }
  if (type == "batchnorm") {
    allow_fields(layer, {"momentum", "eps", "affine"}, where);
    BatchNormOptions options{.momentum = number_field(layer, "momentum", 0.1, where),
                             .eps = number_field(layer, "eps", 1e-5, where)};
    if (!(options.momentum >= 0 && options.momentum <= 1)) throw Error(where + "field 'momentum' must lie in [0, 1], got " + layer["momentum"].dump());
    if (!(options.eps > 0)) throw Error(where + "field 'eps' must be > 0, got " + layer["eps"].dump());
    if (layer.contains("affine")) {
      if (!layer["affine"].is_boolean()) throw Error(where + "field 'affine' must be true or false, got " + layer["affine"].dump());
      options.affine = layer["affine"].get<bool>();
    }
    return std::make_unique<BatchNorm<T>>(options);
  }
  if (type == "dropout") {
    allow_fields(layer, {"p"}, where);
    const double p = number_field(layer, "p", 0.5, where);
    if (!(p >= 0 && p < 1)) throw Error(where + "field 'p' must lie in [0, 1), got " + layer["p"].dump());
    return std::make_unique<Dropout<T>>(DropoutOptions{.p = p});
  }
  if (type == "leaky_relu") {
    allow_fields(layer, {"slope"}, where);
    return std::make_unique<LeakyRelu<T>>(LeakyReluOptions{.slope = number_field(layer, "slope", 0.01, where)});
  }
  allow_fields(layer, {}, where);
  if (type == "sigmoid") return std::make_unique<Sigmoid<T>>();
  if (type == "tanh") return std::make_unique<Tanh<T>>();
  if (type == "relu") return std::make_unique<Relu<T>>();
  if (type == "identity") return std::make_unique<Identity<T>>();
  if (type == "softmax") return std::make_unique<Softmax<T>>();
  if (type == "step") return std::make_unique<Step<T>>();
  if (type == "flatten") return std::make_unique<Flatten<T>>();
  throw Error(at_layer(source, i, "") + "unknown layer type '" + type +
              "'; use dense, conv2d, maxpool2d, avgpool2d, flatten, batchnorm, dropout, sigmoid, tanh, relu, leaky_relu, identity, "
              "softmax or step");
}

// "784-128relu-10" -> the JSON description.
json compact_to_json(const std::string& text, const std::string& source) {
  std::vector<std::string> items(1);
  for (char c : text) {
    if (c == '-') {
      items.emplace_back();
    } else {
      items.back().push_back(c);
    }
  }
  auto fail = [&](const std::string& why) {
    throw Error(source + ": '" + text + "' is not a network: " + why +
                " (compact form: INPUT-UNITS[activation]-..., e.g. 784-128relu-10)");
  };
  json layers = json::array();
  std::size_t input = 0;
  for (std::size_t k = 0; k < items.size(); ++k) {
    const std::string& item = items[k];
    std::size_t digits = 0;
    while (digits < item.size() && std::isdigit(static_cast<unsigned char>(item[digits]))) ++digits;
    if (digits == 0 || digits > 9) fail("item " + std::to_string(k + 1) + " ('" + item + "') must start with a size");
    const std::size_t units = std::stoul(item.substr(0, digits));
    if (units == 0) fail("item " + std::to_string(k + 1) + " has size 0");
    const std::string activation = item.substr(digits);
    for (char ch : activation) {
      if (!(std::islower(static_cast<unsigned char>(ch)) || ch == '_')) {
        fail("item " + std::to_string(k + 1) + " has an activation that is not a name of lowercase letters");
      }
    }
    if (k == 0) {
      if (!activation.empty()) fail("the first item is the input size alone");
      input = units;
      continue;
    }
    layers.push_back({{"type", "dense"}, {"units", units}});
    if (!activation.empty()) layers.push_back({{"type", activation}});
  }
  if (layers.empty()) fail("it has no layers");
  return {{"input", {input}}, {"layers", layers}};
}

}  // namespace

// The body of parse_network, which turns stray JSON exceptions into Error.
static Network parse_network_json(const std::string& text, const std::string& source) {
  json description;
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '{') {
    try {
      description = json::parse(text);
    } catch (const json::parse_error& e) {
      throw Error(source + ": not valid JSON: " + e.what());
    }
  } else {
    description = compact_to_json(text, source);
  }
  for (const auto& [key, value] : description.items()) {
    if (key != "input" && key != "layers") throw Error(source + ": unknown field '" + key + "' (a network has input and layers)");
  }
  const json& input = description["input"];
  if (!input.is_array() || input.empty() || input.size() > 3) {
    throw Error(source + ": field 'input' must be the sample shape, e.g. [784] or [1, 28, 28]");
  }
  Network network;
  network.source = source;
  for (const json& d : input) {
    if (!d.is_number_integer() || d.get<long long>() <= 0) throw Error(source + ": field 'input' holds " + d.dump() + ", not a positive integer");
  }
  network.input = input.size() == 1   ? Shape{input[0].get<std::size_t>()}
                  : input.size() == 2 ? Shape{input[0].get<std::size_t>(), input[1].get<std::size_t>()}
                                      : Shape{input[0].get<std::size_t>(), input[1].get<std::size_t>(), input[2].get<std::size_t>()};
  if (!description.contains("layers") || !description["layers"].is_array() || description["layers"].empty()) {
    throw Error(source + ": field 'layers' must be a non-empty list of layers");
  }
  network.json = description.dump();
  parameter_shapes(network);  // checks every layer's fields and shapes now, with the source named
  return network;
}

Network parse_network(const std::string& text, const std::string& source) {
  try {
    return parse_network_json(text, source);
  } catch (const json::exception& e) {  // defence in depth: every JSON problem becomes our one error type
    throw Error(source + ": " + e.what());
  }
}

Network read_network_file(const std::string& path) { return parse_network(read_file(path), path); }

std::vector<ParameterShape> parameter_shapes(const Network& network) {
  const json description = json::parse(network.json);
  Shape shape = network.input;
  std::vector<ParameterShape> shapes;
  std::size_t count = 0;
  const json& layers = description["layers"];
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const std::unique_ptr<Layer<float>> layer = make_layer<float>(layers[i], i, network.source);
    try {
      shape = layer->build(shape);
    } catch (const Error& e) {
      throw Error(network.source + ": layer " + std::to_string(i) + " (" + std::string(layer->kind()) + "): " + e.what());
    }
    for (const ParameterSpec& spec : layer->parameter_specs()) {
      std::size_t n = 1;
      for (std::size_t d = 0; d < spec.shape.rank(); ++d) {
        if (spec.shape[d] != 0 && n > SIZE_MAX / spec.shape[d]) throw Error(network.source + ": the network is too large");
        n *= spec.shape[d];
      }
      if (count > SIZE_MAX - n) throw Error(network.source + ": the network is too large");
      count += n;
      shapes.push_back({std::to_string(i) + "." + spec.name, spec.shape, spec.integer});
    }
  }
  return shapes;
}

template <class T>
Sequential<T> build_model(const Network& network) {
  const json description = json::parse(network.json);
  Sequential<T> model(network.input);
  const json& layers = description["layers"];
  for (std::size_t i = 0; i < layers.size(); ++i) {
    try {
      model.add(make_layer<T>(layers[i], i, network.source));
    } catch (const Error& e) {
      const std::string message = e.what();
      // Shape errors from the model say "layer i (kind): ..."; prefix the source they lack.
      throw Error(message.rfind(network.source, 0) == 0 ? message : network.source + ": " + message);
    }
  }
  return model;
}

template Sequential<float> build_model(const Network&);
template Sequential<double> build_model(const Network&);

}  // namespace bpnn
