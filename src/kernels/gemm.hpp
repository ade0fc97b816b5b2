// The one GEMM wrapper: the only code that talks to CBLAS. Row-major throughout.
// gemm_reference is the naive triple loop the tests use as the oracle.
#pragma once

#include <cstddef>

namespace bpnn::kernels {

enum class Transpose { no, yes };

// C[M, N] = alpha * op(A)[M, K] * op(B)[K, N] + beta * C[M, N], where op(X) is X or its transpose
// and lda, ldb, ldc are the row strides of A, B and C as stored.
template <class T>
void gemm(Transpose trans_a, Transpose trans_b, std::size_t M, std::size_t N, std::size_t K, T alpha,
          const T* A, std::size_t lda, const T* B, std::size_t ldb, T beta, T* C, std::size_t ldc);

template <class T>
void gemm_reference(Transpose trans_a, Transpose trans_b, std::size_t M, std::size_t N, std::size_t K,
                    T alpha, const T* A, std::size_t lda, const T* B, std::size_t ldb, T beta, T* C,
                    std::size_t ldc);

}  // namespace bpnn::kernels
