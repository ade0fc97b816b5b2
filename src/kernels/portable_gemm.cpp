// See portable_gemm.hpp. The micro-kernel keeps an MR x NR block of C in registers, one accumulator
// per element, and adds each product to it in k order, reading op(A)'s MR values at each k (one
// broadcast each) and op(B)'s NR (NV vectors): in place where they lie that way in A and B, else
// from panels packed k-major with zeros past the edges (whose rows and columns are computed and
// dropped). Built with -ffp-contract=off (CMakeLists.txt): `acc += a * b` stays a multiply and an
// add on every instruction set.
#include "kernels/portable_gemm.hpp"

#include <algorithm>
#include <vector>

#include "kernels/split_outputs.hpp"

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
  bool c_t = false;  // C stored transposed: element (i, j) at C[j ldc + i]
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

// Rows of a matrix (of A, B or a packed panel): row i begins at data[start + i stride]. An index,
// not a pointer: a pointer into the matrix is formed only for a row that is read, so that A and B
// are never offset where they hold nothing (K = 0: either may be null, and an offset from a null
// pointer is undefined).
template <class T>
struct Rows {
  const T* data;
  std::size_t start, stride;
  const T* row(std::size_t i) const { return data + (start + i * stride); }
};

// out[k W + l] = rows.row(l)[k] for l < width (0 for l past it) and k < K: W rows stored side by
// side, a transpose. In steps of 8 k, so that each row is read 8 values at a time and the writes of
// a step stay in a few cache lines.
template <class T, std::size_t W>
[[gnu::always_inline]] inline void interleave_rows(Rows<T> rows, std::size_t width, std::size_t K, T* out) {
  constexpr std::size_t step = 8;
  std::size_t k0 = 0;
  for (; k0 + step <= K; k0 += step) {
    for (std::size_t l = 0; l < W; ++l) {
      for (std::size_t k = 0; k < step; ++k) out[(k0 + k) * W + l] = l < width ? rows.row(l)[k0 + k] : T(0);
    }
  }
  for (; k0 < K; ++k0) {
    for (std::size_t l = 0; l < W; ++l) out[k0 * W + l] = l < width ? rows.row(l)[k0] : T(0);
  }
}

// out[k W + l] = rows.row(k)[l] for l < width (0 past it) and k < K: runs of rows copied.
template <class T, std::size_t W>
[[gnu::always_inline]] inline void copy_rows(Rows<T> rows, std::size_t width, std::size_t K, T* out) {
  for (std::size_t k = 0; k < K; ++k, out += W) {
    const T* row = rows.row(k);
    std::copy(row, row + width, out);
    std::fill(out + width, out + W, T(0));
  }
}

// A transposed op(B)'s columns [j0, j0 + n) as panels of NR, bp[(panel K + k) NR + l] =
// op(B)[k, j0 + panel NR + l] = B[(j0 + panel NR + l) ldb + k], zero past n.
template <class T, class Isa>
[[gnu::always_inline]] inline void pack_b(const Product<T>& p, std::size_t j0, std::size_t n, T* bp) {
  constexpr std::size_t NR = kNR<T, Isa>;
  for (std::size_t first = 0; first < n; first += NR, bp += NR * p.K) {
    interleave_rows<T, NR>({p.B, (j0 + first) * p.ldb, p.ldb}, std::min(NR, n - first), p.K, bp);
  }
}

// The product with C transposed: C^T = op(B)^T op(A)^T.
template <class T>
Product<T> transposed(const Product<T>& p) {
  return {!p.b_t, !p.a_t, p.N, p.M, p.K, p.B, p.ldb, p.A, p.lda, p.C, p.ldc, p.alpha, p.beta, !p.c_t};
}

