#include "kernels/gemm.hpp"

#include <algorithm>
#include <atomic>
#include <iterator>
#include <string>

#include "backend/loops.hpp"
#include "bpnn/core/error.hpp"
#include "core/parallel.hpp"
#include "kernels/split_outputs.hpp"

// BPNN_HAVE_BLAS and BPNN_HAVE_DNNL (0 or 1) are this file's alone (CMakeLists.txt), so every other
// object is the same in builds with and without them.
#if BPNN_HAVE_BLAS
#include <cblas.h>
#if BPNN_HAVE_DNNL
#include <omp.h>
#include <oneapi/dnnl/dnnl.h>

#include <type_traits>
#endif
#endif

namespace bpnn::kernels {
namespace {

constexpr GemmProvider kBuiltIn[] = {
    GemmProvider::loops,
#if BPNN_HAVE_BLAS
    GemmProvider::openblas,
#if BPNN_HAVE_DNNL
    GemmProvider::onednn,
#endif
#endif
};

// Read once per product, so all of its shares take the same provider.
std::atomic<GemmProvider> chosen{kBuiltIn[std::size(kBuiltIn) - 1]};

#if BPNN_HAVE_BLAS
CBLAS_TRANSPOSE to_cblas(Transpose t) { return t == Transpose::yes ? CblasTrans : CblasNoTrans; }

blasint to_int(std::size_t n) { return static_cast<blasint>(n); }

// CBLAS's functions for each scalar type.
template <class T>
struct Blas;
template <>
struct Blas<float> {
  static constexpr auto gemm = cblas_sgemm;
  static constexpr auto gemv = cblas_sgemv;
  static constexpr auto ger = cblas_sger;
};
template <>
struct Blas<double> {
  static constexpr auto gemm = cblas_dgemm;
  static constexpr auto gemv = cblas_dgemv;
  static constexpr auto ger = cblas_dger;
};

#if BPNN_HAVE_DNNL
// OpenBLAS has kernels that need no packing for small products (its small-matrix and direct
// sgemm kernels) only for its AVX-512 Intel cores.
bool openblas_has_small_kernels() {
  const std::string core = openblas_get_corename();
  return core == "SkylakeX" || core == "Cooperlake" || core == "SapphireRapids";
}

// oneDNN's sgemm beats OpenBLAS's from medium sizes on (1.4x at a dense layer's 64 x 128 x 784,
// where OpenBLAS spends a fifth of its time packing). Where OpenBLAS has its small kernels, they
// win on the smallest products and thin shapes; elsewhere (an AMD EPYC, which OpenBLAS 0.3.21
// runs with its Haswell kernels) OpenBLAS packs even a batch of 2 (2 x 128 x 784: 28 us against
// oneDNN's 3.9), and oneDNN is faster from about 2^15 multiply-adds (docs/performance.md). Vector
// shapes (M = 1, K = 1) stay on level-2 BLAS, faster in online training. The choice depends only on the machine, so
// results stay bit-identical run to run.
bool dnnl_suits(std::size_t M, std::size_t N, std::size_t K) {
  static const bool small_kernels = openblas_has_small_kernels();
  if (small_kernels) return M >= 16 && N >= 16 && M * N * K >= (std::size_t{1} << 18);
  return M > 1 && K > 1 && M * N * K >= (std::size_t{1} << 15);
}

// oneDNN threads through OpenMP; bpnn's threads are its pool's, so each call runs on its calling
// thread. The setting is the calling thread's own (an OpenMP ICV), put back afterwards.
class OneOmpThread {
 public:
  OneOmpThread() : before_(omp_get_max_threads()) {
    if (before_ != 1) omp_set_num_threads(1);
  }
  ~OneOmpThread() {
    if (before_ != 1) omp_set_num_threads(before_);
  }
  OneOmpThread(const OneOmpThread&) = delete;
  OneOmpThread& operator=(const OneOmpThread&) = delete;

