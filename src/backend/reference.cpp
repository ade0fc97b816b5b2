// The reference backend: the loops of backend/loops.hpp on one thread, and a direct convolution
// (no im2col, no GEMM), so that the cpu backend's im2col + GEMM paths have an independent oracle.
// Its sums are portable arithmetic's definition: each in the one order its comment states.
#include "backend/reference.hpp"

#include <algorithm>

#include "backend/loops.hpp"

namespace bpnn {

template <class T>
void ReferenceBackend<T>::gemm(Transpose trans_a, Transpose trans_b, std::size_t M, std::size_t N, std::size_t K,
                               T alpha, const T* A, std::size_t lda, const T* B, std::size_t ldb, T beta, T* C,
                               std::size_t ldc) const {
  loops::gemm(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

template <class T>
void ReferenceBackend<T>::activation_forward(std::size_t f, T a, std::size_t n, const T* x, T* y) const {
  loops::activation_forward(f, a, n, x, y);
}

template <class T>
void ReferenceBackend<T>::activation_backward(std::size_t f, T a, std::size_t n, const T* x, const T* y,
                                              const T* dy, T* dx) const {
  loops::activation_backward(f, a, n, x, y, dy, dx);
}

template <class T>
void ReferenceBackend<T>::softmax_forward(std::size_t N, std::size_t C, const T* x, T* y) const {
  loops::softmax_rows(0, N, C, x, y);
}

template <class T>
void ReferenceBackend<T>::softmax_backward(std::size_t N, std::size_t C, const T* y, const T* dy, T* dx) const {
  for (std::size_t n = 0; n < N; ++n) {
    const std::size_t row = n * C;
    T dot = 0;
    for (std::size_t k = 0; k < C; ++k) dot += dy[row + k] * y[row + k];
    for (std::size_t j = 0; j < C; ++j) dx[row + j] = y[row + j] * (dy[row + j] - dot);
  }
}

template <class T>
T ReferenceBackend<T>::softmax_cross_entropy(std::size_t N, std::size_t C, const T* z, const T* t, bool indices,
                                             T scale, T* dz) const {
  return loops::softmax_cross_entropy(N, C, z, t, indices, scale, dz);
}

// x[n, c, i S + ki - P, j S + kj - P], or 0 in the padding.
template <class T>
static T input_at(const ConvGeometry& g, const T* xn, std::size_t c, std::size_t i, std::size_t j, std::size_t ki,
                  std::size_t kj) {
  const std::ptrdiff_t r = static_cast<std::ptrdiff_t>(i * g.S + ki) - static_cast<std::ptrdiff_t>(g.P);
  const std::ptrdiff_t s = static_cast<std::ptrdiff_t>(j * g.S + kj) - static_cast<std::ptrdiff_t>(g.P);
  if (r < 0 || s < 0 || r >= static_cast<std::ptrdiff_t>(g.H) || s >= static_cast<std::ptrdiff_t>(g.W)) return T(0);
  return xn[(c * g.H + static_cast<std::size_t>(r)) * g.W + static_cast<std::size_t>(s)];
}

// Direct convolution: y[n, f, i, j] = sum_{c, ki, kj} W[f, c, ki, kj] x[n, c, i S + ki - P, j S + kj - P] + b[f],
// the sum in (c, ki, kj) order from 0 (padding's zeros included), the bias (or 0) added last.
template <class T>
void ReferenceBackend<T>::conv2d_forward(const ConvGeometry& g, std::size_t N, const T* x, const T* weight,
                                         const T* bias, T* y, Tensor<T>& /*scratch*/) const {
  for (std::size_t n = 0; n < N; ++n) {
    const T* xn = x + n * g.C * g.H * g.W;
    for (std::size_t f = 0; f < g.F; ++f) {
      for (std::size_t i = 0; i < g.Ho; ++i) {
        for (std::size_t j = 0; j < g.Wo; ++j) {
          T sum = 0;
          for (std::size_t c = 0; c < g.C; ++c) {
            for (std::size_t ki = 0; ki < g.K; ++ki) {
              for (std::size_t kj = 0; kj < g.K; ++kj) {
                sum += weight[((f * g.C + c) * g.K + ki) * g.K + kj] * input_at(g, xn, c, i, j, ki, kj);
              }
            }
          }
          y[((n * g.F + f) * g.Ho + i) * g.Wo + j] = sum + (bias != nullptr ? bias[f] : T(0));
        }
      }
    }
  }
}

// The same sums backwards. dx[n, c, r, s] = sum over every (f, ki, kj) in that order from 0 of
// W[f, c, ki, kj] dy[n, f, i, j], for the (i, j) with i S + ki - P = r and j S + kj - P = s, or 0
// where there is none: a correlation of dy, margined and dilated by zeros, with W's taps reversed.
// (The zeros' products change no finite sum, and give a weight's infinity the same NaN.) dW[f, c, ki, kj] +=
// scale sum_{n, i, j} dy[n, f, i, j] x[...] and db[f] += scale sum_{n, i, j} dy[n, f, i, j], each sum
// in batch norm's 16 lanes (loops.hpp) over m = (n Ho + i) Wo + j: the order of a kernel
// vectorized along the pixels.
template <class T>
void ReferenceBackend<T>::conv2d_backward(const ConvGeometry& g, std::size_t N, const T* x, const T* weight,
                                          const T* dy, T* dx, T* dweight, T* dbias, T scale,
                                          Tensor<T>& /*scratch*/) const {
  // The output index under input index r for kernel tap k, if any: (r + P - k) / S.
  auto output_at = [&](std::size_t r, std::size_t k, std::size_t size, std::size_t& i) {
    const std::ptrdiff_t shifted = static_cast<std::ptrdiff_t>(r + g.P) - static_cast<std::ptrdiff_t>(k);
    if (shifted < 0 || shifted % static_cast<std::ptrdiff_t>(g.S) != 0) return false;
    i = static_cast<std::size_t>(shifted) / g.S;
    return i < size;
  };
  if (dx != nullptr) {
    for (std::size_t n = 0; n < N; ++n) {
      const T* dyn = dy + n * g.F * g.Ho * g.Wo;
      for (std::size_t c = 0; c < g.C; ++c) {
        for (std::size_t r = 0; r < g.H; ++r) {
          for (std::size_t s = 0; s < g.W; ++s) {
            T sum = 0;
            for (std::size_t f = 0; f < g.F; ++f) {
              for (std::size_t ki = 0; ki < g.K; ++ki) {
                std::size_t i = 0;
                const bool row = output_at(r, ki, g.Ho, i);
                for (std::size_t kj = 0; kj < g.K; ++kj) {
                  std::size_t j = 0;
                  const T d = row && output_at(s, kj, g.Wo, j) ? dyn[(f * g.Ho + i) * g.Wo + j] : T(0);
                  sum += weight[((f * g.C + c) * g.K + ki) * g.K + kj] * d;
                }
              }
            }
            dx[((n * g.C + c) * g.H + r) * g.W + s] = sum;
          }
        }
      }
    }
  }
  const std::size_t HoWo = g.Ho * g.Wo;
  for (std::size_t f = 0; f < g.F; ++f) {
    for (std::size_t c = 0; c < g.C; ++c) {
      for (std::size_t ki = 0; ki < g.K; ++ki) {
        for (std::size_t kj = 0; kj < g.K; ++kj) {
          T lanes[loops::kSumLanes] = {};
          for (std::size_t n = 0; n < N; ++n) {
            const T* xn = x + n * g.C * g.H * g.W;
            for (std::size_t i = 0; i < g.Ho; ++i) {
              const T* dyi = dy + ((n * g.F + f) * g.Ho + i) * g.Wo;
              loops::add_to_lanes(lanes, n * HoWo + i * g.Wo, g.Wo,
                                  [&](std::size_t j) { return dyi[j] * input_at(g, xn, c, i, j, ki, kj); });
            }
          }
          dweight[((f * g.C + c) * g.K + ki) * g.K + kj] += scale * loops::lanes_total(lanes);
        }
      }
    }
    if (dbias == nullptr) continue;
    T lanes[loops::kSumLanes] = {};
    for (std::size_t n = 0; n < N; ++n) {
      const T* dyf = dy + (n * g.F + f) * HoWo;
      loops::add_to_lanes(lanes, n * HoWo, HoWo, [&](std::size_t p) { return dyf[p]; });
    }
    dbias[f] += scale * loops::lanes_total(lanes);
  }
}

template <class T>
void ReferenceBackend<T>::max_pool_forward(const PoolGeometry& g, std::size_t planes, const T* x, T* y) const {
  loops::max_pool_planes(g, 0, planes, x, y);
}

template <class T>
void ReferenceBackend<T>::max_pool_backward(const PoolGeometry& g, std::size_t planes, const T* x, const T* dy,
                                            T* dx) const {
  loops::max_pool_backward_planes(g, 0, planes, x, dy, dx);
}

template <class T>
void ReferenceBackend<T>::avg_pool_forward(const PoolGeometry& g, std::size_t planes, const T* x, T* y) const {
  loops::avg_pool_planes(g, 0, planes, x, y);
}

template <class T>
void ReferenceBackend<T>::avg_pool_backward(const PoolGeometry& g, std::size_t planes, const T* dy, T* dx) const {
  loops::avg_pool_backward_planes(g, 0, planes, dy, dx);
}

template <class T>
void ReferenceBackend<T>::batch_norm_moments(std::size_t N, std::size_t C, std::size_t HW, const T* x, double* mean,
                                             double* squares) const {
  for (std::size_t c = 0; c < C; ++c) loops::batch_norm_moments_channel(c, N, C, HW, x, mean, squares);
}

template <class T>
void ReferenceBackend<T>::batch_norm_normalize(std::size_t N, std::size_t C, std::size_t HW, const T* x, const T* mean,
                                               const T* inv_std, const T* gamma, const T* beta, T* y) const {
  for (std::size_t c = 0; c < C; ++c)
    loops::batch_norm_normalize_channel(c, N, C, HW, x, mean, inv_std, gamma, beta, y);
}

template <class T>
void ReferenceBackend<T>::batch_norm_backward(std::size_t N, std::size_t C, std::size_t HW, const T* x, const T* dy,
                                              const T* mean, const T* inv_std, const T* gamma, bool training, T* dx,
                                              T* sum_dy, T* sum_dy_xhat) const {
  for (std::size_t c = 0; c < C; ++c) {
    loops::batch_norm_backward_channel(c, N, C, HW, x, dy, mean, inv_std, gamma, training, dx, sum_dy, sum_dy_xhat);
  }
}

template <class T>
void ReferenceBackend<T>::batch_norm_input_grad(std::size_t N, std::size_t C, std::size_t HW, const T* x, const T* dy,
                                                const T* mean, const T* inv_std, const T* gamma, const T* sum_dy,
                                                const T* sum_dy_xhat, std::size_t count, T* dx) const {
  const T M = static_cast<T>(count);
  for (std::size_t c = 0; c < C; ++c) {
    loops::batch_norm_input_grad_channel(c, N, C, HW, x, dy, mean, inv_std, gamma, sum_dy[c] / M, sum_dy_xhat[c] / M,
                                         dx);
  }
}

template <class T>
void ReferenceBackend<T>::parallel_for(std::size_t n, std::size_t /*item_work*/, RangeBody body) const {
  if (n > 0) body(0, n);
}

template class ReferenceBackend<float>;
template class ReferenceBackend<double>;

}  // namespace bpnn