// acc[r][v] += op(A)[r, k] op(B)[k, v] for k ascending, each accumulator one element of C: op(A)'s
// rows read where each begins in A (k contiguous, `starts`) or its columns as MR values side by
// side (`columns`, one row of them at each k), op(B)'s NR values at each k from `b`'s row k.
template <class T, class Isa>
[[gnu::always_inline]] inline void multiply_rows(std::size_t K, const T* A, const std::size_t (&starts)[Isa::MR],
                                                 Rows<T> b, Vec<T, Isa> (&acc)[Isa::MR][Isa::NV]) {
  constexpr std::size_t MR = Isa::MR, NV = Isa::NV, L = kLanes<T, Isa>;
  for (std::size_t k = 0; k < K; ++k) {
    const T* bk = b.row(k);
    Vec<T, Isa> bv[NV];
    for (std::size_t v = 0; v < NV; ++v) load<T, L>(bv[v], bk + v * L);
    for (std::size_t r = 0; r < MR; ++r) {
      const T a = A[starts[r] + k];
      for (std::size_t v = 0; v < NV; ++v) acc[r][v] += a * bv[v];
    }
  }
}
template <class T, class Isa>
[[gnu::always_inline]] inline void multiply_columns(std::size_t K, Rows<T> columns, Rows<T> b,
                                                    Vec<T, Isa> (&acc)[Isa::MR][Isa::NV]) {
  constexpr std::size_t MR = Isa::MR, NV = Isa::NV, L = kLanes<T, Isa>;
  for (std::size_t k = 0; k < K; ++k) {
    const T *ak = columns.row(k), *bk = b.row(k);
    Vec<T, Isa> bv[NV];
    for (std::size_t v = 0; v < NV; ++v) load<T, L>(bv[v], bk + v * L);
    for (std::size_t r = 0; r < MR; ++r) {
      const T ar = ak[r];
      for (std::size_t v = 0; v < NV; ++v) acc[r][v] += ar * bv[v];
    }
  }
}

// Where a block reads op(A)'s MR rows: A's own rows where op(A) is A (where each begins in A, rows
// past M repeating the last), A's columns where op(A) is A^T and the block has MR rows, else a
// panel packed with zeros past M.
template <class T, class Isa>
struct RowsOfA {
  const T* A;
  std::size_t starts[Isa::MR];
  Rows<T> columns;
  bool by_rows;
};

