#include "bpnn/init/initializer.hpp"

#include <cmath>

#include "bpnn/core/error.hpp"

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

std::string Initializer::describe() const {
  switch (kind) {
    case Kind::zeros: return "zeros";
    case Kind::constant: return "constant(" + std::to_string(a) + ")";
    case Kind::uniform: return "uniform(" + std::to_string(a) + ", " + std::to_string(b) + ")";
    case Kind::normal: return "normal(" + std::to_string(a) + ", " + std::to_string(b) + ")";
    case Kind::xavier_uniform: return "xavier_uniform(gain " + std::to_string(a) + ")";
    case Kind::xavier_normal: return "xavier_normal(gain " + std::to_string(a) + ")";
    case Kind::he_uniform: return "he_uniform";
    case Kind::he_normal: return "he_normal";
  }
  return "unknown";
}

template <class T>
void initialize(TensorView<T> values, const Initializer& init, Rng& rng) {
  using Kind = Initializer::Kind;
  switch (init.kind) {
    case Kind::zeros:
      for (T& v : values.span()) v = T(0);
      return;
    case Kind::constant:
      for (T& v : values.span()) v = static_cast<T>(init.a);
      return;
    case Kind::uniform:
      fill_uniform(values, init.a, init.b, rng);
      return;
    case Kind::normal:
      fill_normal(values, init.a, init.b, rng);
      return;
    case Kind::xavier_uniform: {
      const Fans f = fans_of(values.shape(), init);
      const double bound = init.a * std::sqrt(6.0 / (f.in + f.out));
      fill_uniform(values, -bound, bound, rng);
      return;
    }
    case Kind::xavier_normal: {
      const Fans f = fans_of(values.shape(), init);
      fill_normal(values, 0.0, init.a * std::sqrt(2.0 / (f.in + f.out)), rng);
      return;
    }
    case Kind::he_uniform: {
      const double bound = std::sqrt(6.0 / fans_of(values.shape(), init).in);
      fill_uniform(values, -bound, bound, rng);
      return;
    }
    case Kind::he_normal:
      fill_normal(values, 0.0, std::sqrt(2.0 / fans_of(values.shape(), init).in), rng);
      return;
  }
}

template void initialize(TensorView<float>, const Initializer&, Rng&);
template void initialize(TensorView<double>, const Initializer&, Rng&);

}  // namespace bpnn
