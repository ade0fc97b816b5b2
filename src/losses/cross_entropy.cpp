// Cross-entropy on logits, value and gradient. Legend: N batch, C classes, z logits,
// t targets (a class index k is the one-hot row t[n,c] = [c == k]), s = 1/N for mean, 1 for sum.
//   lse_n = m_n + log sum_c e^{z[n,c] - m_n},  m_n = max_c z[n,c]     (no overflow)
//   E = s sum_n sum_c t[n,c] (lse_n - z[n,c])
//   dE/dz[n,c] = s (softmax(z_n)_c sum_k t[n,k] - t[n,c])     (= s (softmax - t) for one-hot t)
#include "bpnn/losses/cross_entropy.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "bpnn/core/error.hpp"

namespace bpnn {
namespace {

// Validates the shapes; returns true when target holds class indices ([N]).
template <class T>
bool check_target(TensorView<const T> z, TensorView<const T> t) {
  if (z.shape().rank() != 2) {
    throw Error("cross_entropy: takes logits [N, C], got " + z.shape().str());
  }
  const std::size_t N = z.batch(), C = z.shape()[1];
  if (t.shape() == z.shape()) return false;
  if (!(t.shape() == Shape{N})) {
    throw Error("cross_entropy: target must be class indices [" + std::to_string(N) + "] or probabilities " +
                z.shape().str() + ", got " + t.shape().str());
  }
  for (std::size_t n = 0; n < N; ++n) {
    if (!(t[n] >= T(0) && t[n] < static_cast<T>(C) && t[n] == std::floor(t[n]))) {
      throw Error("cross_entropy: target of sample " + std::to_string(n) + " is " + std::to_string(t[n]) +
                  ", not a class index in [0, " + std::to_string(C) + ")");
    }
  }
  return true;
}

template <class T>
T log_sum_exp(const T* z, std::size_t C) {
  const T m = *std::max_element(z, z + C);
  T sum = 0;
  for (std::size_t c = 0; c < C; ++c) sum += std::exp(z[c] - m);
  return m + std::log(sum);
}

}  // namespace

template <class T>
T CrossEntropy<T>::forward(TensorView<const T> z, TensorView<const T> t) const {
  const bool indices = check_target(z, t);
  const std::size_t N = z.batch(), C = z.shape()[1];
  T sum = 0;
  for (std::size_t n = 0; n < N; ++n) {
    const T* zn = z.data() + n * C;
    const T lse = log_sum_exp(zn, C);
    if (indices) {
      sum += lse - zn[static_cast<std::size_t>(t[n])];
    } else {
      for (std::size_t c = 0; c < C; ++c) sum += t[n * C + c] * (lse - zn[c]);
    }
  }
  return sum * reduction_scale<T>(options_.reduction, N);
}

template <class T>
void CrossEntropy<T>::backward(TensorView<const T> z, TensorView<const T> t, TensorView<T> dz) const {
  const bool indices = check_target(z, t);
  const std::size_t N = z.batch(), C = z.shape()[1];
  const T s = reduction_scale<T>(options_.reduction, N);
  for (std::size_t n = 0; n < N; ++n) {
    const T* zn = z.data() + n * C;
    T* dzn = dz.data() + n * C;
    const T lse = log_sum_exp(zn, C);
    T target_sum = 1;
    if (!indices) {
      target_sum = 0;
      for (std::size_t c = 0; c < C; ++c) target_sum += t[n * C + c];
    }
    for (std::size_t c = 0; c < C; ++c) dzn[c] = s * std::exp(zn[c] - lse) * target_sum;
    if (indices) {
      dzn[static_cast<std::size_t>(t[n])] -= s;
    } else {
      for (std::size_t c = 0; c < C; ++c) dzn[c] -= s * t[n * C + c];
    }
  }
}

template class CrossEntropy<float>;
template class CrossEntropy<double>;

}  // namespace bpnn
