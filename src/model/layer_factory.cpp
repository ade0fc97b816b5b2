// The one factory from a layer's kind and fields to its class, and the registry's table of layer
// kinds it reads: each kind's options (type, default, range) are written once, in its row, and
// every field is checked against them here, so a network file, a model file and a config made in
// code are held to the same rules.
#include "bpnn/model/layer_factory.hpp"

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
#include "bpnn/core/number_text.hpp"

namespace bpnn {
namespace {

// A value as messages quote it: -3, 0.5, true, "x", he_normal.
std::string show(const ConfigValue& value) {
  struct Show {
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(std::int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const {
      std::string shown = number_text(d);
      // 3.0 as JSON writes it, so that "an integer, got 3.0" is not puzzling.
      if (shown.find_first_of(".eni") == std::string::npos) shown += ".0";
      return shown;
    }
    std::string operator()(const std::string& s) const { return "\"" + s + "\""; }
    std::string operator()(const Initializer& init) const { return init.describe(); }
  };
  return std::visit(Show{}, value);
}

// A config's fields, checked against its kind's options: unknown and repeated fields refused,
// each given value of its option's type and in its range, required ones present. The getters
// give a field's value, or its option's default.
class Fields {
 public:
  Fields(const LayerConfig& config, const LayerKind& kind) : config_(config), kind_(kind) {
    for (std::size_t k = 0; k < config.fields.size(); ++k) {
      const std::string& name = config.fields[k].first;
      if (find(name) == nullptr) {
        throw Error("unknown field '" + name + "'; " + config.kind + " takes " +
                    (kind.options.empty() ? "no fields" : name_list(names_of(kind.options))));
      }
      for (std::size_t j = 0; j < k; ++j) {
        if (config.fields[j].first == name) throw Error("field '" + name + "' is given twice");
      }
    }
    for (const Option& option : kind.options) check(option);
  }

  std::size_t size(std::string_view name) const { return static_cast<std::size_t>(number(name)); }
  double number(std::string_view name) const {
    const ConfigValue* v = config_.find(name);
    if (v == nullptr) return option(name).default_value;
    if (const std::int64_t* i = std::get_if<std::int64_t>(v)) return static_cast<double>(*i);
    return std::get<double>(*v);
  }
  bool flag(std::string_view name) const {
    const ConfigValue* v = config_.find(name);
    return v == nullptr ? option(name).default_value != 0 : std::get<bool>(*v);
  }
  std::optional<Initializer> initializer(std::string_view name) const {
    const ConfigValue* v = config_.find(name);
    if (v == nullptr) return std::nullopt;
    if (const Initializer* init = std::get_if<Initializer>(v)) return *init;
    return initializer_named(std::get<std::string>(*v));
  }

 private:
  const Option* find(std::string_view name) const {
    for (const Option& o : kind_.options) {
      if (o.name == name) return &o;
    }
    return nullptr;
  }
  const Option& option(std::string_view name) const {
    const Option* o = find(name);
    if (o == nullptr) throw Error("layer kind '" + config_.kind + "' has no option '" + std::string(name) + "'");
    return *o;
  }

  void check(const Option& option) const {
    const std::string field = "field '" + std::string(option.name) + "' ";
    const ConfigValue* v = config_.find(option.name);
    if (v == nullptr) {
      if (option.required) throw Error(field + "must " + option_rule(option) + ", got nothing");
      return;
    }
    const std::int64_t* i = std::get_if<std::int64_t>(v);
    const double* d = std::get_if<double>(v);
    switch (option.type) {
      case OptionType::integer:
        if (i == nullptr || !option_allows(option, static_cast<double>(*i))) {
          throw Error(field + "must " + option_rule(option) + ", got " + show(*v));
        }
        return;
      case OptionType::number:
        if (i == nullptr && d == nullptr) throw Error(field + "must be a number, got " + show(*v));
        if (!option_allows(option, i ? static_cast<double>(*i) : *d)) {
          throw Error(field + "must " + option_rule(option) + ", got " + show(*v));
        }
        return;
      case OptionType::flag:
        if (!std::holds_alternative<bool>(*v)) throw Error(field + "must be true or false, got " + show(*v));
        return;
      case OptionType::initializer:
        check_initializer(field, *v);
        return;
    }
  }
  static void check_initializer(const std::string& field, const ConfigValue& v) {
    if (std::holds_alternative<Initializer>(v)) return;
    if (const std::string* s = std::get_if<std::string>(&v)) {
      if (initializer_named(*s)) return;
      throw Error(field.substr(0, field.size() - 1) + ": unknown initializer '" + *s + "'; use " +
                  name_list(names_of(initializer_registry())));
    }
    throw Error(field.substr(0, field.size() - 1) + ": an initializer is a name or an object with a \"type\", got " +
                show(v));
  }

  const LayerConfig& config_;
  const LayerKind& kind_;
};

// A layer kind's builders, float and double.
template <class T>
using Builder = std::unique_ptr<Layer<T>> (*)(const Fields& fields, std::string_view kind);
struct Builders {
  Builder<float> f;
  Builder<double> d;
};
template <template <class> class Build>
constexpr Builders builders() {
  return {&Build<float>::make, &Build<double>::make};
}

// The builders: a kind's checked fields into its options struct.
template <class T>
struct BuildDense {
  static std::unique_ptr<Layer<T>> make(const Fields& f, std::string_view) {
    return std::make_unique<Dense<T>>(DenseOptions{.units = f.size("units"),
                                                   .bias = f.flag("bias"),
                                                   .weight_init = f.initializer("init"),
                                                   .bias_init = f.initializer("bias_init")});
  }
};
template <class T>
struct BuildConv2d {
  static std::unique_ptr<Layer<T>> make(const Fields& f, std::string_view) {
    return std::make_unique<Conv2d<T>>(Conv2dOptions{.filters = f.size("filters"),
                                                     .kernel = f.size("kernel"),
                                                     .stride = f.size("stride"),
                                                     .padding = f.size("padding"),
                                                     .bias = f.flag("bias"),
                                                     .weight_init = f.initializer("init"),
                                                     .bias_init = f.initializer("bias_init")});
  }
};
template <class T>
struct BuildMaxPool {
  static std::unique_ptr<Layer<T>> make(const Fields& f, std::string_view) {
    return std::make_unique<MaxPool2d<T>>(Pool2dOptions{.kernel = f.size("kernel"), .stride = f.size("stride")});
  }
};
template <class T>
struct BuildAvgPool {
  static std::unique_ptr<Layer<T>> make(const Fields& f, std::string_view) {
    return std::make_unique<AvgPool2d<T>>(Pool2dOptions{.kernel = f.size("kernel"), .stride = f.size("stride")});
  }
};
template <class T>
struct BuildFlatten {
  static std::unique_ptr<Layer<T>> make(const Fields&, std::string_view) { return std::make_unique<Flatten<T>>(); }
};
template <class T>
struct BuildBatchNorm {
  static std::unique_ptr<Layer<T>> make(const Fields& f, std::string_view) {
    return std::make_unique<BatchNorm<T>>(
        BatchNormOptions{.momentum = f.number("momentum"), .eps = f.number("eps"), .affine = f.flag("affine")});
  }
};
template <class T>
struct BuildDropout {
  static std::unique_ptr<Layer<T>> make(const Fields& f, std::string_view) {
    return std::make_unique<Dropout<T>>(DropoutOptions{.p = f.number("p")});
  }
};
template <class T>
struct BuildSoftmax {
  static std::unique_ptr<Layer<T>> make(const Fields&, std::string_view) { return std::make_unique<Softmax<T>>(); }
};
// Any row of the activation table, by the kind's name.
template <class T>
struct BuildActivation {
  static std::unique_ptr<Layer<T>> make(const Fields& f, std::string_view kind) {
    const ActivationOption& option = activation_table[*find_activation(kind)].option;
    if (option.name.empty()) return std::make_unique<Activation<T>>(kind);
    return std::make_unique<Activation<T>>(kind, f.number(option.name));
  }
};

constexpr double kMaxSize = 1000000;  // a kernel, stride, padding or filter count above this is a typo
constexpr Option size_option(std::string_view name, double default_value, double low, std::string_view meaning,
                             bool required = false) {
  return {.name = name, .type = OptionType::integer, .default_value = default_value, .required = required,
          .low = low, .high = kMaxSize, .meaning = meaning};
}
constexpr Option bias_option = {.name = "bias", .type = OptionType::flag, .default_value = 1, .meaning = "add a bias"};
constexpr Option init_option = {.name = "init", .type = OptionType::initializer,
                                .meaning = "the weight's initializer (default PyTorch's: uniform +-1/sqrt(fan_in))"};
constexpr Option bias_init_option = {.name = "bias_init", .type = OptionType::initializer,
                                     .meaning = "the bias's initializer (default as PyTorch's; xavier_* and "
                                                "he_* take the weight's fans)"};
constexpr Option kernel_option(double default_value) {
  return size_option("kernel", default_value, 1, "the window's height and width");
}

struct LayerRow {
  LayerKind kind;
  Builders build;
};

// The table of the layers that are not elementwise activations (those are rows of
// activation_table, added after these by layer_rows()).
std::vector<LayerRow> structural_rows() {
  return {
      {{.name = "dense", .summary = "y = x W^T + b: a fully connected layer (PyTorch's Linear)",
        .options = {{.name = "units", .type = OptionType::integer, .required = true, .low = 1,
                     .meaning = "the number of outputs"},
                    bias_option, init_option, bias_init_option},
        .onnx = "Gemm (transB 1); MatMul, and MatMul + Add, on import", .pytorch = "Linear"},
       builders<BuildDense>()},
      {{.name = "conv2d", .summary = "a 2-D convolution of [N, C, H, W] images (PyTorch's Conv2d)",
        .options = {size_option("filters", 0, 1, "output channels", true), kernel_option(3),
                    size_option("stride", 1, 1, "the step between windows"),
                    size_option("padding", 0, 0, "zeros added on every side"), bias_option, init_option,
                    bias_init_option},
        .onnx = "Conv", .pytorch = "Conv2d"},
       builders<BuildConv2d>()},
      {{.name = "maxpool2d", .summary = "the maximum of each window",
        .options = {kernel_option(2), size_option("stride", 0, 0, "the step between windows (0: the kernel size)")},
        .onnx = "MaxPool", .pytorch = "MaxPool2d"},
       builders<BuildMaxPool>()},
      {{.name = "avgpool2d", .summary = "the mean of each window",
        .options = {kernel_option(2), size_option("stride", 0, 0, "the step between windows (0: the kernel size)")},
        .onnx = "AveragePool", .pytorch = "AvgPool2d"},
       builders<BuildAvgPool>()},
      {{.name = "flatten", .summary = "[N, C, H, W] to [N, C H W]", .options = {},
        .onnx = "Flatten (axis 1); Reshape to [N, -1] on import", .pytorch = "Flatten"},
       builders<BuildFlatten>()},
      {{.name = "batchnorm", .summary = "batch normalization over features or channels (BatchNorm1d/2d)",
        .options = {{.name = "momentum", .default_value = 0.1, .low = 0, .high = 1,
                     .meaning = "running = (1 - momentum) running + momentum batch, as PyTorch"},
                    {.name = "eps", .default_value = 1e-5, .low = 0, .low_open = true,
                     .meaning = "added to the variance"},
                    {.name = "affine", .type = OptionType::flag, .default_value = 1,
                     .meaning = "learn a scale and a shift"}},
        .onnx = "BatchNormalization", .pytorch = ""},
       builders<BuildBatchNorm>()},
      {{.name = "dropout", .summary = "zeroes each value with probability p in training, scales the rest by 1/(1-p)",
        .options = {{.name = "p", .default_value = 0.5, .low = 0, .high = 1, .high_open = true,
                     .meaning = "the probability of a zero"}},
        .onnx = "none (the identity in inference); Dropout on import", .pytorch = "Dropout"},
       builders<BuildDropout>()},
  };
}

const std::vector<LayerRow>& layer_rows() {
  static const std::vector<LayerRow> rows = [] {
    std::vector<LayerRow> all = structural_rows();
    for (const ActivationRow& a : activation_table) {
      LayerKind kind{.name = a.name, .summary = a.formula, .options = {}, .onnx = a.onnx, .pytorch = a.pytorch,
                     .activation = true};
      if (!a.option.name.empty()) {
        kind.options.push_back({.name = a.option.name, .default_value = a.option.default_value,
                                .meaning = a.option.meaning});
      }
      all.push_back({kind, builders<BuildActivation>()});
    }
    all.push_back({{.name = "softmax", .summary = "e^x_j / sum_k e^x_k over the features of each sample", .options = {},
                    .onnx = "Softmax (axis 1)", .pytorch = "", .activation = true},
                   builders<BuildSoftmax>()});
    return all;
  }();
  return rows;
}

const LayerRow* find_row(std::string_view name) {
  for (const LayerRow& row : layer_rows()) {
    if (row.kind.name == name) return &row;
  }
  return nullptr;
}

}  // namespace

const std::vector<LayerKind>& layer_registry() {
  static const std::vector<LayerKind> kinds = [] {
    std::vector<LayerKind> all;
    for (const LayerRow& row : layer_rows()) all.push_back(row.kind);
    return all;
  }();
  return kinds;
}

const LayerKind* find_layer_kind(std::string_view name) {
  const LayerRow* row = find_row(name);
  return row ? &row->kind : nullptr;
}

const std::vector<std::string_view>& layer_kinds() {
  static const std::vector<std::string_view> names = names_of(layer_registry());
  return names;
}

bool is_layer_kind(std::string_view kind) { return find_row(kind) != nullptr; }

template <class T>
std::unique_ptr<Layer<T>> make_layer(const LayerConfig& config) {
  const LayerRow* row = find_row(config.kind);
  if (row == nullptr) throw Error("unknown layer type '" + config.kind + "'; use " + name_list(layer_kinds()));
  const Fields fields(config, row->kind);
  if constexpr (std::is_same_v<T, float>) {
    return row->build.f(fields, row->kind.name);
  } else {
    return row->build.d(fields, row->kind.name);
  }
}

template <class T>
std::vector<LayerConfig> layer_configs(const Sequential<T>& model) {
  std::vector<LayerConfig> configs;
  configs.reserve(model.size());
  for (std::size_t i = 0; i < model.size(); ++i) configs.push_back(model.layer(i).config());
  return configs;
}

template <class T>
Sequential<T> build_model(const Shape& input, const std::vector<LayerConfig>& layers) {
  bool positive = input.rank() >= 1 && input.rank() <= 3;
  for (std::size_t d = 0; d < input.rank(); ++d) positive = positive && input[d] > 0;
  if (!positive) throw Error("input " + input.str() + ": a sample shape is 1 to 3 positive sizes, e.g. [784]");
  if (layers.empty()) throw Error("a network needs at least one layer");
  Sequential<T> model(input);
  for (std::size_t i = 0; i < layers.size(); ++i) {
    std::unique_ptr<Layer<T>> layer;
    try {
      layer = make_layer<T>(layers[i]);
    } catch (const Error& e) {
      const std::string kind = is_layer_kind(layers[i].kind) ? " (" + layers[i].kind + ")" : "";
      throw Error("layers[" + std::to_string(i) + "]" + kind + ": " + e.what());
    }
    model.add(std::move(layer));  // a shape it cannot take: "layer 2 (dense): ..."
  }
  return model;
}

template std::unique_ptr<Layer<float>> make_layer(const LayerConfig&);
template std::unique_ptr<Layer<double>> make_layer(const LayerConfig&);
template std::vector<LayerConfig> layer_configs(const Sequential<float>&);
template std::vector<LayerConfig> layer_configs(const Sequential<double>&);
template Sequential<float> build_model(const Shape&, const std::vector<LayerConfig>&);
template Sequential<double> build_model(const Shape&, const std::vector<LayerConfig>&);

}  // namespace bpnn
