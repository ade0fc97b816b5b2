#include "bpnn/core/rng.hpp"

#include <cmath>
#include <numbers>
#include <sstream>

#include "bpnn/core/error.hpp"
#include "bpnn/core/math.hpp"

namespace bpnn {

Rng::Rng(std::uint64_t seed) : seed_(seed), engine_(seed) {}

double Rng::uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

double Rng::uniform(double low, double high) { return low + (high - low) * uniform(); }

double Rng::normal(double mean, double std) {
  const double u1 = 1.0 - uniform();  // in (0, 1]
  const double u2 = uniform();
  return mean + std * std::sqrt(-2.0 * math::log(u1)) * math::cos(2.0 * std::numbers::pi * u2);
}

std::uint64_t Rng::below(std::uint64_t n) {
  if (n == 0) throw Error("rng: below(0) has no value to return");
  // Reject the top partial block of 2^64 so that every residue is equally likely.
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  std::uint64_t x = engine_();
  while (x >= limit) x = engine_();
  return x % n;
}

std::string Rng::state() const {
  std::ostringstream out;
  out << seed_ << ' ' << engine_;
  return out.str();
}

void Rng::set_state(const std::string& state) {
  std::istringstream in(state);
  std::uint64_t seed = 0;
  std::mt19937_64 engine;
  in >> seed >> engine;
  if (in.fail()) throw Error("not a random generator state");
  seed_ = seed;
  engine_ = engine;
}

}  // namespace bpnn