 private:
  int before_;
};

void dnnl_product(bool a_t, bool b_t, std::size_t M, std::size_t N, std::size_t K, float alpha, const float* A,
                  std::size_t lda, const float* B, std::size_t ldb, float beta, float* C, std::size_t ldc) {
  const OneOmpThread one_thread;
  const auto dim = [](std::size_t n) { return static_cast<dnnl_dim_t>(n); };
  const dnnl_status_t status = dnnl_sgemm(a_t ? 'T' : 'N', b_t ? 'T' : 'N', dim(M), dim(N), dim(K), alpha, A,
                                          dim(lda), B, dim(ldb), beta, C, dim(ldc));
  if (status != dnnl_success) throw Error("oneDNN's sgemm failed with status " + std::to_string(status));
}
#endif

// Vector shapes go to level-2 BLAS: OpenBLAS's GEMM packs its operands first, which costs more
// than the whole product when one side is a single row (online training, batch 1).
template <class T>
void blas_product(Transpose trans_a, Transpose trans_b, std::size_t M, std::size_t N, std::size_t K, T alpha,
                  const T* A, std::size_t lda, const T* B, std::size_t ldb, T beta, T* C, std::size_t ldc) {
  const bool a_t = trans_a == Transpose::yes, b_t = trans_b == Transpose::yes;
  if (K == 1 && beta == T(1)) {
    // C += alpha a b^T, a being op(A)'s one column and b op(B)'s one row.
    Blas<T>::ger(CblasRowMajor, to_int(M), to_int(N), alpha, A, a_t ? 1 : to_int(lda), B, b_t ? to_int(ldb) : 1, C,
                 to_int(ldc));
  } else if (M == 1) {
    // c = alpha op(B)^T a + beta c, a being op(A)'s one row.
    Blas<T>::gemv(CblasRowMajor, b_t ? CblasNoTrans : CblasTrans, b_t ? to_int(N) : to_int(K),
                  b_t ? to_int(K) : to_int(N), alpha, B, to_int(ldb), A, a_t ? to_int(lda) : 1, beta, C, 1);
  } else {
    Blas<T>::gemm(CblasRowMajor, to_cblas(trans_a), to_cblas(trans_b), to_int(M), to_int(N), to_int(K), alpha, A,
                  to_int(lda), B, to_int(ldb), beta, C, to_int(ldc));
  }
}
#endif

// One share of a product, by the provider chosen; the loops are the reference backend's.
template <class T>
void product(GemmProvider provider, Transpose trans_a, Transpose trans_b, std::size_t M, std::size_t N, std::size_t K,
             T alpha, const T* A, std::size_t lda, const T* B, std::size_t ldb, T beta, T* C, std::size_t ldc) {
#if BPNN_HAVE_DNNL
  if constexpr (std::is_same_v<T, float>) {
    if (provider == GemmProvider::onednn && dnnl_suits(M, N, K)) {
      return dnnl_product(trans_a == Transpose::yes, trans_b == Transpose::yes, M, N, K, alpha, A, lda, B, ldb, beta,
                          C, ldc);
    }
  }
#endif
#if BPNN_HAVE_BLAS
  if (provider != GemmProvider::loops) {
    return blas_product(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  }
#endif
  (void)provider;
  loops::gemm(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

// Products smaller than this (M N K) stay on one thread: two shares of a smaller one took longer
// than the whole (784 -> 128 at batch 16, 1.6 million: 205k against 303k samples/s).
constexpr std::size_t kSplitWork = std::size_t{1} << 21;

}  // namespace

std::vector<GemmProvider> gemm_providers() { return {std::begin(kBuiltIn), std::end(kBuiltIn)}; }

GemmProvider gemm_provider() { return chosen.load(std::memory_order_relaxed); }

void set_gemm_provider(GemmProvider provider) {
  if (std::find(std::begin(kBuiltIn), std::end(kBuiltIn), provider) == std::end(kBuiltIn)) {
    throw Error("GEMM provider " + std::string(to_string(provider)) +
                " is not built in: configure with -DBPNN_BLAS=ON (OpenBLAS) and -DBPNN_DNNL=ON (oneDNN)");
  }
  chosen.store(provider, std::memory_order_relaxed);
}

std::string_view to_string(GemmProvider provider) {
  switch (provider) {
    case GemmProvider::loops:
      return "loops";
    case GemmProvider::openblas:
      return "openblas";
    case GemmProvider::onednn:
      return "onednn";
  }
  return "unknown";
}

#if BPNN_HAVE_BLAS
OneBlasThread::OneBlasThread() : before_(openblas_get_num_threads()) {
  if (before_ != 1) openblas_set_num_threads(1);
}

OneBlasThread::~OneBlasThread() {
  if (before_ != 1) openblas_set_num_threads(before_);
}
#else
// Without BLAS there is no second pool to hold back.
OneBlasThread::OneBlasThread() : before_(1) {}
OneBlasThread::~OneBlasThread() = default;
#endif

// With several threads, a large product is split into blocks of C's rows or columns, one per
// thread (kernels/split_outputs.hpp), each a single-threaded BLAS call (plain loops without BLAS).
template <class T>
void gemm(const parallel::ThreadPool& pool, Transpose trans_a, Transpose trans_b, std::size_t M, std::size_t N,
          std::size_t K, T alpha, const T* A, std::size_t lda, const T* B, std::size_t ldb, T beta, T* C,
          std::size_t ldc) {
  if (M == 0 || N == 0) return;
  const GemmProvider provider = gemm_provider();
  const bool a_t = trans_a == Transpose::yes, b_t = trans_b == Transpose::yes;
  split_outputs(pool, M, N, K, kSplitWork, [&](OutputBlock block) {
    const std::size_t begin = block.begin, end = block.end;
    if (block.columns) {
      product(provider, trans_a, trans_b, M, end - begin, K, alpha, A, lda, b_t ? B + begin * ldb : B + begin, ldb,
              beta, C + begin, ldc);
    } else {
      product(provider, trans_a, trans_b, end - begin, N, K, alpha, a_t ? A + begin : A + begin * lda, lda, B, ldb,
              beta, C + begin * ldc, ldc);
    }
  });
}

template void gemm(const parallel::ThreadPool&, Transpose, Transpose, std::size_t, std::size_t, std::size_t, float,
                   const float*, std::size_t, const float*, std::size_t, float, float*, std::size_t);
template void gemm(const parallel::ThreadPool&, Transpose, Transpose, std::size_t, std::size_t, std::size_t, double,
                   const double*, std::size_t, const double*, std::size_t, double, double*, std::size_t);

}  // namespace bpnn::kernels
