// The one GEMM wrapper: the only code that talks to CBLAS and oneDNN (in a build with
// BPNN_BLAS=OFF, plain loops instead, and OneBlasThread does nothing). Row-major throughout.
#pragma once

#include <cstddef>

#include "bpnn/backend/backend.hpp"
#include "core/parallel.hpp"

namespace bpnn::kernels {

// C[M, N] = alpha * op(A)[M, K] * op(B)[K, N] + beta * C[M, N], where op(X) is X or its transpose
// and lda, ldb, ldc are the row strides of A, B and C as stored. Large products are split between
// the pool's threads; each share is one call on one thread, to oneDNN's sgemm for medium float
// products where it is built in, else to OpenBLAS.
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
