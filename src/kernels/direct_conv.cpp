// See direct_conv.hpp. The blocks: correlate keeps FB filters × 2 vectors of q in registers and
// reads, per tap, 2 vectors of x and FB weights; the weight gradient keeps FB filters × TB taps,
// one vector of q at a time through every sample, and adds each register's lanes at the end.
#include "kernels/direct_conv.hpp"

#include <algorithm>

namespace bpnn::kernels {
namespace {

// The vector width and weight-gradient tap block, picked when the program runs: AVX-512's 32
// registers hold FB × 4 accumulators of 64 bytes; AVX2's 16 registers hold FB × 2 of 32 bytes
// (64-byte vectors there spill to the stack: LeNet trained 7 times slower).
struct Wide {
  static constexpr std::size_t bytes = 64, TB = 4;
};
struct Narrow {
  static constexpr std::size_t bytes = 32, TB = 2;
};
template <class T, class Wd>
struct VectorOf {
  typedef T type __attribute__((vector_size(Wd::bytes)));
  typedef T unaligned __attribute__((vector_size(Wd::bytes), aligned(alignof(T)), may_alias));
};
template <class T, class Wd>
using Vec = typename VectorOf<T, Wd>::type;
template <class T, class Wd>
constexpr std::size_t kLanes = Wd::bytes / sizeof(T);

constexpr std::size_t kQVectors = 2;  // vectors of q in a block of correlate
static_assert(kCorrelateStep % (kQVectors * kLanes<float, Wide>) == 0);

// By reference, not by value: a 64-byte vector passed by value takes AVX-512's calling convention.
// Through an unaligned vector type, not memcpy: GCC's memcpy into an array of vectors went through
// the stack in 16-byte pieces, read back whole (a stalled load every multiply-add; on AVX2 LeNet
// trained 1.4 times slower).
template <class T, class Wd>
[[gnu::always_inline]] inline void load(Vec<T, Wd>& v, const T* p) {
  v = *reinterpret_cast<const typename VectorOf<T, Wd>::unaligned*>(p);
}
template <class T, class Wd>
[[gnu::always_inline]] inline void store(T* p, const Vec<T, Wd>& v) {
  *reinterpret_cast<typename VectorOf<T, Wd>::unaligned*>(p) = v;
}

// The filter block that pads F the least, the larger on a tie.
std::size_t filter_block(std::size_t F) {
  std::size_t best = 4;
  for (const std::size_t FB : {3, 2}) {
    if ((F + FB - 1) / FB * FB < (F + best - 1) / best * best) best = FB;
  }
  return best;
}

// Y[f, q] for the FB filters from f0.
template <class T, class Wd, std::size_t FB>
[[gnu::always_inline]] inline void correlate_block(std::size_t F, std::size_t f0, std::size_t Q, std::size_t taps,
                                                   const std::ptrdiff_t* offsets, const T* W, const T* bias,
                                                   const T* x, T* Y, std::size_t ldy) {
  const std::size_t rows = std::min(FB, F - f0);  // the rest are zero
  for (std::size_t q = 0; q < Q; q += kQVectors * kLanes<T, Wd>) {
    Vec<T, Wd> acc[FB][kQVectors];
    for (std::size_t f = 0; f < FB; ++f) {
      const T b = bias != nullptr && f < rows ? bias[f0 + f] : T(0);
      for (std::size_t v = 0; v < kQVectors; ++v) acc[f][v] = Vec<T, Wd>{} + b;
    }
    for (std::size_t t = 0; t < taps; ++t) {
      T w[FB];
      for (std::size_t f = 0; f < FB; ++f) w[f] = f < rows ? W[(f0 + f) * taps + t] : T(0);
      Vec<T, Wd> xv[kQVectors];
      for (std::size_t v = 0; v < kQVectors; ++v) load<T, Wd>(xv[v], x + q + offsets[t] + v * kLanes<T, Wd>);
      for (std::size_t f = 0; f < FB; ++f) {
        for (std::size_t v = 0; v < kQVectors; ++v) acc[f][v] += w[f] * xv[v];
      }
    }
    for (std::size_t f = 0; f < FB; ++f) {
      for (std::size_t v = 0; v < kQVectors; ++v) store<T, Wd>(Y + (f0 + f) * ldy + q + v * kLanes<T, Wd>, acc[f][v]);
    }
  }
}

// dW[f, t] for the FB filters from f0 and the taps from t0 (TB of them, or fewer at the end).
template <class T, class Wd, std::size_t FB>
[[gnu::always_inline]] inline void weight_grad_block(std::size_t F, std::size_t f0, std::size_t Q, std::size_t taps,
                                                     std::size_t t0, const std::ptrdiff_t* offsets,
                                                     std::size_t samples, const T* dY, std::size_t ldy,
                                                     std::size_t dy_stride, const T* x, std::size_t x_stride, T scale,
                                                     T* dW) {
  std::ptrdiff_t o[Wd::TB];  // past the last tap: any tap, computed and dropped
  for (std::size_t k = 0; k < Wd::TB; ++k) o[k] = offsets[std::min(t0 + k, taps - 1)];
  Vec<T, Wd> acc[FB][Wd::TB] = {};
  for (std::size_t n = 0; n < samples; ++n) {
    const T* dy_n = dY + n * dy_stride + f0 * ldy;
    const T* x_n = x + n * x_stride;
    for (std::size_t q = 0; q < Q; q += kLanes<T, Wd>) {
      Vec<T, Wd> dy[FB], xv[Wd::TB];
      for (std::size_t f = 0; f < FB; ++f) load<T, Wd>(dy[f], dy_n + f * ldy + q);
      for (std::size_t k = 0; k < Wd::TB; ++k) load<T, Wd>(xv[k], x_n + q + o[k]);
      for (std::size_t f = 0; f < FB; ++f) {
        for (std::size_t k = 0; k < Wd::TB; ++k) acc[f][k] += dy[f] * xv[k];
      }
    }
  }
  for (std::size_t f = 0; f < FB && f0 + f < F; ++f) {
    for (std::size_t k = 0; k < Wd::TB && t0 + k < taps; ++k) {
      T sum = 0;
      for (std::size_t l = 0; l < kLanes<T, Wd>; ++l) sum += acc[f][k][l];
      dW[(f0 + f) * taps + t0 + k] += scale * sum;
    }
  }
}

template <class T, class Wd, std::size_t FB>
[[gnu::always_inline]] inline void correlate_blocks(std::size_t F, std::size_t Q, std::size_t taps,
                                                    const std::ptrdiff_t* offsets, const T* W, const T* bias,
                                                    const T* x, T* Y, std::size_t ldy) {
  for (std::size_t f0 = 0; f0 < F; f0 += FB) correlate_block<T, Wd, FB>(F, f0, Q, taps, offsets, W, bias, x, Y, ldy);
}

template <class T, class Wd, std::size_t FB>
[[gnu::always_inline]] inline void weight_grad_blocks(std::size_t F, std::size_t Q, std::size_t taps,
                                                      const std::ptrdiff_t* offsets, std::size_t samples, const T* dY,
                                                      std::size_t ldy, std::size_t dy_stride, const T* x,
                                                      std::size_t x_stride, T scale, T* dW) {
  for (std::size_t f0 = 0; f0 < F; f0 += FB) {
    for (std::size_t t0 = 0; t0 < taps; t0 += Wd::TB) {
      weight_grad_block<T, Wd, FB>(F, f0, Q, taps, t0, offsets, samples, dY, ldy, dy_stride, x, x_stride, scale, dW);
    }
  }
}

// One copy of each kernel per instruction set, chosen when the program loads. GCC and Clang
// cannot clone templates, hence a plain function per element type. Not under ThreadSanitizer:
// the loader runs the clones' resolver before TSan's runtime is up, and the program crashes.
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define BPNN_THREAD_SANITIZER
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define BPNN_THREAD_SANITIZER
#endif
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(BPNN_THREAD_SANITIZER)
#define BPNN_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define BPNN_CLONES
#endif

template <class T, class Wd>
[[gnu::always_inline]] inline void correlate_filter_blocks(std::size_t FB, std::size_t F, std::size_t Q,
                                                           std::size_t taps, const std::ptrdiff_t* offsets,
                                                           const T* W, const T* bias, const T* x, T* Y,
                                                           std::size_t ldy) {
  switch (FB) {
    case 2: return correlate_blocks<T, Wd, 2>(F, Q, taps, offsets, W, bias, x, Y, ldy);
    case 3: return correlate_blocks<T, Wd, 3>(F, Q, taps, offsets, W, bias, x, Y, ldy);
    default: return correlate_blocks<T, Wd, 4>(F, Q, taps, offsets, W, bias, x, Y, ldy);
  }
}
template <class T, class Wd>
[[gnu::always_inline]] inline void weight_grad_filter_blocks(std::size_t FB, std::size_t F, std::size_t Q,
                                                             std::size_t taps, const std::ptrdiff_t* offsets,
                                                             std::size_t samples, const T* dY, std::size_t ldy,
                                                             std::size_t dy_stride, const T* x, std::size_t x_stride,
                                                             T scale, T* dW) {
  switch (FB) {
    case 2:
      return weight_grad_blocks<T, Wd, 2>(F, Q, taps, offsets, samples, dY, ldy, dy_stride, x, x_stride, scale, dW);
    case 3:
      return weight_grad_blocks<T, Wd, 3>(F, Q, taps, offsets, samples, dY, ldy, dy_stride, x, x_stride, scale, dW);
    default:
      return weight_grad_blocks<T, Wd, 4>(F, Q, taps, offsets, samples, dY, ldy, dy_stride, x, x_stride, scale, dW);
  }
}

// Wide vectors where the core has AVX-512's 32 vector registers, narrow ones elsewhere.
bool wide_vectors() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  static const bool wide = __builtin_cpu_supports("avx512f");
  return wide;
#else
  return false;
#endif
}

#define BPNN_KERNELS(T)                                                                                              \
  BPNN_CLONES void correlate_##T(std::size_t FB, std::size_t F, std::size_t Q, std::size_t taps,                      \
                                 const std::ptrdiff_t* offsets, const T* W, const T* bias, const T* x, T* Y,          \
                                 std::size_t ldy) {                                                                  \
    if (wide_vectors()) return correlate_filter_blocks<T, Wide>(FB, F, Q, taps, offsets, W, bias, x, Y, ldy);        \
    correlate_filter_blocks<T, Narrow>(FB, F, Q, taps, offsets, W, bias, x, Y, ldy);                                 \
  }                                                                                                                  \
  BPNN_CLONES void weight_grad_##T(std::size_t FB, std::size_t F, std::size_t Q, std::size_t taps,                    \
                                   const std::ptrdiff_t* offsets, std::size_t samples, const T* dY, std::size_t ldy,  \
                                   std::size_t dy_stride, const T* x, std::size_t x_stride, T scale, T* dW) {        \
    if (wide_vectors()) {                                                                                            \
      return weight_grad_filter_blocks<T, Wide>(FB, F, Q, taps, offsets, samples, dY, ldy, dy_stride, x, x_stride,   \
                                                scale, dW);                                                          \
    }                                                                                                                \
    weight_grad_filter_blocks<T, Narrow>(FB, F, Q, taps, offsets, samples, dY, ldy, dy_stride, x, x_stride, scale,   \
                                         dW);                                                                        \
  }
