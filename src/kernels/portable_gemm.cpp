// See portable_gemm.hpp. op(B) is packed into panels of NR columns (k-major, zero past N) and op(A)
// into panels of MR rows (k-major, zero past M); the micro-kernel keeps an MR x NR block of C in
// registers, one accumulator per element, and adds each product to it in k order. Rows and columns
// past C's edges are computed from the zeros and dropped. Built with -ffp-contract=off
// (CMakeLists.txt): `acc += a * b` stays a multiply and an add on every instruction set.
#include "kernels/portable_gemm.hpp"

#include <algorithm>
#include <vector>

namespace bpnn::kernels {
namespace {

// One product, or a thread's block of one.
template <class T>
struct Product {
  bool a_t, b_t;
  std::size_t M, N, K;
  const T* A;
  std::size_t lda;
  const T* B;
  std::size_t ldb;
  T* C;
  std::size_t ldc;
  T alpha, beta;
};

// A copy's block: vectors of `bytes`, MR rows by NV vectors of C in registers. AVX-512's 32
// registers hold 8 x 2 accumulators; 16 registers (AVX2, SSE2) hold 6 x 2 and 4 x 2 beside B's two
// vectors, A's broadcast value and a product (SSE2's product overwrites its first operand).
#if BPNN_X86_COPIES
struct Isa512 {
  static constexpr std::size_t bytes = 64, MR = 8, NV = 2;
};
struct Isa256 {
  static constexpr std::size_t bytes = 32, MR = 6, NV = 2;
};
#endif
struct Isa128 {
  static constexpr std::size_t bytes = 16, MR = 4, NV = 2;
};

template <class T, class Isa>
constexpr std::size_t kLanes = Isa::bytes / sizeof(T);
template <class T, class Isa>
using Vec = typename VectorOf<T, kLanes<T, Isa>>::type;
template <class T, class Isa>
constexpr std::size_t kNR = Isa::NV * kLanes<T, Isa>;

// out[k W + l] = rows[l ld + k] for l < width (0 for l past it) and k < K: W rows stored side by
// side, a transpose. In steps of 8 k, so that each row is read 8 values at a time and the writes of
// a step stay in a few cache lines.
template <class T, std::size_t W>
[[gnu::always_inline]] inline void interleave_rows(const T* rows, std::size_t ld, std::size_t width, std::size_t K,
                                                   T* out) {
  constexpr std::size_t step = 8;
  std::size_t k0 = 0;
  for (; k0 + step <= K; k0 += step) {
    for (std::size_t l = 0; l < W; ++l) {
      const T* row = rows + l * ld + k0;
      for (std::size_t k = 0; k < step; ++k) out[(k0 + k) * W + l] = l < width ? row[k] : T(0);
    }
  }
  for (; k0 < K; ++k0) {
    for (std::size_t l = 0; l < W; ++l) out[k0 * W + l] = l < width ? rows[l * ld + k0] : T(0);
  }
}

// out[k W + l] = rows[k ld + l] for l < width (0 past it) and k < K: runs of rows copied.
template <class T, std::size_t W>
[[gnu::always_inline]] inline void copy_rows(const T* rows, std::size_t ld, std::size_t width, std::size_t K, T* out) {
  for (std::size_t k = 0; k < K; ++k, rows += ld, out += W) {
    std::copy(rows, rows + width, out);
    std::fill(out + width, out + W, T(0));
  }
}

// op(A)'s rows [i0, i0 + m) as ap[k MR + r], rows past m zero.
template <class T, class Isa>
[[gnu::always_inline]] inline void pack_a(const Product<T>& p, std::size_t i0, std::size_t m, T* ap) {
  if (p.a_t) return copy_rows<T, Isa::MR>(p.A + i0, p.lda, m, p.K, ap);  // op(A)[i, k] = A[k lda + i]
  interleave_rows<T, Isa::MR>(p.A + i0 * p.lda, p.lda, m, p.K, ap);
}

// op(B)'s columns [j0, j0 + n) as panels of NR: bp[(panel K + k) NR + l], columns past n zero.
template <class T, class Isa>
[[gnu::always_inline]] inline void pack_b(const Product<T>& p, std::size_t j0, std::size_t n, T* bp) {
  constexpr std::size_t NR = kNR<T, Isa>;
  for (std::size_t first = 0; first < n; first += NR, bp += NR * p.K) {
    const std::size_t width = std::min(NR, n - first), j = j0 + first;
    if (p.b_t) {
      interleave_rows<T, NR>(p.B + j * p.ldb, p.ldb, width, p.K, bp);  // op(B)[k, j] = B[j ldb + k]
    } else {
      copy_rows<T, NR>(p.B + j, p.ldb, width, p.K, bp);
    }
  }
}

// acc[r][v] += ap[k, r] bp[k, v] for k ascending: each accumulator one element of C.
template <class T, class Isa>
[[gnu::always_inline]] inline void multiply_panels(std::size_t K, const T* ap, const T* bp,
                                                   Vec<T, Isa> (&acc)[Isa::MR][Isa::NV]) {
  constexpr std::size_t MR = Isa::MR, NV = Isa::NV, L = kLanes<T, Isa>;
  for (std::size_t k = 0; k < K; ++k, ap += MR, bp += NV * L) {
    Vec<T, Isa> b[NV];
    for (std::size_t v = 0; v < NV; ++v) load<T, L>(b[v], bp + v * L);
    for (std::size_t r = 0; r < MR; ++r) {
      const T a = ap[r];
      for (std::size_t v = 0; v < NV; ++v) acc[r][v] += a * b[v];
    }
  }
}

// C's block of rows [i0, i0 + m) and columns [j0, j0 + n) from A's packed panel and B's. A block
// cut by C's edges goes through `tile`, of which only the elements inside C are written.
template <class T, class Isa>
[[gnu::always_inline]] inline void multiply_block(const Product<T>& p, std::size_t i0, std::size_t m, std::size_t j0,
                                                  std::size_t n, const T* ap, const T* bp) {
  constexpr std::size_t MR = Isa::MR, NV = Isa::NV, L = kLanes<T, Isa>, NR = kNR<T, Isa>;
  const bool whole = m == MR && n == NR;
  T tile[MR][NR];
  Vec<T, Isa> acc[MR][NV] = {};
  multiply_panels<T, Isa>(p.K, ap, bp, acc);
  if (whole) {
    for (std::size_t r = 0; r < MR; ++r) {
      T* c = p.C + (i0 + r) * p.ldc + j0;
      for (std::size_t v = 0; v < NV; ++v, c += L) {
        if (p.beta == T(0)) {
          store<T, L>(c, p.alpha * acc[r][v] + Vec<T, Isa>{});  // + 0, as loops::gemm adds it
        } else {
          Vec<T, Isa> old;
          load<T, L>(old, c);
          store<T, L>(c, p.alpha * acc[r][v] + p.beta * old);
        }
      }
    }
    return;
  }
  for (std::size_t r = 0; r < MR; ++r) {
    for (std::size_t v = 0; v < NV; ++v) store<T, L>(&tile[r][v * L], acc[r][v]);
  }
  for (std::size_t r = 0; r < m; ++r) {
    T* c = p.C + (i0 + r) * p.ldc + j0;
    for (std::size_t j = 0; j < n; ++j) {
      c[j] = p.alpha * tile[r][j] + (p.beta == T(0) ? T(0) : p.beta * c[j]);
    }
  }
}

// B is packed in blocks of columns of about this many values (a quarter of a core's L2 in float),
// A a panel at a time; the packing buffers are the thread's own and only grow.
constexpr std::size_t kPackedB = std::size_t{1} << 16;

template <class T, class Isa>
[[gnu::always_inline]] inline void multiply(const Product<T>& p) {
  constexpr std::size_t MR = Isa::MR, NR = kNR<T, Isa>;
  thread_local std::vector<T> a_panel, b_panels;
  const std::size_t NC = std::max(NR, kPackedB / std::max<std::size_t>(p.K, 1) / NR * NR);
  if (a_panel.size() < MR * p.K) a_panel.resize(MR * p.K);
  for (std::size_t j0 = 0; j0 < p.N; j0 += NC) {
    const std::size_t n = std::min(NC, p.N - j0), panels = (n + NR - 1) / NR;
    if (b_panels.size() < panels * NR * p.K) b_panels.resize(panels * NR * p.K);
    pack_b<T, Isa>(p, j0, n, b_panels.data());
    for (std::size_t i0 = 0; i0 < p.M; i0 += MR) {
      const std::size_t m = std::min(MR, p.M - i0);
      pack_a<T, Isa>(p, i0, m, a_panel.data());
      for (std::size_t panel = 0; panel < panels; ++panel) {
        multiply_block<T, Isa>(p, i0, m, j0 + panel * NR, std::min(NR, n - panel * NR), a_panel.data(),
                               b_panels.data() + panel * NR * p.K);
      }
    }
  }
}

// One copy per instruction set (kernels/vector_isa.hpp), plain overloads per element type.
#if BPNN_X86_COPIES
BPNN_TARGET_AVX512 void multiply_avx512(const Product<float>& p) { multiply<float, Isa512>(p); }
BPNN_TARGET_AVX512 void multiply_avx512(const Product<double>& p) { multiply<double, Isa512>(p); }
BPNN_TARGET_AVX2 void multiply_avx2(const Product<float>& p) { multiply<float, Isa256>(p); }
BPNN_TARGET_AVX2 void multiply_avx2(const Product<double>& p) { multiply<double, Isa256>(p); }
#endif
void multiply_baseline(const Product<float>& p) { multiply<float, Isa128>(p); }
void multiply_baseline(const Product<double>& p) { multiply<double, Isa128>(p); }

template <class T>
void multiply(VectorIsa isa, const Product<T>& p) {
#if BPNN_X86_COPIES
  if (isa == VectorIsa::avx512) return multiply_avx512(p);
  if (isa == VectorIsa::avx2) return multiply_avx2(p);
#endif
  (void)isa;
  multiply_baseline(p);
}

// Products smaller than this (M N K) stay on one thread: a hand-over costs more than it saves.
constexpr std::size_t kSplitWork = std::size_t{1} << 20;

}  // namespace

// With several threads, a large product is split into blocks of C's rows or columns, one per
// thread, along the largest of A, B and C so that each thread touches only its share of it (as
// kernels::gemm splits: a dense layer's W is then split the same way forward and backward).
template <class T>
void portable_gemm(const parallel::ThreadPool& pool, Transpose trans_a, Transpose trans_b, std::size_t M,
                   std::size_t N, std::size_t K, T alpha, const T* A, std::size_t lda, const T* B, std::size_t ldb,
                   T beta, T* C, std::size_t ldc) {
  if (M == 0 || N == 0) return;
  const bool a_t = trans_a == Transpose::yes, b_t = trans_b == Transpose::yes;
  const Product<T> whole{a_t, b_t, M, N, K, A, lda, B, ldb, C, ldc, alpha, beta};
  const VectorIsa isa = vector_isa();
  if (pool.parts() == 1 || M * N * K < kSplitWork) return multiply(isa, whole);
  const std::size_t a_size = M * K, b_size = K * N, c_size = M * N;
  const bool split_columns = c_size >= std::max(a_size, b_size) ? M < 32 : b_size >= a_size && N >= 32;
  const std::size_t length = split_columns ? N : M;
  pool.run([&](std::size_t part, std::size_t parts) {
    auto edge = [&](std::size_t k) { return k == parts ? length : std::min(length, (length * k / parts + 8) / 16 * 16); };
    const std::size_t begin = edge(part), end = edge(part + 1);
    if (begin >= end) return;
    Product<T> share = whole;
    if (split_columns) {
      share.N = end - begin;
      share.B = b_t ? B + begin * ldb : B + begin;
      share.C = C + begin;
    } else {
      share.M = end - begin;
      share.A = a_t ? A + begin : A + begin * lda;
      share.C = C + begin * ldc;
    }
    multiply(isa, share);
  });
}

template void portable_gemm(const parallel::ThreadPool&, Transpose, Transpose, std::size_t, std::size_t, std::size_t,
                            float, const float*, std::size_t, const float*, std::size_t, float, float*, std::size_t);
template void portable_gemm(const parallel::ThreadPool&, Transpose, Transpose, std::size_t, std::size_t, std::size_t,
                            double, const double*, std::size_t, const double*, std::size_t, double, double*,
                            std::size_t);
}  // namespace bpnn::kernels
