// See lane_sums.hpp. A block of FB rows of a by TB rows of b takes its FB x TB vectors of 16 lanes
// from `lanes` into registers, adds along the rows, value m in lane m mod 16, and puts them back;
// the last step reads the values past M as zeros (from a copy), which leave a lane as it was: a
// lane starts at +0, never holds -0, and x + 0 = x. Rows past F or taps repeat the last one and
// are dropped. fold_lanes folds them by loops::lanes_total.
#include "kernels/lane_sums.hpp"

#include <algorithm>

#include "backend/loops.hpp"
#include "kernels/vector_isa.hpp"

namespace bpnn::kernels {
namespace {

constexpr std::size_t kLanes = loops::kSumLanes;
template <class T>
using Lanes = typename VectorOf<T, kLanes>::type;

// A copy's registers for accumulators: AVX-512 has 32 (16 for them), AVX2 and 128-bit sets 16 (8).
#if BPNN_X86_COPIES
struct Isa512 {
  static constexpr std::size_t bytes = 64, registers = 16;
};
struct Isa256 {
  static constexpr std::size_t bytes = 32, registers = 8;
};
#endif
struct Isa128 {
  static constexpr std::size_t bytes = 16, registers = 8;
};
// The 16-lane vectors that fit, as a block of FB rows of a by TB of b.
template <class T, class Isa>
constexpr std::size_t kAccumulators = std::max<std::size_t>(1, Isa::registers * Isa::bytes / (kLanes * sizeof(T)));
template <class T, class Isa>
constexpr std::size_t kTB = kAccumulators<T, Isa> >= 8 ? 4 : kAccumulators<T, Isa> >= 2 ? 2 : 1;
template <class T, class Isa>
constexpr std::size_t kFB = kAccumulators<T, Isa> / kTB<T, Isa>;

template <class T>
struct Job {
  std::size_t F, taps, M;
  const T* a;
  std::size_t lda;
  const T* b;  // null: sums of a's rows
  std::size_t ldb;
  T* lanes;    // [F, taps, 16]
};

// acc[r][t] += a[r] b[t] (with Ones, acc[r][0] += a[r]) for the 16 values of each row from `at`.
template <class T, std::size_t FB, std::size_t TB, bool Ones>
[[gnu::always_inline]] inline void add_step(Lanes<T> (&acc)[FB][TB], const T* const (&a)[FB],
                                            const T* const (&b)[TB], std::size_t at) {
  Lanes<T> av[FB];
  for (std::size_t r = 0; r < FB; ++r) load<T, kLanes>(av[r], a[r] + at);
  if constexpr (Ones) {
    for (std::size_t r = 0; r < FB; ++r) acc[r][0] += av[r];
  } else {
    Lanes<T> bv[TB];
    for (std::size_t t = 0; t < TB; ++t) load<T, kLanes>(bv[t], b[t] + at);
    for (std::size_t r = 0; r < FB; ++r) {
      for (std::size_t t = 0; t < TB; ++t) acc[r][t] += av[r] * bv[t];
    }
  }
}

// The main loop reads whole steps of 16 straight from the rows, branch-free, so that the
// accumulators stay in registers; the last, partial step reads copies padded with zeros.
template <class T, std::size_t FB, std::size_t TB, bool Ones>
[[gnu::always_inline]] inline void sum_block(const Job<T>& j, std::size_t f0, std::size_t t0) {
  const T* a_rows[FB];
  const T* b_rows[TB];
  for (std::size_t r = 0; r < FB; ++r) a_rows[r] = j.a + std::min(f0 + r, j.F - 1) * j.lda;
  for (std::size_t t = 0; t < TB; ++t) b_rows[t] = Ones ? nullptr : j.b + std::min(t0 + t, j.taps - 1) * j.ldb;
  auto lanes_of = [&](std::size_t f, std::size_t t) { return j.lanes + (f * j.taps + t) * kLanes; };
  Lanes<T> acc[FB][TB];
  for (std::size_t r = 0; r < FB; ++r) {
    for (std::size_t t = 0; t < TB; ++t) {
      load<T, kLanes>(acc[r][t], lanes_of(std::min(f0 + r, j.F - 1), std::min(t0 + t, j.taps - 1)));
    }
  }
  const std::size_t whole = j.M / kLanes * kLanes;
  for (std::size_t m = 0; m < whole; m += kLanes) add_step<T, FB, TB, Ones>(acc, a_rows, b_rows, m);
  if (whole < j.M) {
    T a_tail[FB][kLanes] = {}, b_tail[TB][kLanes] = {};
    const T* a_tails[FB];
    const T* b_tails[TB];
    for (std::size_t r = 0; r < FB; ++r) {
      std::copy(a_rows[r] + whole, a_rows[r] + j.M, a_tail[r]);
      a_tails[r] = a_tail[r];
    }
    for (std::size_t t = 0; t < TB; ++t) {
      if (!Ones) std::copy(b_rows[t] + whole, b_rows[t] + j.M, b_tail[t]);
      b_tails[t] = b_tail[t];
    }
    add_step<T, FB, TB, Ones>(acc, a_tails, b_tails, 0);
  }
  for (std::size_t r = 0; r < FB && f0 + r < j.F; ++r) {
    for (std::size_t t = 0; t < TB && t0 + t < j.taps; ++t) store<T, kLanes>(lanes_of(f0 + r, t0 + t), acc[r][t]);
  }
}

template <class T, std::size_t FB, std::size_t TB>
[[gnu::always_inline]] inline void sum_blocks(const Job<T>& j) {
  for (std::size_t f0 = 0; f0 < j.F; f0 += FB) {
    if (j.b == nullptr) {
      sum_block<T, FB, 1, true>(j, f0, 0);
      continue;
    }
    for (std::size_t t0 = 0; t0 < j.taps; t0 += TB) sum_block<T, FB, TB, false>(j, f0, t0);
  }
}

// With room for 4 rows of a, 3 where that pads F less (LeNet's 6 filters).
template <class T, class Isa>
[[gnu::always_inline]] inline void sums(const Job<T>& j) {
  constexpr std::size_t FB = kFB<T, Isa>, TB = kTB<T, Isa>;
  if constexpr (FB >= 3) {
    if ((j.F + FB - 2) / (FB - 1) * (FB - 1) < (j.F + FB - 1) / FB * FB) return sum_blocks<T, FB - 1, TB>(j);
  }
  sum_blocks<T, FB, TB>(j);
}

#if BPNN_X86_COPIES
BPNN_TARGET_AVX512 void sums_avx512(const Job<float>& j) { sums<float, Isa512>(j); }
BPNN_TARGET_AVX512 void sums_avx512(const Job<double>& j) { sums<double, Isa512>(j); }
BPNN_TARGET_AVX2 void sums_avx2(const Job<float>& j) { sums<float, Isa256>(j); }
BPNN_TARGET_AVX2 void sums_avx2(const Job<double>& j) { sums<double, Isa256>(j); }
#endif
void sums_baseline(const Job<float>& j) { sums<float, Isa128>(j); }
void sums_baseline(const Job<double>& j) { sums<double, Isa128>(j); }

}  // namespace

template <class T>
void add_lane_products(std::size_t F, std::size_t taps, std::size_t M, const T* a, std::size_t lda, const T* b,
                       std::size_t ldb, T* lanes) {
  if (F == 0 || taps == 0) return;
  const Job<T> job{F, taps, M, a, lda, b, ldb, lanes};
#if BPNN_X86_COPIES
  const VectorIsa isa = vector_isa();
  if (isa == VectorIsa::avx512) return sums_avx512(job);
  if (isa == VectorIsa::avx2) return sums_avx2(job);
#endif
  sums_baseline(job);
}

template <class T>
void fold_lanes(std::size_t F, std::size_t taps, const T* lanes, T scale, T* out, std::size_t ldo) {
  for (std::size_t f = 0; f < F; ++f) {
    for (std::size_t t = 0; t < taps; ++t) {
      T lane[kLanes];
      std::copy_n(lanes + (f * taps + t) * kLanes, kLanes, lane);
      out[f * ldo + t] += scale * loops::lanes_total(lane);
    }
  }
}

template void add_lane_products(std::size_t, std::size_t, std::size_t, const float*, std::size_t, const float*,
                                std::size_t, float*);
template void add_lane_products(std::size_t, std::size_t, std::size_t, const double*, std::size_t, const double*,
                                std::size_t, double*);
template void fold_lanes(std::size_t, std::size_t, const float*, float, float*, std::size_t);
template void fold_lanes(std::size_t, std::size_t, const double*, double, double*, std::size_t);

}  // namespace bpnn::kernels
