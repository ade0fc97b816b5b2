// The losses that are a reduction of one term per element: mse, mae and bce, each a term (its
// value and gradient side by side) applied by ElementwiseLoss (loss.hpp). For each, s = 1/count
// for mean and 1 for sum; prediction and target [N, ...] have the same shape.
#pragma once

#include <algorithm>
#include <cmath>
#include <string_view>

#include "bpnn/core/math.hpp"
#include "bpnn/losses/loss.hpp"

namespace bpnn {

// Mean squared error, as PyTorch's MSELoss: E = mean (p - t)^2.
// For two outputs this equals the tutorials' E = 1/2 sum (t - o)^2.
//   e = (p - t)^2          dE/dp = 2 s (p - t)
struct MseTerm {
  static constexpr std::string_view name = "mse";
  template <class T>
  static T value(T p, T t) {
    return (p - t) * (p - t);
  }
  template <class T>
  static T gradient(T p, T t, T s) {
    return 2 * s * (p - t);
  }
};
template <class T>
using Mse = ElementwiseLoss<T, MseTerm>;

// Mean absolute error, as PyTorch's L1Loss: E = mean |p - t|.
//   e = |p - t|            dE/dp = s sgn(p - t)   (0 where p = t, as PyTorch)
struct MaeTerm {
  static constexpr std::string_view name = "mae";
  template <class T>
  static T value(T p, T t) {
    return std::abs(p - t);
  }
  template <class T>
  static T gradient(T p, T t, T s) {
    const T d = p - t;
    return d > 0 ? s : d < 0 ? -s : T(0);
  }
};
template <class T>
using Mae = ElementwiseLoss<T, MaeTerm>;

// Binary cross-entropy on probabilities, as PyTorch's BCELoss:
// E = mean -(t log p + (1 - t) log(1 - p)), each log clamped at -100 so p = 0 or 1 gives a finite loss.
// Predictions must lie in [0, 1] (put a sigmoid before it).
//   e = -[t max(log p, -100) + (1 - t) max(log(1 - p), -100)]
//   dE/dp = s (p - t) / max(p (1 - p), 1e-12)     (PyTorch's guard against p = 0 or 1)
struct BceTerm {
  static constexpr std::string_view name = "bce";
  template <class T>
  static T value(T p, T t) {
    const T log_p = std::max(math::log(p), T(-100));
    const T log_1mp = std::max(math::log(T(1) - p), T(-100));
    return -(t * log_p + (T(1) - t) * log_1mp);
  }
  template <class T>
  static T gradient(T p, T t, T s) {
    return s * (p - t) / std::max(p * (T(1) - p), T(1e-12));
  }
  // Throws Error naming the element if a prediction is outside [0, 1].
  template <class T>
  static void check(TensorView<const T> p);
};
template <class T>
using Bce = ElementwiseLoss<T, BceTerm>;

extern template class ElementwiseLoss<float, MseTerm>;
extern template class ElementwiseLoss<double, MseTerm>;
extern template class ElementwiseLoss<float, MaeTerm>;
extern template class ElementwiseLoss<double, MaeTerm>;
extern template class ElementwiseLoss<float, BceTerm>;
extern template class ElementwiseLoss<double, BceTerm>;

}  // namespace bpnn