// C's block of rows [i0, i0 + m) and columns [j0, j0 + n). A block cut by C's edges, or stored
// into a transposed C, goes through `tile`, of which only the elements inside C are written.
template <class T, class Isa>
[[gnu::always_inline]] inline void multiply_block(const Product<T>& p, const RowsOfA<T, Isa>& a, std::size_t i0,
                                                  std::size_t m, std::size_t j0, std::size_t n, Rows<T> b) {
  constexpr std::size_t MR = Isa::MR, NV = Isa::NV, L = kLanes<T, Isa>, NR = kNR<T, Isa>;
  Vec<T, Isa> acc[MR][NV] = {};  // K = 0 reads nothing: C = alpha 0 + beta C, as loops::gemm
  if (a.by_rows) {
    multiply_rows<T, Isa>(p.K, a.A, a.starts, b, acc);
  } else {
    multiply_columns<T, Isa>(p.K, a.columns, b, acc);
  }
  if (m == MR && n == NR && !p.c_t) {
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
  T tile[MR][NR];
  for (std::size_t r = 0; r < MR; ++r) {
    for (std::size_t v = 0; v < NV; ++v) store<T, L>(&tile[r][v * L], acc[r][v]);
  }
  for (std::size_t r = 0; r < m; ++r) {
    for (std::size_t j = 0; j < n; ++j) {
      T& c = p.c_t ? p.C[(j0 + j) * p.ldc + i0 + r] : p.C[(i0 + r) * p.ldc + j0 + j];
      c = p.alpha * tile[r][j] + (p.beta == T(0) ? T(0) : p.beta * c);
    }
  }
}

// A transposed op(B) is packed in blocks of columns of about this many values (a quarter of a
// core's L2 in float); the packing buffers are the thread's own and only grow.
constexpr std::size_t kPackedB = std::size_t{1} << 16;

// Packs only what the micro-kernel cannot read in place: a transposed op(B) (the smaller side of
// A B^T: computing C^T = B A^T packs A instead), the last panel of an op(B) that ends inside one,
// and the last block of rows of a transposed op(A).
template <class T, class Isa>
[[gnu::always_inline]] inline void multiply(const Product<T>& product) {
  constexpr std::size_t MR = Isa::MR, NR = kNR<T, Isa>;
  const bool swap = product.b_t && (product.a_t || product.M < product.N);
  const Product<T> p = swap ? transposed(product) : product;
  thread_local std::vector<T> a_panel, b_panels;
  const std::size_t NC = p.b_t ? std::max(NR, kPackedB / std::max<std::size_t>(p.K, 1) / NR * NR) : p.N;
  if (p.a_t && a_panel.size() < MR * p.K) a_panel.resize(MR * p.K);
  for (std::size_t j0 = 0; j0 < p.N; j0 += NC) {
    const std::size_t n = std::min(NC, p.N - j0), panels = (n + NR - 1) / NR;
    const std::size_t packed = p.b_t ? panels : n % NR != 0 ? 1 : 0;
    if (b_panels.size() < packed * NR * p.K) b_panels.resize(packed * NR * p.K);
    if (p.b_t) {
      pack_b<T, Isa>(p, j0, n, b_panels.data());
    } else if (packed == 1) {
      copy_rows<T, NR>({p.B, j0 + (panels - 1) * NR, p.ldb}, n - (panels - 1) * NR, p.K, b_panels.data());
    }
    for (std::size_t i0 = 0; i0 < p.M; i0 += MR) {
      const std::size_t m = std::min(MR, p.M - i0);
      RowsOfA<T, Isa> a{};
      a.by_rows = !p.a_t;
      if (!p.a_t) {
        a.A = p.A;
        for (std::size_t r = 0; r < MR; ++r) a.starts[r] = std::min(i0 + r, p.M - 1) * p.lda;
      } else if (m == MR) {
        a.columns = {p.A, i0, p.lda};
      } else {
        copy_rows<T, MR>({p.A, i0, p.lda}, m, p.K, a_panel.data());
        a.columns = {a_panel.data(), 0, MR};
      }
      for (std::size_t panel = 0; panel < panels; ++panel) {
        const std::size_t jp = j0 + panel * NR, width = std::min(NR, n - panel * NR);
        if (p.b_t) {
          multiply_block<T, Isa>(p, a, i0, m, jp, width, {b_panels.data(), panel * NR * p.K, NR});
        } else if (width == NR) {
          multiply_block<T, Isa>(p, a, i0, m, jp, width, {p.B, jp, p.ldb});
        } else {
          multiply_block<T, Isa>(p, a, i0, m, jp, width, {b_panels.data(), 0, NR});
        }
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
// thread, as kernels::gemm splits it (kernels/split_outputs.hpp).
template <class T>
void portable_gemm(const parallel::ThreadPool& pool, Transpose trans_a, Transpose trans_b, std::size_t M,
                   std::size_t N, std::size_t K, T alpha, const T* A, std::size_t lda, const T* B, std::size_t ldb,
                   T beta, T* C, std::size_t ldc) {
  if (M == 0 || N == 0) return;
  const bool a_t = trans_a == Transpose::yes, b_t = trans_b == Transpose::yes;
  const Product<T> whole{a_t, b_t, M, N, K, A, lda, B, ldb, C, ldc, alpha, beta};
  const VectorIsa isa = vector_isa();
  split_outputs(pool, M, N, K, kSplitWork, [&](OutputBlock block) {
    const std::size_t begin = block.begin, end = block.end;
    Product<T> share = whole;
    if (block.columns) {
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
