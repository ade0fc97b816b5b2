// Convolution, pooling and flatten: forward against direct (naive) computation, backward against
// finite differences with batch > 1, stride and padding.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "bpnn/bpnn.hpp"
#include "support/gradcheck.hpp"
#include "support/thread_counts.hpp"

namespace bpnn {
namespace {

using testing::check_layer_gradients;
using testing::check_model_gradients;
using testing::random_tensor;

// The oracle: y[n,f,i,j] = b[f] + sum_{c,a,b} W[f,c,a,b] x[n,c,i S + a - P, j S + b - P] (0 outside).
Tensor<double> direct_conv(const Tensor<double>& x, const TensorView<const double> w, const TensorView<const double> b,
                           std::size_t stride, std::size_t padding) {
  const std::size_t N = x.shape()[0], C = x.shape()[1], H = x.shape()[2], W = x.shape()[3];
  const std::size_t F = w.shape()[0], K = w.shape()[2];
  const std::size_t Ho = (H + 2 * padding - K) / stride + 1, Wo = (W + 2 * padding - K) / stride + 1;
  Tensor<double> y(Shape{N, F, Ho, Wo});
  for (std::size_t n = 0; n < N; ++n)
    for (std::size_t f = 0; f < F; ++f)
      for (std::size_t i = 0; i < Ho; ++i)
        for (std::size_t j = 0; j < Wo; ++j) {
          double sum = b[f];
          for (std::size_t c = 0; c < C; ++c)
            for (std::size_t a = 0; a < K; ++a)
              for (std::size_t q = 0; q < K; ++q) {
                const long r = static_cast<long>(i * stride + a) - static_cast<long>(padding);
                const long s = static_cast<long>(j * stride + q) - static_cast<long>(padding);
                if (r < 0 || s < 0 || r >= static_cast<long>(H) || s >= static_cast<long>(W)) continue;
                sum += w[((f * C + c) * K + a) * K + q] *
                       x[((n * C + c) * H + static_cast<std::size_t>(r)) * W + static_cast<std::size_t>(s)];
              }
          y[((n * F + f) * Ho + i) * Wo + j] = sum;
        }
  return y;
}

struct ConvCase {
  std::size_t kernel, stride, padding;
};

class Conv : public ::testing::TestWithParam<ConvCase> {};

TEST_P(Conv, ForwardMatchesDirectConvolution) {
  const ConvCase c = GetParam();
  Sequential<double> model(Shape{2, 7, 6});
  model.add(Conv2d<double>({.filters = 3, .kernel = c.kernel, .stride = c.stride, .padding = c.padding}));
  Rng rng(1);
  model.initialize(rng);
  const Tensor<double> x = random_tensor(Shape{2, 2, 7, 6}, 2);
  const TensorView<const double> y = model.forward(x);
  const Tensor<double> expected =
      direct_conv(x, model.parameters().value("0.weight"), model.parameters().value("0.bias"), c.stride, c.padding);
  ASSERT_EQ(y.shape(), expected.shape());
  for (std::size_t i = 0; i < y.size(); ++i) ASSERT_NEAR(y[i], expected[i], 1e-12) << "element " << i;
}

TEST_P(Conv, GradientsMatchFiniteDifferences) {
  const ConvCase c = GetParam();
  auto r = check_layer_gradients(std::make_unique<Conv2d<double>>(Conv2dOptions{
                                     .filters = 3, .kernel = c.kernel, .stride = c.stride, .padding = c.padding}),
                                 random_tensor(Shape{2, 2, 7, 6}, 3));
  EXPECT_TRUE(r.ok) << r.report;
}

INSTANTIATE_TEST_SUITE_P(KernelStridePadding, Conv,
                         ::testing::Values(ConvCase{3, 1, 0}, ConvCase{3, 2, 1}, ConvCase{1, 1, 0}, ConvCase{5, 1, 2},
                                           ConvCase{2, 3, 1}, ConvCase{2, 2, 3}));

// LeNet's two convolutions, batch 32, in float on the cpu backend (its direct convolution for
// stride 1) against the reference backend in double on the same inputs: forward, dx, dW and db,
// each element within 2^-23 sqrt(n) of the sum of its n terms' magnitudes (rounding errors that
// add up like a random walk, at twice float's unit roundoff); the reference gives those sums from
// the inputs' absolute values. A fixed 1e-5 would not hold: a plain float loop over the first
// layer's 25,088 products per weight drifts by about 1e-4.
TEST(Conv2d, CpuFloatMatchesDoubleAtLeNetsShapes) {
  auto geometry = [](std::size_t C, std::size_t H, std::size_t F, std::size_t P) {
    return ConvGeometry{
        .C = C, .H = H, .W = H, .F = F, .K = 5, .S = 1, .P = P, .Ho = H + 2 * P - 4, .Wo = H + 2 * P - 4};
  };
  const std::size_t N = 32;
  for (const ConvGeometry& g : {geometry(1, 28, 6, 2), geometry(6, 14, 16, 0)}) {
    Rng rng(5);
    auto values = [&](std::size_t n) {
      std::vector<double> v(n);
      for (double& e : v) e = static_cast<float>(rng.uniform(-1.0, 1.0));  // exactly representable in float
      return v;
    };
    const std::size_t inputs = N * g.C * g.H * g.W, outputs = N * g.F * g.Ho * g.Wo, weights = g.F * g.C * g.K * g.K;
    const std::vector<double> x = values(inputs), w = values(weights), b = values(g.F), dy = values(outputs);
    const auto reference = make_reference_backend<double>();
    struct Results {
      std::vector<double> y, dx, dw, db;
    };
    auto run_reference = [&](const std::vector<double>& x, const std::vector<double>& w, const std::vector<double>& b,
                             const std::vector<double>& dy) {
      Results r{std::vector<double>(outputs), std::vector<double>(inputs), std::vector<double>(weights, 0.0),
                std::vector<double>(g.F, 0.0)};
      Tensor<double> scratch;
      reference->conv2d_forward(g, N, x.data(), w.data(), b.data(), r.y.data(), scratch);
      reference->conv2d_backward(g, N, x.data(), w.data(), dy.data(), r.dx.data(), r.dw.data(), r.db.data(), 0.5,
                                 scratch);
      return r;
    };
    auto magnitudes = [](std::vector<double> v) {
      for (double& e : v) e = std::abs(e);
      return v;
    };
    const Results want = run_reference(x, w, b, dy);
    const Results bound = run_reference(magnitudes(x), magnitudes(w), magnitudes(b), magnitudes(dy));
    auto as_float = [](const std::vector<double>& v) { return std::vector<float>(v.begin(), v.end()); };
    for (const int threads : testing::thread_counts({1, 2})) {
      const auto cpu = make_cpu_backend<float>({.threads = threads});
      std::vector<float> yf(outputs), dxf(inputs), dwf(weights, 0.0f), dbf(g.F, 0.0f);
      Tensor<float> scratch;
      const std::vector<float> xf = as_float(x), wf = as_float(w), bf = as_float(b), dyf = as_float(dy);
      cpu->conv2d_forward(g, N, xf.data(), wf.data(), bf.data(), yf.data(), scratch);
      cpu->conv2d_backward(g, N, xf.data(), wf.data(), dyf.data(), dxf.data(), dwf.data(), dbf.data(), 0.5f, scratch);
      auto expect_near = [&](const char* name, const std::vector<float>& got, const std::vector<double>& expected,
                             const std::vector<double>& magnitude, std::size_t terms) {
        for (std::size_t i = 0; i < expected.size(); ++i) {
          ASSERT_NEAR(got[i], expected[i], 0x1p-23 * std::sqrt(static_cast<double>(terms)) * magnitude[i])
              << name << "[" << i << "], C " << g.C << ", " << threads << " threads";
        }
      };
      expect_near("y", yf, want.y, bound.y, g.C * g.K * g.K + 1);
      expect_near("dx", dxf, want.dx, bound.dx, g.F * g.K * g.K);
      expect_near("dW", dwf, want.dw, bound.dw, N * g.Ho * g.Wo);
      expect_near("db", dbf, want.db, bound.db, N * g.Ho * g.Wo);
    }
  }
}

TEST(Conv2d, WithoutBiasAndShapeErrors) {
  auto r =
      check_layer_gradients(std::make_unique<Conv2d<double>>(Conv2dOptions{.filters = 2, .kernel = 2, .bias = false}),
                            random_tensor(Shape{3, 1, 4, 4}, 4));
  EXPECT_TRUE(r.ok) << r.report;
  Sequential<double> flat(Shape{16});
  EXPECT_THROW(flat.add(Conv2d<double>({.filters = 1})), Error);
  Sequential<double> small(Shape{1, 2, 2});
  EXPECT_THROW(small.add(Conv2d<double>({.filters = 1, .kernel = 3})), Error);
  EXPECT_THROW(Conv2d<double>({.filters = 0}), Error);
}

TEST(Pooling, ForwardValues) {
  const Tensor<double> x(Shape{1, 1, 4, 4}, {1, 2, 5, 6, 3, 4, 7, 8, -1, -2, 0, 0, -3, -4, 0, 9});
  Sequential<double> max(Shape{1, 4, 4}), avg(Shape{1, 4, 4});
  max.add(MaxPool2d<double>({.kernel = 2}));
  avg.add(AvgPool2d<double>({.kernel = 2}));
  const TensorView<const double> m = max.forward(x);
  ASSERT_EQ(m.shape(), (Shape{1, 1, 2, 2}));
  EXPECT_EQ(m[0], 4.0);
  EXPECT_EQ(m[1], 8.0);
  EXPECT_EQ(m[2], -1.0);
  EXPECT_EQ(m[3], 9.0);
  const TensorView<const double> a = avg.forward(x);
  EXPECT_DOUBLE_EQ(a[0], 2.5);
  EXPECT_DOUBLE_EQ(a[3], 2.25);
}

TEST(Pooling, GradientsWithBatchAndOverlappingWindows) {
  for (std::size_t stride : {1, 2}) {
    // Distinct values keep every window's maximum away from a tie.
    auto mr = check_layer_gradients(std::make_unique<MaxPool2d<double>>(Pool2dOptions{.kernel = 2, .stride = stride}),
                                    random_tensor(Shape{2, 2, 5, 5}, 5));
    EXPECT_TRUE(mr.ok) << mr.report;
    auto ar = check_layer_gradients(std::make_unique<AvgPool2d<double>>(Pool2dOptions{.kernel = 3, .stride = stride}),
                                    random_tensor(Shape{2, 2, 5, 5}, 6));
    EXPECT_TRUE(ar.ok) << ar.report;
  }
}

// Windows that tile the plane (kernel 2, stride 2) take a shortcut in backward; on ties it must
// pick the window's first maximum in row-major order, as the general loop does, and write 0 elsewhere.
TEST(Pooling, TiledBackwardGivesTheFirstMaximumOnTies) {
  // Four 2x2 windows of a 4 x 4 plane: a tie of all four, b and d tied, c and d tied, d alone.
  const std::vector<double> x = {7, 7, 1, 5,  //
                                 7, 7, 0, 5,  //
                                 2, 2, 0, 1,  //
                                 3, 3, 1, 4};
  const std::vector<double> dy = {10, 20, 30, 40};
  std::vector<double> dx(16, -1.0);  // poisoned: every value must be written
  const PoolGeometry g{.H = 4, .W = 4, .K = 2, .S = 2, .Ho = 2, .Wo = 2};
  make_reference_backend<double>()->max_pool_backward(g, 1, x.data(), dy.data(), dx.data());
  const std::vector<double> expected = {10, 0, 0, 20,  //
                                        0, 0, 0, 0,    //
                                        0, 0, 0, 0,    //
                                        30, 0, 0, 40};
  EXPECT_EQ(dx, expected);
  auto r = check_layer_gradients(std::make_unique<MaxPool2d<double>>(Pool2dOptions{.kernel = 2}),
                                 random_tensor(Shape{2, 3, 4, 6}, 8));
  EXPECT_TRUE(r.ok) << r.report;
}

TEST(Flatten, KeepsTheElementsAndChecksGradients) {
  auto r = check_layer_gradients(std::make_unique<Flatten<double>>(), random_tensor(Shape{2, 2, 3, 3}, 7));
  EXPECT_TRUE(r.ok) << r.report;
}

TEST(Cnn, WholeNetworkGradients) {
  Sequential<double> model = build_model<double>(parse_network(R"({"input": [1, 8, 8], "layers": [
      {"type": "conv2d", "filters": 3, "kernel": 3, "padding": 1}, {"type": "tanh"},
      {"type": "maxpool2d", "kernel": 2}, {"type": "conv2d", "filters": 4, "kernel": 3, "stride": 2},
      {"type": "relu"}, {"type": "avgpool2d", "kernel": 1}, {"type": "flatten"}, {"type": "dense", "units": 3}]})",
                                                                   "cnn.json"));
  EXPECT_EQ(model.output_shape(), (Shape{3}));
  EXPECT_EQ(model.parameters().entry(2).name, "3.weight");
  EXPECT_EQ(model.parameters().entry(2).shape, (Shape{4, 3, 3, 3}));
  Rng rng(8);
  model.initialize(rng);
  auto r = check_model_gradients(model, random_tensor(Shape{2, 1, 8, 8}, 9));
  EXPECT_TRUE(r.ok) << r.report;
}

}  // namespace
}  // namespace bpnn
