// The cpu backend's GEMM (the CBLAS wrapper) against the reference backend's naive loops: every
// transpose combination, odd sizes, strides larger than the row, alpha and beta, float and double,
// with each GEMM provider the build has (plain loops, OpenBLAS, oneDNN).
#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

#include "bpnn/backend/backend.hpp"
#include "bpnn/core/error.hpp"
#include "bpnn/core/rng.hpp"
#include "kernels/gemm.hpp"

namespace bpnn {
namespace kernels {
// Test names and messages show the provider's name.
void PrintTo(GemmProvider provider, std::ostream* out) { *out << to_string(provider); }
}  // namespace kernels
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

using kernels::GemmProvider;

// Each test runs with one provider chosen, and puts back the one before.
class Gemm : public testing::TestWithParam<GemmProvider> {
 protected:
  void SetUp() override { kernels::set_gemm_provider(GetParam()); }
  void TearDown() override { kernels::set_gemm_provider(before_); }

 private:
  GemmProvider before_ = kernels::gemm_provider();
};

std::string provider_name(const testing::TestParamInfo<GemmProvider>& info) {
  return std::string(to_string(info.param));
}
INSTANTIATE_TEST_SUITE_P(Providers, Gemm, testing::ValuesIn(kernels::gemm_providers()), provider_name);

TEST_P(Gemm, MatchesReferenceForEveryTranspose) {
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

TEST_P(Gemm, EmptyProductsAreNoOps) {
  std::vector<float> C = {1, 2};
  make_cpu_backend<float>()->gemm(Transpose::no, Transpose::no, 0, 2, 3, 1.0f, nullptr, 3, nullptr, 2, 0.0f, C.data(),
                                  2);
  EXPECT_EQ(C[0], 1.0f);
}

// The default is the fastest built in: oneDNN where it was found, else OpenBLAS, else the loops.
TEST(GemmProviders, DefaultIsTheLastBuiltIn) {
  const std::vector<GemmProvider> built_in = kernels::gemm_providers();
  ASSERT_FALSE(built_in.empty());
  EXPECT_EQ(built_in.front(), GemmProvider::loops);
  EXPECT_EQ(kernels::gemm_provider(), built_in.back());
}

TEST(GemmProviders, RefusesOneNotBuiltIn) {
  const std::vector<GemmProvider> built_in = kernels::gemm_providers();
  for (GemmProvider p : {GemmProvider::loops, GemmProvider::openblas, GemmProvider::onednn}) {
    if (std::find(built_in.begin(), built_in.end(), p) != built_in.end()) continue;
    EXPECT_THROW(kernels::set_gemm_provider(p), Error) << to_string(p);
  }
  EXPECT_EQ(kernels::gemm_provider(), built_in.back());
}

}  // namespace
}  // namespace bpnn
