#include "kernels/gemm.hpp"

#include <cblas.h>

#include <string>

#include "bpnn/core/error.hpp"
#include "bpnn/core/threads.hpp"

namespace bpnn::kernels {
namespace {

CBLAS_TRANSPOSE to_cblas(Transpose t) { return t == Transpose::yes ? CblasTrans : CblasNoTrans; }

blasint to_int(std::size_t n) { return static_cast<blasint>(n); }

}  // namespace

template <>
void gemm<float>(Transpose trans_a, Transpose trans_b, std::size_t M, std::size_t N, std::size_t K,
                 float alpha, const float* A, std::size_t lda, const float* B, std::size_t ldb, float beta,
                 float* C, std::size_t ldc) {
  if (M == 0 || N == 0) return;
  cblas_sgemm(CblasRowMajor, to_cblas(trans_a), to_cblas(trans_b), to_int(M), to_int(N), to_int(K), alpha, A,
              to_int(lda), B, to_int(ldb), beta, C, to_int(ldc));
}

template <>
void gemm<double>(Transpose trans_a, Transpose trans_b, std::size_t M, std::size_t N, std::size_t K,
                  double alpha, const double* A, std::size_t lda, const double* B, std::size_t ldb,
                  double beta, double* C, std::size_t ldc) {
  if (M == 0 || N == 0) return;
  cblas_dgemm(CblasRowMajor, to_cblas(trans_a), to_cblas(trans_b), to_int(M), to_int(N), to_int(K), alpha, A,
              to_int(lda), B, to_int(ldb), beta, C, to_int(ldc));
}

template <class T>
void gemm_reference(Transpose trans_a, Transpose trans_b, std::size_t M, std::size_t N, std::size_t K,
                    T alpha, const T* A, std::size_t lda, const T* B, std::size_t ldb, T beta, T* C,
                    std::size_t ldc) {
  for (std::size_t i = 0; i < M; ++i) {
    for (std::size_t j = 0; j < N; ++j) {
      T sum = 0;
      for (std::size_t k = 0; k < K; ++k) {
        const T a = trans_a == Transpose::yes ? A[k * lda + i] : A[i * lda + k];
        const T b = trans_b == Transpose::yes ? B[j * ldb + k] : B[k * ldb + j];
        sum += a * b;
      }
      // beta == 0 ignores C's old contents (it may be uninitialized), as BLAS does.
      C[i * ldc + j] = alpha * sum + (beta == T(0) ? T(0) : beta * C[i * ldc + j]);
    }
  }
}

template void gemm_reference(Transpose, Transpose, std::size_t, std::size_t, std::size_t, float, const float*,
                             std::size_t, const float*, std::size_t, float, float*, std::size_t);
template void gemm_reference(Transpose, Transpose, std::size_t, std::size_t, std::size_t, double, const double*,
                             std::size_t, const double*, std::size_t, double, double*, std::size_t);

}  // namespace bpnn::kernels

namespace bpnn {

void set_num_threads(int threads) {
  if (threads < 1) throw Error("threads must be at least 1, got " + std::to_string(threads));
  openblas_set_num_threads(threads);
}

int num_threads() { return openblas_get_num_threads(); }

}  // namespace bpnn
