// The plain loops behind the backends (internal): the reference backend is made of them, and the
// cpu backend shares out the same loops over planes, channels or samples between its threads.
// Each is the formula of the op in backend.hpp, written so the compiler can vectorize it; im2col
// and col2im are the cpu backend's own steps of a strided convolution (no op: the reference
// backend convolves directly, so it checks them).
#pragma once

#include <algorithm>
#include <cstddef>
#include <type_traits>
#include <utility>

#include "bpnn/backend/backend.hpp"
#include "bpnn/core/math.hpp"
#include "bpnn/layers/activation.hpp"

namespace bpnn::loops {

// The naive triple loop: C = alpha op(A) op(B) + beta C.
template <class T>
void gemm(Transpose trans_a, Transpose trans_b, std::size_t M, std::size_t N, std::size_t K, T alpha, const T* A,
          std::size_t lda, const T* B, std::size_t ldb, T beta, T* C, std::size_t ldc) {
  for (std::size_t i = 0; i < M; ++i) {
    for (std::size_t j = 0; j < N; ++j) {
      T sum = 0;
      for (std::size_t k = 0; k < K; ++k) {
        const T a = trans_a == Transpose::yes ? A[k * lda + i] : A[i * lda + k];
        const T b = trans_b == Transpose::yes ? B[j * ldb + k] : B[k * ldb + j];
        sum += a * b;
      }
      // beta == 0 ignores C's old contents (it may be uninitialized), as BLAS does.
      C[i * ldc + j] = alpha * sum + (beta == T(0) ? T(0) : beta * C[i * ldc + j]);
    }
  }
}

// y = f(x) for row f of activation_table: each row's loop calls its function through a constant
// pointer, which the compiler inlines and vectorizes as if the formula were written here.
template <std::size_t F, class T>
void activation_forward_row(T a, std::size_t n, const T* x, T* y) {
  constexpr ActivationForward<T> f = activation_table[F].forward.template get<T>();
  for (std::size_t i = 0; i < n; ++i) y[i] = f(x[i], a);
}
template <std::size_t F, class T>
void activation_backward_row(T a, std::size_t n, const T* x, const T* y, const T* dy, T* dx) {
  constexpr ActivationBackward<T> df = activation_table[F].backward.template get<T>();
  for (std::size_t i = 0; i < n; ++i) dx[i] = df(x[i], y[i], dy[i], a);
}

// Calls body(std::integral_constant<std::size_t, f>) for the row f: one loop per row, chosen once per call.
template <class Body>
void for_activation_row(std::size_t f, Body body) {
  [&]<std::size_t... F>(std::index_sequence<F...>) {
    (void)((f == F ? (body(std::integral_constant<std::size_t, F>{}), true) : false) || ...);
  }(std::make_index_sequence<activation_count>{});
}

template <class T>
void activation_forward(std::size_t f, T a, std::size_t n, const T* x, T* y) {
  for_activation_row(f, [&](auto F) { activation_forward_row<decltype(F)::value>(a, n, x, y); });
}

template <class T>
void activation_backward(std::size_t f, T a, std::size_t n, const T* x, const T* y, const T* dy, T* dx) {
  for_activation_row(f, [&](auto F) { activation_backward_row<decltype(F)::value>(a, n, x, y, dy, dx); });
}

// Samples [first, end) of a softmax over rows of C.
template <class T>
void softmax_rows(std::size_t first, std::size_t end, std::size_t C, const T* x, T* y) {
  for (std::size_t n = first; n < end; ++n) {
    const T* xn = x + n * C;
    T* yn = y + n * C;
    const T m = *std::max_element(xn, xn + C);
    T sum = 0;
    for (std::size_t j = 0; j < C; ++j) sum += yn[j] = math::exp(xn[j] - m);
    for (std::size_t j = 0; j < C; ++j) yn[j] /= sum;
  }
}

template <class T>
T softmax_cross_entropy(std::size_t N, std::size_t C, const T* z, const T* t, bool indices, T scale, T* dz) {
  T sum = 0;
  for (std::size_t n = 0; n < N; ++n) {
    const T* zn = z + n * C;
    T* dzn = dz == nullptr ? nullptr : dz + n * C;
    // lse = m + log sum_c e^{z_c - m}; with a gradient to fill, its e^{z_c - m} are kept in dz.
    const T m = *std::max_element(zn, zn + C);
    T exp_sum = 0;
    if (dzn != nullptr) {
      for (std::size_t c = 0; c < C; ++c) exp_sum += dzn[c] = math::exp(zn[c] - m);
    } else {
      for (std::size_t c = 0; c < C; ++c) exp_sum += math::exp(zn[c] - m);
    }
    const T lse = m + math::log(exp_sum);
    if (indices) {
      sum += lse - zn[static_cast<std::size_t>(t[n])];
    } else {
      for (std::size_t c = 0; c < C; ++c) sum += t[n * C + c] * (lse - zn[c]);
    }
    if (dzn == nullptr) continue;
    T target_sum = 1;
    if (!indices) {
      target_sum = 0;
      for (std::size_t c = 0; c < C; ++c) target_sum += t[n * C + c];
    }
    // s softmax_c sum_k t_k = e^{z_c - m} (s sum_k t_k / exp_sum)
    const T factor = scale * target_sum / exp_sum;
    for (std::size_t c = 0; c < C; ++c) dzn[c] *= factor;
    if (indices) {
      dzn[static_cast<std::size_t>(t[n])] -= scale;
    } else {
      for (std::size_t c = 0; c < C; ++c) dzn[c] -= scale * t[n * C + c];
    }
  }
  return sum;
}

// The output columns [first, end) whose kernel tap kj reads inside an input row, not the padding:
// j S + kj - P lies in [0, W) for ceil((P - kj) / S) <= j < ceil((W + P - kj) / S), within [0, Wo).
inline std::pair<std::size_t, std::size_t> inside_columns(const ConvGeometry& g, std::size_t kj) {
  const auto S = static_cast<std::ptrdiff_t>(g.S), P = static_cast<std::ptrdiff_t>(g.P);
  const auto k = static_cast<std::ptrdiff_t>(kj), Wo = static_cast<std::ptrdiff_t>(g.Wo);
  auto ceil_div = [&](std::ptrdiff_t n) { return n <= 0 ? std::ptrdiff_t{0} : (n + S - 1) / S; };
  const std::ptrdiff_t first = std::min(ceil_div(P - k), Wo);
  const std::ptrdiff_t end = std::max(first, std::min(ceil_div(static_cast<std::ptrdiff_t>(g.W) + P - k), Wo));
  return {static_cast<std::size_t>(first), static_cast<std::size_t>(end)};
}

// The input row of kernel row ki under output row i (r), and x[tap + j S], the input under output
// pixel (i, j) for kernel column kj, inside the row for j in inside_columns(kj). r outside [0, H):
// the row is padding.
inline std::ptrdiff_t input_row(const ConvGeometry& g, std::size_t i, std::size_t ki) {
  return static_cast<std::ptrdiff_t>(i * g.S + ki) - static_cast<std::ptrdiff_t>(g.P);
}
inline std::ptrdiff_t tap_offset(const ConvGeometry& g, std::size_t c, std::ptrdiff_t r, std::size_t kj) {
  return static_cast<std::ptrdiff_t>((c * g.H + static_cast<std::size_t>(r)) * g.W + kj) -
         static_cast<std::ptrdiff_t>(g.P);
}

// The loops of im2col and col2im are written out twice, not shared through a callback: as one
// skeleton with lambdas, GCC made LeNet's first convolution 13% slower.
// col [C K K, Ho Wo]: the input under each output pixel for each tap (c, ki, kj), 0 in the padding;
// a tap's row starts tap_stride after the one before (Ho Wo: one sample's columns; more: a row of
// several samples' columns side by side).
template <class T>
void im2col(const ConvGeometry& g, const T* x, T* col, std::size_t tap_stride = 0) {
  const std::size_t K = g.K, S = g.S, Ho = g.Ho, Wo = g.Wo, H = g.H;
  const std::size_t skip = tap_stride == 0 ? 0 : tap_stride - Ho * Wo;
  for (std::size_t c = 0; c < g.C; ++c) {
    for (std::size_t ki = 0; ki < K; ++ki) {
      for (std::size_t kj = 0; kj < K; ++kj, col += skip) {
        const auto [first, end] = inside_columns(g, kj);
        for (std::size_t i = 0; i < Ho; ++i, col += Wo) {
          const std::ptrdiff_t r = input_row(g, i, ki);
          if (r < 0 || r >= static_cast<std::ptrdiff_t>(H)) {
            std::fill(col, col + Wo, T(0));
            continue;
          }
          std::fill(col, col + first, T(0));
          if (first < end) {
            const T* in =
                x + (tap_offset(g, c, r, kj) + static_cast<std::ptrdiff_t>(first * S));  // under pixel (i, first)
            if (S == 1) {
              std::copy(in, in + (end - first), col + first);  // the common case, one contiguous run
            } else {
              for (std::size_t j = first; j < end; ++j) col[j] = in[(j - first) * S];
            }
          }
          std::fill(col + end, col + Wo, T(0));
        }
      }
    }
  }
}

template <class T>
void col2im(const ConvGeometry& g, const T* col, T* dx) {
  const std::size_t K = g.K, S = g.S, Ho = g.Ho, Wo = g.Wo, H = g.H;
  for (std::size_t c = 0; c < g.C; ++c) {
    for (std::size_t ki = 0; ki < K; ++ki) {
      for (std::size_t kj = 0; kj < K; ++kj) {
        const auto [first, end] = inside_columns(g, kj);
        for (std::size_t i = 0; i < Ho; ++i, col += Wo) {
          const std::ptrdiff_t r = input_row(g, i, ki);
          if (r < 0 || r >= static_cast<std::ptrdiff_t>(H) || first == end) continue;
          T* in_grad = dx + (tap_offset(g, c, r, kj) + static_cast<std::ptrdiff_t>(first * S));  // inside the row
          if (S == 1) {
            for (std::size_t j = first; j < end; ++j) in_grad[j - first] += col[j];  // contiguous: vectorizes
          } else {
            for (std::size_t j = first; j < end; ++j) in_grad[(j - first) * S] += col[j];
          }
        }
      }
    }
  }
}

// Pooling over planes [first, end), window (i, j) = rows i S .. i S + K - 1, columns j S .. j S + K - 1.
template <class T>
void max_pool_planes(const PoolGeometry& g, std::size_t first, std::size_t end, const T* x, T* y) {
  const std::size_t H = g.H, W = g.W, K = g.K, S = g.S, Ho = g.Ho, Wo = g.Wo;
  for (std::size_t plane = first; plane < end; ++plane) {
    const T* in = x + plane * H * W;
    T* out = y + plane * Ho * Wo;
    for (std::size_t i = 0; i < Ho; ++i) {
      const T* row = in + i * S * W;
      if (K == 2) {  // LeNet's window: four values, no loop to carry the maximum through
        for (std::size_t j = 0; j < Wo; ++j) {
          const T* w = row + j * S;
          out[i * Wo + j] = std::max(std::max(w[0], w[1]), std::max(w[W], w[W + 1]));
        }
        continue;
      }
      for (std::size_t j = 0; j < Wo; ++j) {
        const T* w = row + j * S;
        T best = w[0];
        for (std::size_t a = 0; a < K; ++a) {
          for (std::size_t b = 0; b < K; ++b) best = std::max(best, w[a * W + b]);
        }
        out[i * Wo + j] = best;
      }
    }
  }
}

// Overwrites dx of the planes: 0, plus each window's dy at its first maximum.
template <class T>
void max_pool_backward_planes(const PoolGeometry& g, std::size_t first, std::size_t end, const T* x, const T* dy,
                              T* dx) {
  const std::size_t H = g.H, W = g.W, K = g.K, S = g.S;
  for (std::size_t plane = first; plane < end; ++plane) {
    const T* in = x + plane * H * W;
    T* in_grad = dx + plane * H * W;
    const T* out_grad = dy + plane * g.Ho * g.Wo;
    if (K == 2 && S == 2 && H == 2 * g.Ho && W == 2 * g.Wo) {
      // LeNet's windows tile the plane: each of the four values gets dy or 0 in one write, no fill.
      for (std::size_t i = 0; i < g.Ho; ++i) {
        for (std::size_t j = 0; j < g.Wo; ++j) {
          const std::size_t at = 2 * i * W + 2 * j;
          const T a = in[at], b = in[at + 1], c = in[at + W], d = in[at + W + 1], grad = out_grad[i * g.Wo + j];
          // The first maximum in the order a, b, c, d, as the general loop below picks it.
          // & rather than &&: no branches, which random data would mispredict.
          const bool is_a = (a >= b) & (a >= c) & (a >= d), is_b = !is_a & (b >= c) & (b >= d);
          const bool is_c = !is_a & !is_b & (c >= d), is_d = !is_a & !is_b & !is_c;
          in_grad[at] = is_a ? grad : T(0);
          in_grad[at + 1] = is_b ? grad : T(0);
          in_grad[at + W] = is_c ? grad : T(0);
          in_grad[at + W + 1] = is_d ? grad : T(0);
        }
      }
      continue;
    }
    std::fill(in_grad, in_grad + H * W, T(0));
    for (std::size_t i = 0; i < g.Ho; ++i) {
      for (std::size_t j = 0; j < g.Wo; ++j) {
        // The first maximum of the window takes the gradient, its value kept in a register.
        const std::size_t corner = i * S * W + j * S;
        std::size_t best = corner;
        T best_value = in[corner];
        for (std::size_t a = 0; a < K; ++a) {
          for (std::size_t b = 0; b < K; ++b) {
            const std::size_t at = corner + a * W + b;
            if (in[at] > best_value) {
              best_value = in[at];
              best = at;
            }
          }
        }
        in_grad[best] += out_grad[i * g.Wo + j];
      }
    }
  }
}

template <class T>
void avg_pool_planes(const PoolGeometry& g, std::size_t first, std::size_t end, const T* x, T* y) {
  const std::size_t H = g.H, W = g.W, K = g.K, S = g.S;
  const T scale = T(1) / static_cast<T>(K * K);
  for (std::size_t plane = first; plane < end; ++plane) {
    const T* in = x + plane * H * W;
    T* out = y + plane * g.Ho * g.Wo;
    for (std::size_t i = 0; i < g.Ho; ++i) {
      for (std::size_t j = 0; j < g.Wo; ++j) {
        T sum = 0;
        for (std::size_t a = 0; a < K; ++a) {
          for (std::size_t b = 0; b < K; ++b) sum += in[(i * S + a) * W + j * S + b];
        }
        out[i * g.Wo + j] = sum * scale;
      }
    }
  }
}

template <class T>
void avg_pool_backward_planes(const PoolGeometry& g, std::size_t first, std::size_t end, const T* dy, T* dx) {
  const std::size_t H = g.H, W = g.W, K = g.K, S = g.S;
  const T scale = T(1) / static_cast<T>(K * K);
  for (std::size_t plane = first; plane < end; ++plane) {
    T* in_grad = dx + plane * H * W;
    const T* out_grad = dy + plane * g.Ho * g.Wo;
    std::fill(in_grad, in_grad + H * W, T(0));
    for (std::size_t i = 0; i < g.Ho; ++i) {
      for (std::size_t j = 0; j < g.Wo; ++j) {
        const T share = out_grad[i * g.Wo + j] * scale;
        for (std::size_t a = 0; a < K; ++a) {
          for (std::size_t b = 0; b < K; ++b) in_grad[(i * S + a) * W + j * S + b] += share;
        }
      }
    }
  }
}

// A channel's sum in a fixed order, whatever the vector width: value m of the channel's M = N HW
// (m = n HW + p) goes to partial sum m mod 16, each partial sum from 0 in m order, and then
// lanes[l] += lanes[l + 8], lanes[l] += lanes[l + 4], + 2, + 1 (l below each step) give the total.
// The middle loop adds 16 values to 16 lanes, which the compiler vectorizes as it likes: each lane
// still gets its own values in order.
inline constexpr std::size_t kSumLanes = 16;

// lanes[(first + p) mod 16] += value(p) for p in [0, count), p ascending.
template <class Acc, class Value>
void add_to_lanes(Acc (&lanes)[kSumLanes], std::size_t first, std::size_t count, Value value) {
  std::size_t p = 0;
  for (; p < count && (first + p) % kSumLanes != 0; ++p) lanes[(first + p) % kSumLanes] += value(p);
  for (; p + kSumLanes <= count; p += kSumLanes) {
    for (std::size_t l = 0; l < kSumLanes; ++l) lanes[l] += value(p + l);
  }
  for (; p < count; ++p) lanes[(first + p) % kSumLanes] += value(p);
}

template <class Acc>
Acc lanes_total(Acc (&lanes)[kSumLanes]) {
  for (std::size_t width = kSumLanes / 2; width > 0; width /= 2) {
    for (std::size_t l = 0; l < width; ++l) lanes[l] += lanes[l + width];
  }
  return lanes[0];
}

// Batch norm, channel c of x [N, C, HW]; its sums in the lanes' order above.
template <class T>
void batch_norm_moments_channel(std::size_t c, std::size_t N, std::size_t C, std::size_t HW, const T* x,
                                double* mean, double* squares) {
  const std::size_t M = N * HW;
  // Two passes in double: the mean, then the squared deviations from it.
  double sums[kSumLanes] = {};
  for (std::size_t n = 0; n < N; ++n) {
    const T* xc = x + (n * C + c) * HW;
    add_to_lanes(sums, n * HW, HW, [&](std::size_t p) { return static_cast<double>(xc[p]); });
  }
  const double mu = lanes_total(sums) / static_cast<double>(M);
  double deviations[kSumLanes] = {};
  for (std::size_t n = 0; n < N; ++n) {
    const T* xc = x + (n * C + c) * HW;
    add_to_lanes(deviations, n * HW, HW, [&](std::size_t p) {
      const double d = static_cast<double>(xc[p]) - mu;
      return d * d;
    });
  }
  mean[c] = mu;
  squares[c] = lanes_total(deviations);
}

template <class T>
void batch_norm_normalize_channel(std::size_t c, std::size_t N, std::size_t C, std::size_t HW, const T* x,
                                  const T* mean, const T* inv_std, const T* gamma, const T* beta, T* y) {
  const T g = gamma != nullptr ? gamma[c] : T(1), b = beta != nullptr ? beta[c] : T(0);
  const T scale = g * inv_std[c], shift = b - mean[c] * scale;
  for (std::size_t n = 0; n < N; ++n) {
    const T* xc = x + (n * C + c) * HW;
    T* yc = y + (n * C + c) * HW;
    for (std::size_t p = 0; p < HW; ++p) yc[p] = xc[p] * scale + shift;
  }
}

// dx = gamma s (dy - mean_dy - xhat mean_dy_xhat) for channel c.
template <class T>
void batch_norm_input_grad_channel(std::size_t c, std::size_t N, std::size_t C, std::size_t HW, const T* x,
                                   const T* dy, const T* mean, const T* inv_std, const T* gamma, T mean_dy,
                                   T mean_dy_xhat, T* dx) {
  const T mu = mean[c], s = inv_std[c];
  const T scale = (gamma != nullptr ? gamma[c] : T(1)) * s;
  for (std::size_t n = 0; n < N; ++n) {
    const T* xc = x + (n * C + c) * HW;
    const T* dyc = dy + (n * C + c) * HW;
    T* dxc = dx + (n * C + c) * HW;
    for (std::size_t p = 0; p < HW; ++p) {
      const T xhat = (xc[p] - mu) * s;
      dxc[p] = scale * (dyc[p] - mean_dy - xhat * mean_dy_xhat);
    }
  }
}

template <class T>
void batch_norm_backward_channel(std::size_t c, std::size_t N, std::size_t C, std::size_t HW, const T* x, const T* dy,
                                 const T* mean, const T* inv_std, const T* gamma, bool training, T* dx, T* sum_dy,
                                 T* sum_dy_xhat) {
  const T M = static_cast<T>(N * HW);
  const T mu = mean[c], s = inv_std[c];
  T dy_lanes[kSumLanes] = {}, dy_xhat_lanes[kSumLanes] = {};
  for (std::size_t n = 0; n < N; ++n) {
    const T* xc = x + (n * C + c) * HW;
    const T* dyc = dy + (n * C + c) * HW;
    add_to_lanes(dy_lanes, n * HW, HW, [&](std::size_t p) { return dyc[p]; });
    add_to_lanes(dy_xhat_lanes, n * HW, HW, [&](std::size_t p) { return dyc[p] * (xc[p] - mu) * s; });
  }
  const T dy_sum = lanes_total(dy_lanes), dy_xhat_sum = lanes_total(dy_xhat_lanes);
  sum_dy[c] = dy_sum;
  sum_dy_xhat[c] = dy_xhat_sum;
  if (dx == nullptr) return;
  // Inference statistics are constants; training ones depend on every x of the channel.
  const T mean_dy = training ? dy_sum / M : T(0), mean_dy_xhat = training ? dy_xhat_sum / M : T(0);
  batch_norm_input_grad_channel(c, N, C, HW, x, dy, mean, inv_std, gamma, mean_dy, mean_dy_xhat, dx);
}

}  // namespace bpnn::loops
