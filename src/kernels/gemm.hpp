// The one GEMM wrapper: the only code that talks to CBLAS and oneDNN, or runs plain loops instead
// (in a build with BPNN_BLAS=OFF, where OneBlasThread does nothing, or when chosen). Row-major
// throughout.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "bpnn/backend/backend.hpp"
#include "core/parallel.hpp"

namespace bpnn::kernels {

// Who computes each share of a product: the reference backend's plain loops, OpenBLAS, or oneDNN's
// sgemm for the float products of medium size and OpenBLAS for the rest. Every build has the
// loops, a build with BPNN_BLAS OpenBLAS too, and one that found oneDNN all three; the default is
// the last built in. The choice is the process's, so that one build runs the conformance tests
// once per provider (tests/CMakeLists.txt); set it before any backend call, not during one.
enum class GemmProvider { loops, openblas, onednn };
std::vector<GemmProvider> gemm_providers();  // those built in, in the order above
GemmProvider gemm_provider();
void set_gemm_provider(GemmProvider provider);  // throws bpnn::Error for one not built in
std::string_view to_string(GemmProvider provider);

// C[M, N] = alpha * op(A)[M, K] * op(B)[K, N] + beta * C[M, N], where op(X) is X or its transpose
// and lda, ldb, ldc are the row strides of A, B and C as stored. Large products are split between
// the pool's threads; each share is one call on one thread, to the provider chosen (above).
// Sets OpenBLAS to one thread for the life of the object and puts back what the process had
// (numpy in the same process keeps its setting): bpnn's threads are its pool's. One read of
// OpenBLAS's setting when it already is one thread. The setting is OpenBLAS's, for the whole
// process: a BLAS call of another thread meanwhile runs on one thread too. Hold one on the
// calling thread around every backend call that reaches BLAS, outside the pool's runs.
class OneBlasThread {
 public:
  OneBlasThread();
  ~OneBlasThread();
  OneBlasThread(const OneBlasThread&) = delete;
  OneBlasThread& operator=(const OneBlasThread&) = delete;

 private:
  int before_;
};

template <class T>
void gemm(const parallel::ThreadPool& pool, Transpose trans_a, Transpose trans_b, std::size_t M, std::size_t N,
          std::size_t K, T alpha, const T* A, std::size_t lda, const T* B, std::size_t ldb, T beta, T* C,
          std::size_t ldc);

}  // namespace bpnn::kernels
