// See portable_correlate.hpp. A block keeps FB filters by 2 vectors of q in registers; per tap it
// reads 2 vectors of x and broadcasts FB weights. Filters past F repeat the last one and are dropped.
#include "kernels/portable_correlate.hpp"

#include <algorithm>

#include "kernels/direct_conv.hpp"
#include "kernels/vector_isa.hpp"

namespace bpnn::kernels {
namespace {

#if BPNN_X86_COPIES
struct Isa512 {
  static constexpr std::size_t bytes = 64;
};
struct Isa256 {
  static constexpr std::size_t bytes = 32;
};
#endif
struct Isa128 {
  static constexpr std::size_t bytes = 16;
};
constexpr std::size_t kQVectors = 2;
template <class T, class Isa>
constexpr std::size_t kLanes = Isa::bytes / sizeof(T);
static_assert(kCorrelateStep % (kQVectors * 64 / sizeof(float)) == 0);

template <class T>
struct Job {
  std::size_t F, Q, taps;
  const std::ptrdiff_t* offsets;
  const T* W;
  const T* bias;
  const T* x;
  T* Y;
  std::size_t ldy;
};

template <class T, class Isa, std::size_t FB>
[[gnu::always_inline]] inline void correlate_block(const Job<T>& j, std::size_t f0) {
  constexpr std::size_t L = kLanes<T, Isa>, QV = kQVectors;
  using V = typename VectorOf<T, L>::type;
  const T* w[FB];
  T b[FB];
  for (std::size_t r = 0; r < FB; ++r) {
    const std::size_t f = std::min(f0 + r, j.F - 1);
    w[r] = j.W + f * j.taps;
    b[r] = j.bias != nullptr ? j.bias[f] : T(0);
  }
  for (std::size_t q = 0; q < j.Q; q += QV * L) {
    V acc[FB][QV] = {};
    for (std::size_t t = 0; t < j.taps; ++t) {
      V xv[QV];
      for (std::size_t v = 0; v < QV; ++v)
        load<T, L>(xv[v], j.x + (static_cast<std::ptrdiff_t>(q + v * L) + j.offsets[t]));
      for (std::size_t r = 0; r < FB; ++r) {
        const T weight = w[r][t];
        for (std::size_t v = 0; v < QV; ++v) acc[r][v] += weight * xv[v];
      }
    }
    for (std::size_t r = 0; r < FB && f0 + r < j.F; ++r) {
      for (std::size_t v = 0; v < QV; ++v) store<T, L>(j.Y + (f0 + r) * j.ldy + q + v * L, acc[r][v] + b[r]);
    }
  }
}

// Blocks of 4 filters, or 3 where that pads F less (LeNet's 6).
template <class T, class Isa>
[[gnu::always_inline]] inline void correlate(const Job<T>& j) {
  if ((j.F + 2) / 3 * 3 < (j.F + 3) / 4 * 4) {
    for (std::size_t f0 = 0; f0 < j.F; f0 += 3) correlate_block<T, Isa, 3>(j, f0);
    return;
  }
  for (std::size_t f0 = 0; f0 < j.F; f0 += 4) correlate_block<T, Isa, 4>(j, f0);
}

#if BPNN_X86_COPIES
BPNN_TARGET_AVX512 void correlate_avx512(const Job<float>& j) { correlate<float, Isa512>(j); }
BPNN_TARGET_AVX512 void correlate_avx512(const Job<double>& j) { correlate<double, Isa512>(j); }
BPNN_TARGET_AVX2 void correlate_avx2(const Job<float>& j) { correlate<float, Isa256>(j); }
BPNN_TARGET_AVX2 void correlate_avx2(const Job<double>& j) { correlate<double, Isa256>(j); }
#endif
void correlate_baseline(const Job<float>& j) { correlate<float, Isa128>(j); }
void correlate_baseline(const Job<double>& j) { correlate<double, Isa128>(j); }

}  // namespace

template <class T>
void portable_correlate(std::size_t F, std::size_t Q, std::size_t taps, const std::ptrdiff_t* offsets, const T* W,
                        const T* bias, const T* x, T* Y, std::size_t ldy) {
  if (F == 0) return;
  const Job<T> job{F, Q, taps, offsets, W, bias, x, Y, ldy};
#if BPNN_X86_COPIES
  const VectorIsa isa = vector_isa();
  if (isa == VectorIsa::avx512) return correlate_avx512(job);
  if (isa == VectorIsa::avx2) return correlate_avx2(job);
#endif
  correlate_baseline(job);
}

template void portable_correlate(std::size_t, std::size_t, std::size_t, const std::ptrdiff_t*, const float*,
                                 const float*, const float*, float*, std::size_t);
template void portable_correlate(std::size_t, std::size_t, std::size_t, const std::ptrdiff_t*, const double*,
                                 const double*, const double*, double*, std::size_t);

}  // namespace bpnn::kernels
