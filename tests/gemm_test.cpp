// The cpu backend's GEMM (the CBLAS wrapper) against the reference backend's naive loops: every
// transpose combination, odd sizes, strides larger than the row, alpha and beta, float and double.
#include <gtest/gtest.h>

#include <vector>

#include "bpnn/backend/backend.hpp"
#include "bpnn/core/rng.hpp"

namespace bpnn {
namespace {

template <class T>
void compare(Transpose ta, Transpose tb, std::size_t M, std::size_t N, std::size_t K, T alpha, T beta,
             double tolerance) {
  Rng rng(M * 100 + N * 10 + K);
  const std::size_t pad = 3;  // row strides longer than the rows
  const std::size_t a_rows = ta == Transpose::no ? M : K, a_cols = ta == Transpose::no ? K : M;
  const std::size_t b_rows = tb == Transpose::no ? K : N, b_cols = tb == Transpose::no ? N : K;
  std::vector<T> A(a_rows * (a_cols + pad)), B(b_rows * (b_cols + pad)), C(M * (N + pad));
  for (T& v : A) v = static_cast<T>(rng.uniform(-1, 1));
  for (T& v : B) v = static_cast<T>(rng.uniform(-1, 1));
  for (T& v : C) v = static_cast<T>(rng.uniform(-1, 1));
  std::vector<T> expected = C;
  make_cpu_backend<T>()->gemm(ta, tb, M, N, K, alpha, A.data(), a_cols + pad, B.data(), b_cols + pad, beta, C.data(),
                              N + pad);
  make_reference_backend<T>()->gemm(ta, tb, M, N, K, alpha, A.data(), a_cols + pad, B.data(), b_cols + pad, beta,
                                    expected.data(), N + pad);
  for (std::size_t i = 0; i < C.size(); ++i) ASSERT_NEAR(C[i], expected[i], tolerance) << "element " << i;
}

TEST(Gemm, MatchesReferenceForEveryTranspose) {
  for (Transpose ta : {Transpose::no, Transpose::yes}) {
    for (Transpose tb : {Transpose::no, Transpose::yes}) {
      compare<double>(ta, tb, 7, 5, 11, 1.0, 0.0, 1e-12);
      compare<double>(ta, tb, 1, 9, 4, 0.5, 1.0, 1e-12);
      compare<double>(ta, tb, 13, 1, 3, -2.0, 0.25, 1e-12);
      compare<float>(ta, tb, 64, 10, 128, 1.0f, 1.0f, 1e-4);
      // The level-2 paths: an outer product (K = 1, accumulating) and a single row (M = 1).
      compare<double>(ta, tb, 7, 5, 1, -0.5, 1.0, 1e-12);
      compare<double>(ta, tb, 7, 5, 1, 1.0, 0.0, 1e-12);
      compare<double>(ta, tb, 1, 6, 1, 2.0, 1.0, 1e-12);
      compare<float>(ta, tb, 1, 128, 784, 1.0f, 0.0f, 1e-4);
      compare<float>(ta, tb, 128, 784, 1, 1.0f, 1.0f, 1e-5);
      // oneDNN's shapes: a dense layer at batch 64 (oneDNN on every machine) and at batch 2, and its
      // weight gradient (oneDNN where OpenBLAS lacks its small kernels).
      compare<float>(ta, tb, 64, 128, 784, 1.0f, 1.0f, 2e-4);
      compare<float>(ta, tb, 2, 128, 784, 1.0f, 0.0f, 2e-4);
      compare<float>(ta, tb, 128, 784, 2, -0.5f, 1.0f, 1e-5);
    }
  }
}

TEST(Gemm, EmptyProductsAreNoOps) {
  std::vector<float> C = {1, 2};
  make_cpu_backend<float>()->gemm(Transpose::no, Transpose::no, 0, 2, 3, 1.0f, nullptr, 3, nullptr, 2, 0.0f, C.data(), 2);
  EXPECT_EQ(C[0], 1.0f);
}

}  // namespace
}  // namespace bpnn
