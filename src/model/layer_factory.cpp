// The one factory from a layer's kind and fields to its class, with every field checked here once,
// so a network file, a model file and a config made in code are held to the same rules.
#include "bpnn/model/layer_factory.hpp"

#include <charconv>
#include <initializer_list>
#include <string>

#include "bpnn/core/error.hpp"
#include "bpnn/layers/activation.hpp"
#include "bpnn/layers/batchnorm.hpp"
#include "bpnn/layers/conv2d.hpp"
#include "bpnn/layers/dense.hpp"
#include "bpnn/layers/dropout.hpp"
#include "bpnn/layers/flatten.hpp"
#include "bpnn/layers/pooling.hpp"
#include "bpnn/layers/softmax.hpp"

namespace bpnn {
namespace {

// A value as messages quote it: -3, 0.5, true, "x", he_normal.
std::string show(const ConfigValue& value) {
  struct Show {
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(std::int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const {
      char text[32];
      const auto end = std::to_chars(text, text + sizeof text, d).ptr;  // shortest exact form
      std::string shown(text, end);
      // 3.0 as JSON writes it, so that "an integer, got 3.0" is not puzzling.
      if (shown.find_first_of(".eni") == std::string::npos) shown += ".0";
      return shown;
    }
    std::string operator()(const std::string& s) const { return "\"" + s + "\""; }
    std::string operator()(const Initializer& init) const { return init.describe(); }
  };
  return std::visit(Show{}, value);
}

// "a, b or c".
std::string list(const std::vector<std::string_view>& names) {
  std::string text;
  for (std::size_t k = 0; k < names.size(); ++k) {
    text += k == 0 ? "" : k + 1 == names.size() ? " or " : ", ";
    text += names[k];
  }
  return text;
}

// Refuses a field not in allowed, and one given twice.
void allow_fields(const LayerConfig& config, std::initializer_list<std::string_view> allowed) {
  for (std::size_t k = 0; k < config.fields.size(); ++k) {
    const std::string& name = config.fields[k].first;
    bool known = false;
    for (std::string_view a : allowed) known = known || a == name;
    if (!known) {
      throw Error("unknown field '" + name + "'; " + config.kind + " takes " +
                  (allowed.size() == 0 ? "no fields" : list(std::vector<std::string_view>(allowed))));
    }
    for (std::size_t j = 0; j < k; ++j) {
      if (config.fields[j].first == name) throw Error("field '" + name + "' is given twice");
    }
  }
}

double number_field(const LayerConfig& config, std::string_view name, double fallback) {
  const ConfigValue* v = config.find(name);
  if (v == nullptr) return fallback;
  if (const double* d = std::get_if<double>(v)) return *d;
  if (const std::int64_t* i = std::get_if<std::int64_t>(v)) return static_cast<double>(*i);
  throw Error("field '" + std::string(name) + "' must be a number, got " + show(*v));
}

bool bool_field(const LayerConfig& config, std::string_view name, bool fallback) {
  const ConfigValue* v = config.find(name);
  if (v == nullptr) return fallback;
  if (const bool* b = std::get_if<bool>(v)) return *b;
  throw Error("field '" + std::string(name) + "' must be true or false, got " + show(*v));
}

// A whole-number field in [minimum, 10^6]; fallback when absent (a fallback of 0 with minimum 1
// makes the field required).
std::size_t size_field(const LayerConfig& config, std::string_view name, std::size_t fallback, std::size_t minimum) {
  const ConfigValue* v = config.find(name);
  if (v == nullptr) {
    if (fallback < minimum) throw Error("field '" + std::string(name) + "' is missing");
    return fallback;
  }
  const std::int64_t* i = std::get_if<std::int64_t>(v);
  if (i == nullptr || *i < static_cast<std::int64_t>(minimum) || *i > 1000000) {
    throw Error("field '" + std::string(name) + "' must be an integer >= " + std::to_string(minimum) + ", got " + show(*v));
  }
  return static_cast<std::size_t>(*i);
}

std::optional<Initializer> initializer_field(const LayerConfig& config, std::string_view name) {
  const ConfigValue* v = config.find(name);
  if (v == nullptr) return std::nullopt;
  const std::string in = "field '" + std::string(name) + "': ";
  if (const Initializer* init = std::get_if<Initializer>(v)) return *init;
  if (const std::string* s = std::get_if<std::string>(v)) {
    if (std::optional<Initializer> init = initializer_named(*s)) return init;
    throw Error(in + "unknown initializer '" + *s +
                "'; use zeros, constant, uniform, normal, xavier_uniform, xavier_normal, he_uniform or he_normal");
  }
  throw Error(in + "an initializer is a name or an object with a \"type\", got " + show(*v));
}

// The fields dense and conv2d share: "bias", "init" and "bias_init", into their options.
template <class Options>
void weight_fields(const LayerConfig& config, Options& options) {
  options.bias = bool_field(config, "bias", options.bias);
  options.weight_init = initializer_field(config, "init");
  options.bias_init = initializer_field(config, "bias_init");
}

}  // namespace

const std::vector<std::string_view>& layer_kinds() {
  static const std::vector<std::string_view> kinds = {"dense",   "conv2d",  "maxpool2d", "avgpool2d",  "flatten",
                                                      "batchnorm", "dropout", "sigmoid",   "tanh",       "relu",
                                                      "leaky_relu", "identity", "softmax", "step"};
  return kinds;
}

bool is_layer_kind(std::string_view kind) {
  for (std::string_view k : layer_kinds()) {
    if (k == kind) return true;
  }
  return false;
}

std::optional<Initializer> initializer_named(std::string_view name) {
  if (name == "zeros") return Initializer::zeros();
  if (name == "constant") return Initializer::constant(0.0);
  if (name == "uniform") return Initializer::uniform(-0.05, 0.05);
  if (name == "normal") return Initializer::normal(0.0, 1.0);
  if (name == "xavier_uniform") return Initializer::xavier_uniform();
  if (name == "xavier_normal") return Initializer::xavier_normal();
  if (name == "he_uniform") return Initializer::he_uniform();
  if (name == "he_normal") return Initializer::he_normal();
  return std::nullopt;
}

std::string_view initializer_name(Initializer::Kind kind) {
  using Kind = Initializer::Kind;
  switch (kind) {
    case Kind::zeros: return "zeros";
    case Kind::constant: return "constant";
    case Kind::uniform: return "uniform";
    case Kind::normal: return "normal";
    case Kind::xavier_uniform: return "xavier_uniform";
    case Kind::xavier_normal: return "xavier_normal";
    case Kind::he_uniform: return "he_uniform";
    case Kind::he_normal: return "he_normal";
  }
  return "unknown";
}

template <class T>
std::unique_ptr<Layer<T>> make_layer(const LayerConfig& config) {
  const std::string& kind = config.kind;
  if (!is_layer_kind(kind)) throw Error("unknown layer type '" + kind + "'; use " + list(layer_kinds()));
  if (kind == "dense") {
    allow_fields(config, {"units", "bias", "init", "bias_init"});
    const ConfigValue* units = config.find("units");
    const std::int64_t* n = units ? std::get_if<std::int64_t>(units) : nullptr;
    if (n == nullptr || *n <= 0) {
      throw Error("field 'units' must be a positive integer, got " + (units ? show(*units) : "nothing"));
    }
    DenseOptions options{.units = static_cast<std::size_t>(*n)};
    weight_fields(config, options);
    return std::make_unique<Dense<T>>(options);
  }
  if (kind == "conv2d") {
    allow_fields(config, {"filters", "kernel", "stride", "padding", "bias", "init", "bias_init"});
    Conv2dOptions options{.filters = size_field(config, "filters", 0, 1),
                          .kernel = size_field(config, "kernel", 3, 1),
                          .stride = size_field(config, "stride", 1, 1),
                          .padding = size_field(config, "padding", 0, 0)};
    weight_fields(config, options);
    return std::make_unique<Conv2d<T>>(options);
  }
  if (kind == "maxpool2d" || kind == "avgpool2d") {
    allow_fields(config, {"kernel", "stride"});
    const Pool2dOptions options{.kernel = size_field(config, "kernel", 2, 1), .stride = size_field(config, "stride", 0, 0)};
    if (kind == "maxpool2d") return std::make_unique<MaxPool2d<T>>(options);
    return std::make_unique<AvgPool2d<T>>(options);
  }
  if (kind == "batchnorm") {
    allow_fields(config, {"momentum", "eps", "affine"});
    const BatchNormOptions options{.momentum = number_field(config, "momentum", 0.1),
                                   .eps = number_field(config, "eps", 1e-5),
                                   .affine = bool_field(config, "affine", true)};
    if (!(options.momentum >= 0 && options.momentum <= 1)) {
      throw Error("field 'momentum' must lie in [0, 1], got " + show(*config.find("momentum")));
    }
    if (!(options.eps > 0)) throw Error("field 'eps' must be > 0, got " + show(*config.find("eps")));
    return std::make_unique<BatchNorm<T>>(options);
  }
  if (kind == "dropout") {
    allow_fields(config, {"p"});
    const double p = number_field(config, "p", 0.5);
    if (!(p >= 0 && p < 1)) throw Error("field 'p' must lie in [0, 1), got " + show(*config.find("p")));
    return std::make_unique<Dropout<T>>(DropoutOptions{.p = p});
  }
  if (const std::optional<std::size_t> f = find_activation(kind)) {
    const ActivationOption& option = activation_table[*f].option;
    if (option.name.empty()) {
      allow_fields(config, {});
      return std::make_unique<Activation<T>>(kind);
    }
    allow_fields(config, {option.name});
    return std::make_unique<Activation<T>>(kind, number_field(config, option.name, option.default_value));
  }
  allow_fields(config, {});
  if (kind == "softmax") return std::make_unique<Softmax<T>>();
  if (kind == "flatten") return std::make_unique<Flatten<T>>();
  throw Error("layer type '" + kind + "' is in layer_kinds() but has no branch in make_layer");
}

template <class T>
std::vector<LayerConfig> layer_configs(const Sequential<T>& model) {
  std::vector<LayerConfig> configs;
  configs.reserve(model.size());
  for (std::size_t i = 0; i < model.size(); ++i) configs.push_back(model.layer(i).config());
  return configs;
}

template std::unique_ptr<Layer<float>> make_layer(const LayerConfig&);
template std::unique_ptr<Layer<double>> make_layer(const LayerConfig&);
template std::vector<LayerConfig> layer_configs(const Sequential<float>&);
template std::vector<LayerConfig> layer_configs(const Sequential<double>&);

}  // namespace bpnn
