#include "support/gradcheck.hpp"

#include <cmath>

namespace bpnn::testing {

Tensor<double> random_tensor(const Shape& shape, std::uint64_t seed, double low, double high,
                             double min_magnitude) {
  Rng rng(seed);
  Tensor<double> t(shape);
  for (std::size_t i = 0; i < t.size(); ++i) {
    double v = rng.uniform(low, high);
    while (std::abs(v) < min_magnitude) v = rng.uniform(low, high);
    t[i] = v;
  }
  return t;
}

}  // namespace bpnn::testing
