// GEMM in portable arithmetic (internal): every element of C is one sum, k ascending from 0, of
// products each rounded before it is added (no fused multiply-add), then alpha sum + beta C: the
// bits of loops::gemm on any vector unit and at any thread count. Packed panels and a micro-kernel
// that keeps a block of C in vector registers (the compiler's vector extensions), one copy per
// vector instruction set, picked when the program runs; lanes never share a sum, so every copy
// gives the same bits and threads split C, never a sum.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "bpnn/backend/backend.hpp"
#include "core/parallel.hpp"

namespace bpnn::kernels {

// The copies of the micro-kernel: 128-bit vectors (SSE2 on x86-64's baseline; NEON on aarch64,
// SIMD128 in WebAssembly: there the only one), AVX2's 256 and AVX-512's 512 bits. The default is
// the widest the CPU runs; tests choose each in turn to compare their bits (set it before any
// backend call, not during one: the choice is the process's).
enum class VectorIsa { baseline, avx2, avx512 };
std::vector<VectorIsa> vector_isas();  // those this CPU runs, in the order above
VectorIsa vector_isa();
void set_vector_isa(VectorIsa isa);  // throws bpnn::Error for one this CPU does not run
std::string_view to_string(VectorIsa isa);

// C[M, N] = alpha op(A)[M, K] op(B)[K, N] + beta C (beta 0 ignores C's old contents); op(X) is X or
// its transpose, lda, ldb and ldc the row strides as stored. Large products are split between the
// pool's threads by blocks of C's rows or columns.
template <class T>
void portable_gemm(const parallel::ThreadPool& pool, Transpose trans_a, Transpose trans_b, std::size_t M,
                   std::size_t N, std::size_t K, T alpha, const T* A, std::size_t lda, const T* B, std::size_t ldb,
                   T beta, T* C, std::size_t ldc);

// P[i, j] = (...((P[i, j] + op(A)[i, 0] op(B)[0, j]) + op(A)[i, 1] op(B)[1, j]) ...), k ascending, on
// the calling thread: a sum that goes on through several calls (a weight gradient over samples).
template <class T>
void portable_gemm_accumulate(Transpose trans_a, Transpose trans_b, std::size_t M, std::size_t N, std::size_t K,
                              const T* A, std::size_t lda, const T* B, std::size_t ldb, T* P, std::size_t ldp);

}  // namespace bpnn::kernels