BPNN_KERNELS(float)
BPNN_KERNELS(double)

}  // namespace

std::size_t correlate_rows(std::size_t F) {
  const std::size_t FB = filter_block(F);
  return (F + FB - 1) / FB * FB;
}

template <>
void correlate(std::size_t F, std::size_t Q, std::size_t taps, const std::ptrdiff_t* offsets, const float* W,
               const float* bias, const float* x, float* Y, std::size_t ldy) {
  correlate_float(filter_block(F), F, Q, taps, offsets, W, bias, x, Y, ldy);
}
template <>
void correlate(std::size_t F, std::size_t Q, std::size_t taps, const std::ptrdiff_t* offsets, const double* W,
               const double* bias, const double* x, double* Y, std::size_t ldy) {
  correlate_double(filter_block(F), F, Q, taps, offsets, W, bias, x, Y, ldy);
}
template <>
void correlate_weight_grad(std::size_t F, std::size_t Q, std::size_t taps, const std::ptrdiff_t* offsets,
                           std::size_t samples, const float* dY, std::size_t ldy, std::size_t dy_stride,
                           const float* x, std::size_t x_stride, float scale, float* dW) {
  weight_grad_float(filter_block(F), F, Q, taps, offsets, samples, dY, ldy, dy_stride, x, x_stride, scale, dW);
}
template <>
void correlate_weight_grad(std::size_t F, std::size_t Q, std::size_t taps, const std::ptrdiff_t* offsets,
                           std::size_t samples, const double* dY, std::size_t ldy, std::size_t dy_stride,
                           const double* x, std::size_t x_stride, double scale, double* dW) {
  weight_grad_double(filter_block(F), F, Q, taps, offsets, samples, dY, ldy, dy_stride, x, x_stride, scale, dW);
}

}  // namespace bpnn::kernels
