#include "bpnn/io/network.hpp"

#include <cctype>
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <type_traits>

#include "bpnn/core/error.hpp"
#include "bpnn/core/file.hpp"
#include "bpnn/model/layer_factory.hpp"

namespace bpnn {
namespace {

// Ordered: a description keeps its fields in the order written, and layer objects start with "type".
using json = nlohmann::ordered_json;

// Where in the description an error is: "net.json: layers[2] (dense): ".
std::string at_layer(const std::string& source, std::size_t i, const std::string& type) {
  return source + ": layers[" + std::to_string(i) + "]" + (type.empty() ? "" : " (" + type + ")") + ": ";
}

// {"type": "uniform", "low": -0.5, "high": 0.5} -> the Initializer (initializer_with: absent fields
// keep the name's defaults). A bare name stays a string: the factory reads names.
Initializer initializer_from_json(const json& spec, const std::string& where) {
  if (!spec.contains("type") || !spec["type"].is_string()) {
    throw Error(where + "an initializer is a name or an object with a \"type\", got " + spec.dump());
  }
  const std::string kind = spec["type"].get<std::string>();
  std::vector<std::pair<std::string, double>> options;
  for (const auto& [key, value] : spec.items()) {
    if (key == "type") continue;
    if (!value.is_number()) throw Error(where + kind + ": field '" + key + "' must be a number, got " + value.dump());
    options.emplace_back(key, value.get<double>());
  }
  try {
    return initializer_with(kind, options);
  } catch (const Error& e) {
    throw Error(where + e.what());
  }
}

// The initializer as a name when it has its name's defaults, else as an object.
json initializer_to_json(const Initializer& init) {
  const InitializerKind& kind = initializer_kind(init.kind);
  if (init == initializer_named(kind.name)) return std::string(kind.name);
  json spec = {{"type", std::string(kind.name)}};
  for (std::size_t k = 0; k < kind.options.size(); ++k) {
    spec[std::string(kind.options[k].name)] = k == 0 ? init.a : init.b;
  }
  return spec;
}

// One JSON field value as a config value: integers stay integers, objects are initializers.
ConfigValue config_value(const std::string& key, const json& value, const std::string& where) {
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_number_unsigned() && value.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
    return value.get<double>();  // too large for any field; the factory says so with the field's rule
  }
  if (value.is_number_integer()) return value.get<std::int64_t>();
  if (value.is_number()) return value.get<double>();
  if (value.is_string()) return value.get<std::string>();
  if (value.is_object()) return initializer_from_json(value, where + "field '" + key + "': ");
  throw Error(where + "field '" + key + "' must be a number, true or false, a name or an initializer, got " +
              value.dump());
}

// A layer object of a description as the factory's LayerConfig. Errors name the source, the
// index and the field.
LayerConfig config_from_json(const json& layer, std::size_t i, const std::string& source) {
  if (!layer.is_object())
    throw Error(at_layer(source, i, "") + "a layer is an object like {\"type\": \"relu\"}, got " + layer.dump());
  if (!layer.contains("type") || !layer["type"].is_string())
    throw Error(at_layer(source, i, "") + "field 'type' (a string) is missing");
  LayerConfig config{layer["type"].get<std::string>(), {}};
  const std::string where = at_layer(source, i, is_layer_kind(config.kind) ? config.kind : "");
  for (const auto& [key, value] : layer.items()) {
    if (key != "type") config.fields.emplace_back(key, config_value(key, value, where));
  }
  return config;
}

// A layer object of a description to its layer, through the factory.
template <class T>
std::unique_ptr<Layer<T>> layer_from_json(const json& layer, std::size_t i, const std::string& source) {
  const LayerConfig config = config_from_json(layer, i, source);
  try {
    return make_layer<T>(config);
  } catch (const Error& e) {
    throw Error(at_layer(source, i, is_layer_kind(config.kind) ? config.kind : "") + e.what());
  }
}

// A layer's config as a JSON layer object: "type" first, then its fields in the layer's order.
json config_to_json(const LayerConfig& config, std::size_t i) {
  json layer = {{"type", config.kind}};
  for (const auto& [key, value] : config.fields) {
    if (const double* d = std::get_if<double>(&value); d != nullptr && !std::isfinite(*d)) {
      throw Error("layer " + std::to_string(i) + " (" + config.kind + "): field '" + key + "' is " +
                  std::to_string(*d) + ", which a network description cannot hold");
    }
    const std::string& name = key;  // clang 14 cannot capture a structured binding in a lambda
    std::visit(
        [&](const auto& v) {
          if constexpr (std::is_same_v<std::decay_t<decltype(v)>, Initializer>) {
            layer[name] = initializer_to_json(v);
          } else {
            layer[name] = v;
          }
        },
        value);
  }
  return layer;
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
    // A known kind that is not an activation is refused here; an unknown name, by the factory.
    const LayerKind* kind = find_layer_kind(activation);
    if (kind != nullptr && !kind->activation) {
      std::vector<std::string_view> activations;
      for (const LayerKind& l : layer_registry()) {
        if (l.activation) activations.push_back(l.name);
      }
      fail("item " + std::to_string(k + 1) + " ends in '" + printable(activation, 40) +
           "', which is not an activation (" + name_list(activations) + ")");
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
    if (key != "input" && key != "layers")
      throw Error(source + ": unknown field '" + key + "' (a network has input and layers)");
  }
  const json& input = description["input"];
  if (!input.is_array() || input.empty() || input.size() > 3) {
    throw Error(source + ": field 'input' must be the sample shape, e.g. [784] or [1, 28, 28]");
  }
  Network network;
  network.source = source;
  for (const json& d : input) {
    if (!d.is_number_integer() || d.get<long long>() <= 0)
      throw Error(source + ": field 'input' holds " + d.dump() + ", not a positive integer");
  }
  network.input = input.size() == 1 ? Shape{input[0].get<std::size_t>()}
                  : input.size() == 2
                      ? Shape{input[0].get<std::size_t>(), input[1].get<std::size_t>()}
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
    const std::unique_ptr<Layer<float>> layer = layer_from_json<float>(layers[i], i, network.source);
    try {
      shape = layer->build(shape);
    } catch (const Error& e) {
      throw Error(network.source + ": layer " + std::to_string(i) + " (" + std::string(layer->kind()) +
                  "): " + e.what());
    }
    for (const ParameterSpec& spec : layer->parameter_specs()) {
      std::size_t n = 1;
      for (std::size_t d = 0; d < spec.shape.rank(); ++d) {
        if (spec.shape[d] != 0 && n > SIZE_MAX / spec.shape[d])
          throw Error(network.source + ": the network is too large");
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
  const json& layers = description["layers"];
  std::vector<LayerConfig> configs;
  for (std::size_t i = 0; i < layers.size(); ++i) configs.push_back(config_from_json(layers[i], i, network.source));
  try {
    return build_model<T>(network.input, configs);
  } catch (const Error& e) {
    throw Error(network.source + ": " + e.what());
  }
}

template <class T>
Network describe(const Sequential<T>& model) {
  json input = json::array();
  for (std::size_t d = 0; d < model.input_shape().rank(); ++d) input.push_back(model.input_shape()[d]);
  json layers = json::array();
  const std::vector<LayerConfig> configs = layer_configs(model);
  for (std::size_t i = 0; i < configs.size(); ++i) layers.push_back(config_to_json(configs[i], i));
  const json description = {{"input", input}, {"layers", layers}};
  return {model.input_shape(), description.dump(), "the model"};
}

template Sequential<float> build_model(const Network&);
template Sequential<double> build_model(const Network&);
template Network describe(const Sequential<float>&);
template Network describe(const Sequential<double>&);

}  // namespace bpnn
