// How a parameter's first values are drawn: zeros, constant, uniform, normal, Xavier/Glorot and
// He/Kaiming, with PyTorch's formulas (torch.nn.init). Fans follow PyTorch: for a weight shaped
// [out, in, k...], fan_in = in * prod(k) and fan_out = out * prod(k).
#pragma once

#include <string>

#include "bpnn/core/rng.hpp"
#include "bpnn/core/tensor.hpp"

namespace bpnn {

struct Initializer {
  enum class Kind { zeros, constant, uniform, normal, xavier_uniform, xavier_normal, he_uniform, he_normal };

  Kind kind = Kind::zeros;
  // constant: a = value. uniform: [a, b). normal: mean a, standard deviation b.
  // xavier_*: gain a. he_*: unused (gain sqrt(2), as PyTorch's kaiming_* with a = 0, fan_in mode).
  double a = 0.0;
  double b = 0.0;

  static Initializer zeros() { return {Kind::zeros}; }
  static Initializer constant(double value) { return {Kind::constant, value}; }
  static Initializer uniform(double low, double high) { return {Kind::uniform, low, high}; }
  static Initializer normal(double mean, double std) { return {Kind::normal, mean, std}; }
  // U(-g sqrt(6 / (fan_in + fan_out)), +g sqrt(6 / (fan_in + fan_out))).
  static Initializer xavier_uniform(double gain = 1.0) { return {Kind::xavier_uniform, gain}; }
  // N(0, g sqrt(2 / (fan_in + fan_out))).
  static Initializer xavier_normal(double gain = 1.0) { return {Kind::xavier_normal, gain}; }
  // U(-sqrt(6 / fan_in), +sqrt(6 / fan_in)).
  static Initializer he_uniform() { return {Kind::he_uniform}; }
  // N(0, sqrt(2 / fan_in)).
  static Initializer he_normal() { return {Kind::he_normal}; }

  // "uniform(-0.5, 0.5)", "he_normal", ...
  std::string describe() const;

  friend bool operator==(const Initializer&, const Initializer&) = default;
};

// Fills values (a parameter of the given shape) from init, drawing from rng in row-major order.
// Throws Error for a fan-based initializer on a tensor of rank < 2, as PyTorch does.
template <class T>
void initialize(TensorView<T> values, const Initializer& init, Rng& rng);

// The initializer of a layer's bias, given the shape of the layer's weight: init itself, except
// that a fan-based one (xavier_*, he_*), which a bias has no fans for, takes the weight's and
// becomes the uniform or normal it is for them: xavier_uniform(gain) is uniform(-b, b) with the
// weight's bound b = gain sqrt(6 / (fan_in + fan_out)), as scikit-learn's MLP draws its intercepts.
// Throws Error for a fan-based init when weight_shape has rank < 2.
Initializer bias_initializer(const Initializer& init, const Shape& weight_shape);

}  // namespace bpnn
