// BCE on probabilities, value and gradient. s = 1/count for mean, 1 for sum.
//   E = -s sum_i [t_i max(log p_i, -100) + (1 - t_i) max(log(1 - p_i), -100)]
//   dE/dp_i = s (p_i - t_i) / max(p_i (1 - p_i), 1e-12)     (PyTorch's guard against p = 0 or 1)
#include "bpnn/losses/bce.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "bpnn/core/error.hpp"

namespace bpnn {
namespace {

template <class T>
void check_probabilities(TensorView<const T> p) {
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (!(p[i] >= T(0) && p[i] <= T(1))) {
      throw Error("bce: prediction element " + std::to_string(i) + " is " + std::to_string(p[i]) +
                  ", outside [0, 1]; bce takes probabilities (put a sigmoid before it)");
    }
  }
}

}  // namespace

template <class T>
T Bce<T>::forward(const Backend<T>& /*backend*/, TensorView<const T> p, TensorView<const T> t) const {
  check_same_shape(name(), p, t);
  check_probabilities(p);
  T sum = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const T log_p = std::max(std::log(p[i]), T(-100));
    const T log_1mp = std::max(std::log(T(1) - p[i]), T(-100));
    sum -= t[i] * log_p + (T(1) - t[i]) * log_1mp;
  }
  return sum * reduction_scale<T>(options_.reduction, p.size());
}

template <class T>
void Bce<T>::backward(const Backend<T>& /*backend*/, TensorView<const T> p, TensorView<const T> t,
                      TensorView<T> dp) const {
  check_same_shape(name(), p, t);
  check_probabilities(p);
  const T scale = reduction_scale<T>(options_.reduction, p.size());
  for (std::size_t i = 0; i < p.size(); ++i) {
    dp[i] = scale * (p[i] - t[i]) / std::max(p[i] * (T(1) - p[i]), T(1e-12));
  }
}

template class Bce<float>;
template class Bce<double>;

}  // namespace bpnn
