// MAE, value and gradient. s = 1/count for mean, 1 for sum.
//   E = s sum_i |p_i - t_i|            dE/dp_i = s sgn(p_i - t_i)   (0 where p_i = t_i, as PyTorch)
#include "bpnn/losses/mae.hpp"

#include <cmath>

namespace bpnn {

template <class T>
T Mae<T>::forward(const Backend<T>& /*backend*/, TensorView<const T> p, TensorView<const T> t) const {
  check_same_shape(name(), p, t);
  T sum = 0;
  for (std::size_t i = 0; i < p.size(); ++i) sum += std::abs(p[i] - t[i]);
  return sum * reduction_scale<T>(options_.reduction, p.size());
}

template <class T>
void Mae<T>::backward(const Backend<T>& /*backend*/, TensorView<const T> p, TensorView<const T> t,
                      TensorView<T> dp) const {
  check_same_shape(name(), p, t);
  const T scale = reduction_scale<T>(options_.reduction, p.size());
  for (std::size_t i = 0; i < p.size(); ++i) {
    const T d = p[i] - t[i];
    dp[i] = d > 0 ? scale : d < 0 ? -scale : T(0);
  }
}

template class Mae<float>;
template class Mae<double>;

}  // namespace bpnn
