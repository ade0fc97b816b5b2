// GEMM in portable arithmetic (internal): every element of C is one sum, k ascending from 0, of
// products each rounded before it is added (no fused multiply-add), then alpha sum + beta C: the
// bits of loops::gemm on any vector unit and at any thread count. Packed panels and a micro-kernel
// that keeps a block of C in vector registers, one copy per vector instruction set
// (kernels/vector_isa.hpp); threads split C, never a sum.
#pragma once

#include <cstddef>

#include "bpnn/backend/backend.hpp"
#include "core/parallel.hpp"
#include "kernels/vector_isa.hpp"

namespace bpnn::kernels {

// C[M, N] = alpha op(A)[M, K] op(B)[K, N] + beta C (beta 0 ignores C's old contents); op(X) is X or
// its transpose, lda, ldb and ldc the row strides as stored. Large products are split between the
// pool's threads by blocks of C's rows or columns.
template <class T>
void portable_gemm(const parallel::ThreadPool& pool, Transpose trans_a, Transpose trans_b, std::size_t M,
                   std::size_t N, std::size_t K, T alpha, const T* A, std::size_t lda, const T* B, std::size_t ldb,
                   T beta, T* C, std::size_t ldc);

}  // namespace bpnn::kernels
