// MSE, value and gradient. s = 1/count for mean, 1 for sum.
//   E = s sum_i (p_i - t_i)^2          dE/dp_i = 2 s (p_i - t_i)
#include "bpnn/losses/mse.hpp"

namespace bpnn {

template <class T>
T Mse<T>::forward(const Backend<T>& /*backend*/, TensorView<const T> p, TensorView<const T> t) const {
  check_same_shape(name(), p, t);
  T sum = 0;
  for (std::size_t i = 0; i < p.size(); ++i) sum += (p[i] - t[i]) * (p[i] - t[i]);
  return sum * reduction_scale<T>(options_.reduction, p.size());
}

template <class T>
void Mse<T>::backward(const Backend<T>& /*backend*/, TensorView<const T> p, TensorView<const T> t,
                      TensorView<T> dp) const {
  check_same_shape(name(), p, t);
  const T scale = 2 * reduction_scale<T>(options_.reduction, p.size());
  for (std::size_t i = 0; i < p.size(); ++i) dp[i] = scale * (p[i] - t[i]);
}

template class Mse<float>;
template class Mse<double>;

}  // namespace bpnn
