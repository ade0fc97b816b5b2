// The initializers, and the registry's table of their names (model/registry.hpp).
#include "bpnn/init/initializer.hpp"

#include <cmath>

#include "bpnn/core/error.hpp"
#include "bpnn/model/registry.hpp"

namespace bpnn {
namespace {

struct Fans {
  double in;
  double out;
};

Fans fans_of(const Shape& shape, const Initializer& init) {
  if (shape.rank() < 2) {
    throw Error("init: " + init.describe() + " needs a tensor of rank >= 2 to compute fan_in and fan_out, got " +
                shape.str());
  }
  double receptive = 1.0;
  for (std::size_t i = 2; i < shape.rank(); ++i) receptive *= static_cast<double>(shape[i]);
  return {static_cast<double>(shape[1]) * receptive, static_cast<double>(shape[0]) * receptive};
}

template <class T>
void fill_uniform(TensorView<T> values, double low, double high, Rng& rng) {
  for (T& v : values.span()) v = static_cast<T>(rng.uniform(low, high));
}

template <class T>
void fill_normal(TensorView<T> values, double mean, double std, Rng& rng) {
  for (T& v : values.span()) v = static_cast<T>(rng.normal(mean, std));
}

}  // namespace

const std::vector<InitializerKind>& initializer_registry() {
  using Kind = Initializer::Kind;
  auto number = [](std::string_view name, double default_value, std::string_view meaning) {
    return Option{.name = name, .default_value = default_value, .meaning = meaning};
  };
  static const std::vector<InitializerKind> kinds = {
      {"zeros", Kind::zeros, "0", {}},
      {"constant", Kind::constant, "one value", {number("value", 0, "the value")}},
      {"uniform", Kind::uniform, "U(low, high)",
       {number("low", -0.05, "the lowest value"), number("high", 0.05, "the bound above (excluded)")}},
      {"normal", Kind::normal, "N(mean, std)",
       {number("mean", 0, "the mean"), number("std", 1, "the standard deviation")}},
      {"xavier_uniform", Kind::xavier_uniform, "U(+-gain sqrt(6 / (fan_in + fan_out))) (Glorot)",
       {number("gain", 1, "the factor")}},
      {"xavier_normal", Kind::xavier_normal, "N(0, gain sqrt(2 / (fan_in + fan_out))) (Glorot)",
       {number("gain", 1, "the factor")}},
      {"he_uniform", Kind::he_uniform, "U(+-sqrt(6 / fan_in)) (Kaiming)", {}},
      {"he_normal", Kind::he_normal, "N(0, sqrt(2 / fan_in)) (Kaiming)", {}},
  };
  return kinds;
}

const InitializerKind& initializer_kind(Initializer::Kind kind) {
  for (const InitializerKind& k : initializer_registry()) {
    if (k.kind == kind) return k;
  }
  throw Error("initializer kind " + std::to_string(static_cast<int>(kind)) + " has no row in initializer_registry()");
}

std::optional<Initializer> initializer_named(std::string_view name) {
  for (const InitializerKind& k : initializer_registry()) {
    if (k.name != name) continue;
    Initializer init{k.kind};
    if (!k.options.empty()) init.a = k.options[0].default_value;
    if (k.options.size() > 1) init.b = k.options[1].default_value;
    return init;
  }
  return std::nullopt;
}

std::string_view initializer_name(Initializer::Kind kind) { return initializer_kind(kind).name; }

Initializer initializer_with(std::string_view name, const std::vector<std::pair<std::string, double>>& options) {
  std::optional<Initializer> init = initializer_named(name);
  if (!init) {
    throw Error("unknown initializer '" + std::string(name) + "'; use " + name_list(names_of(initializer_registry())));
  }
  const std::vector<Option>& known = initializer_kind(init->kind).options;
  for (const auto& [key, value] : options) {
    std::size_t k = 0;
    while (k < known.size() && known[k].name != key) ++k;
    if (k == known.size()) {
      throw Error(std::string(name) + ": unknown field '" + key + "'; " +
                  (known.empty() ? "it takes none" : "it takes " + name_list(names_of(known))));
    }
    (k == 0 ? init->a : init->b) = value;
  }
  return *init;
}

std::string Initializer::describe() const {
  const InitializerKind& k = initializer_kind(kind);
  std::string text(k.name);
  for (std::size_t i = 0; i < k.options.size(); ++i) {
    text += (i == 0 ? "(" : ", ") + std::string(k.options[i].name) + " " + std::to_string(i == 0 ? a : b);
  }
  return k.options.empty() ? text : text + ")";
}

namespace {

bool fan_based(const Initializer& init) {
  using Kind = Initializer::Kind;
  return init.kind == Kind::xavier_uniform || init.kind == Kind::xavier_normal || init.kind == Kind::he_uniform ||
         init.kind == Kind::he_normal;
}

// A fan-based initializer as the uniform or normal it is for fans f; any other as it is.
Initializer for_fans(const Initializer& init, const Fans& f) {
  using Kind = Initializer::Kind;
  switch (init.kind) {
    case Kind::xavier_uniform: {
      const double bound = init.a * std::sqrt(6.0 / (f.in + f.out));
      return Initializer::uniform(-bound, bound);
    }
    case Kind::xavier_normal:
      return Initializer::normal(0.0, init.a * std::sqrt(2.0 / (f.in + f.out)));
    case Kind::he_uniform: {
      const double bound = std::sqrt(6.0 / f.in);
      return Initializer::uniform(-bound, bound);
    }
    case Kind::he_normal:
      return Initializer::normal(0.0, std::sqrt(2.0 / f.in));
    default:
      return init;
  }
}

}  // namespace

Initializer bias_initializer(const Initializer& init, const Shape& weight_shape) {
  return fan_based(init) ? for_fans(init, fans_of(weight_shape, init)) : init;
}

template <class T>
void initialize(TensorView<T> values, const Initializer& init, Rng& rng) {
  using Kind = Initializer::Kind;
  // A fan-based initializer draws as the uniform or normal it is for this tensor's fans.
  const Initializer drawn = fan_based(init) ? for_fans(init, fans_of(values.shape(), init)) : init;
  switch (drawn.kind) {
    case Kind::zeros:
      for (T& v : values.span()) v = T(0);
      return;
    case Kind::constant:
      for (T& v : values.span()) v = static_cast<T>(drawn.a);
      return;
    case Kind::uniform:
      fill_uniform(values, drawn.a, drawn.b, rng);
      return;
    case Kind::normal:
      fill_normal(values, drawn.a, drawn.b, rng);
      return;
    default:
      throw Error("init: " + init.describe() + " has no draw of its own");
  }
}

template void initialize(TensorView<float>, const Initializer&, Rng&);
template void initialize(TensorView<double>, const Initializer&, Rng&);

}  // namespace bpnn
