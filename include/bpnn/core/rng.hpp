// The seeded random generator that initializers and data shuffling draw from. It is passed in
// explicitly (no global state). The engine is std::mt19937_64, whose output the C++ standard fixes;
// the transforms to uniform and normal numbers are our own, so a seed gives the same numbers with
// any standard library.
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace bpnn {

class Rng {
 public:
  explicit Rng(std::uint64_t seed);

  std::uint64_t seed() const { return seed_; }
  // The next raw 64-bit output of the engine.
  std::uint64_t next() { return engine_(); }
  // Uniform in [0, 1): the top 53 bits of one engine output, times 2^-53.
  double uniform();
  // Uniform in [low, high): low + (high - low) * uniform().
  double uniform(double low, double high);
  // Normal by the Box-Muller transform of two uniforms u1, u2 (u1 taken as 1 - uniform() so that
  // log never sees 0): mean + std * sqrt(-2 ln u1) * cos(2 pi u2), ln and cos bpnn::math's. Each call
  // uses two engine outputs.
  double normal(double mean, double std);
  // Uniform integer in [0, n) by rejection, so every value is equally likely. n must be > 0.
  std::uint64_t below(std::uint64_t n);

  // The engine's whole state as text (the standard's stream form), for checkpoints; set_state
  // restores it exactly and throws Error if the text is not such a state.
  std::string state() const;
  void set_state(const std::string& state);

 private:
  std::uint64_t seed_;
  std::mt19937_64 engine_;
};

}  // namespace bpnn
