// Cross-entropy on logits, value and gradient. Legend: N batch, C classes, z logits,
// t targets (a class index k is the one-hot row t[n,c] = [c == k]), s = 1/N for mean, 1 for sum.
//   lse_n = m_n + log sum_c e^{z[n,c] - m_n},  m_n = max_c z[n,c]     (no overflow)
//   E = s sum_n sum_c t[n,c] (lse_n - z[n,c])
//   dE/dz[n,c] = s (softmax(z_n)_c sum_k t[n,k] - t[n,c])     (= s (softmax - t) for one-hot t)
#include "bpnn/losses/cross_entropy.hpp"

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

}  // namespace

template <class T>
T CrossEntropy<T>::forward(const Backend<T>& backend, TensorView<const T> z, TensorView<const T> t) const {
  const bool indices = check_target(z, t);
  const std::size_t N = z.batch(), C = z.shape()[1];
  return backend.softmax_cross_entropy(N, C, z.data(), t.data(), indices, T(1), nullptr) *
         reduction_scale<T>(options_.reduction, N);
}

template <class T>
void CrossEntropy<T>::backward(const Backend<T>& backend, TensorView<const T> z, TensorView<const T> t,
                               TensorView<T> dz) const {
  const bool indices = check_target(z, t);
  const std::size_t N = z.batch(), C = z.shape()[1];
  backend.softmax_cross_entropy(N, C, z.data(), t.data(), indices, reduction_scale<T>(options_.reduction, N),
                                dz.data());
}

template <class T>
T CrossEntropy<T>::value_and_gradient(const Backend<T>& backend, TensorView<const T> z, TensorView<const T> t,
                                      TensorView<T> dz) const {
  const bool indices = check_target(z, t);
  const std::size_t N = z.batch(), C = z.shape()[1];
  const T s = reduction_scale<T>(options_.reduction, N);
  return backend.softmax_cross_entropy(N, C, z.data(), t.data(), indices, s, dz.data()) * s;
}

template class CrossEntropy<float>;
template class CrossEntropy<double>;

}  // namespace bpnn
