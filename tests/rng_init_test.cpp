// The generator and the initializers: the engine's standard sequence, our documented transforms,
// and each initializer's range and spread as PyTorch's torch.nn.init defines them.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "bpnn/bpnn.hpp"

namespace bpnn {
namespace {

TEST(Rng, EngineIsTheStandardMt19937_64) {
  // The C++ standard fixes the 10000th output of a default-seeded mt19937_64.
  Rng rng(5489);
  std::uint64_t x = 0;
  for (int i = 0; i < 10000; ++i) x = rng.next();
  EXPECT_EQ(x, 9981545732273789042ULL);
}

TEST(Rng, TransformsAreTheDocumentedOnes) {
  Rng rng(42);
  std::mt19937_64 engine(42);
  EXPECT_EQ(rng.uniform(), static_cast<double>(engine() >> 11) * 0x1.0p-53);
  const double u1 = 1.0 - static_cast<double>(engine() >> 11) * 0x1.0p-53;
  const double u2 = static_cast<double>(engine() >> 11) * 0x1.0p-53;
  EXPECT_EQ(rng.normal(1.0, 2.0), 1.0 + 2.0 * std::sqrt(-2.0 * math::log(u1)) * math::cos(2.0 * M_PI * u2));
}

TEST(Rng, UniformAndNormalHaveTheRightMoments) {
  Rng rng(7);
  const int n = 200000;
  double sum = 0, sum_sq = 0, lo = 1, hi = 0;
  for (int i = 0; i < n; ++i) {
    const double u = rng.uniform();
    sum += u;
    lo = std::min(lo, u);
    hi = std::max(hi, u);
  }
  EXPECT_NEAR(sum / n, 0.5, 0.005);
  EXPECT_GE(lo, 0.0);
  EXPECT_LT(hi, 1.0);
  sum = 0;
  for (int i = 0; i < n; ++i) {
    const double z = rng.normal(3.0, 2.0);
    sum += z;
    sum_sq += z * z;
  }
  const double mean = sum / n;
  EXPECT_NEAR(mean, 3.0, 0.02);
  EXPECT_NEAR(std::sqrt(sum_sq / n - mean * mean), 2.0, 0.02);
}

TEST(Rng, BelowIsInRangeAndCoversIt) {
  Rng rng(3);
  int counts[5] = {};
  for (int i = 0; i < 50000; ++i) ++counts[rng.below(5)];
  for (int c : counts) EXPECT_NEAR(c, 10000, 400);
  EXPECT_THROW(rng.below(0), Error);
}

// Draws a [out, in] tensor from init and returns (max |w|, standard deviation).
std::pair<double, double> spread(const Initializer& init, std::size_t out, std::size_t in) {
  Tensor<double> w(Shape{out, in});
  Rng rng(11);
  initialize<double>(w, init, rng);
  double max_abs = 0, sum_sq = 0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    max_abs = std::max(max_abs, std::abs(w[i]));
    sum_sq += w[i] * w[i];
  }
  return {max_abs, std::sqrt(sum_sq / static_cast<double>(w.size()))};
}

TEST(Initializer, RangesAndSpreadsFollowPyTorch) {
  const std::size_t out = 200, in = 300;
  const double xavier_bound = std::sqrt(6.0 / (in + out));
  auto [xu_max, xu_std] = spread(Initializer::xavier_uniform(), out, in);
  EXPECT_LE(xu_max, xavier_bound);
  EXPECT_NEAR(xu_std, xavier_bound / std::sqrt(3.0), 0.01 * xavier_bound);
  auto [xn_max, xn_std] = spread(Initializer::xavier_normal(2.0), out, in);
  EXPECT_NEAR(xn_std, 2.0 * std::sqrt(2.0 / (in + out)), 0.01 * xn_std);
  const double he_bound = std::sqrt(6.0 / in);
  auto [hu_max, hu_std] = spread(Initializer::he_uniform(), out, in);
  EXPECT_LE(hu_max, he_bound);
  EXPECT_NEAR(hu_std, std::sqrt(2.0 / in), 0.01 * hu_std);
  auto [hn_max, hn_std] = spread(Initializer::he_normal(), out, in);
  EXPECT_NEAR(hn_std, std::sqrt(2.0 / in), 0.01 * hn_std);
  auto [u_max, u_std] = spread(Initializer::uniform(-0.5, 0.5), out, in);
  EXPECT_LE(u_max, 0.5);
  auto [n_max, n_std] = spread(Initializer::normal(0.0, 1.0), out, in);
  EXPECT_NEAR(n_std, 1.0, 0.01);
  auto [c_max, c_std] = spread(Initializer::constant(0.25), 3, 3);
  EXPECT_EQ(c_max, 0.25);
  EXPECT_EQ(c_std, 0.25);
  auto [z_max, z_std] = spread(Initializer::zeros(), 3, 3);
  EXPECT_EQ(z_max, 0.0);
}

TEST(Initializer, FansCountTheReceptiveField) {
  // A conv weight [out 8, in 4, 3, 3]: fan_in = 36, so he_uniform's bound is sqrt(6 / 36).
  Tensor<double> w(Shape{8, 4, 3, 3});
  Rng rng(1);
  initialize<double>(w, Initializer::he_uniform(), rng);
  double max_abs = 0;
  for (std::size_t i = 0; i < w.size(); ++i) max_abs = std::max(max_abs, std::abs(w[i]));
  EXPECT_LE(max_abs, std::sqrt(6.0 / 36));
  EXPECT_GT(max_abs, 0.9 * std::sqrt(6.0 / 36));
}

TEST(Initializer, FanBasedInitOfAVectorIsAnError) {
  Tensor<double> b(Shape{10});
  Rng rng(1);
  EXPECT_THROW(initialize<double>(b, Initializer::xavier_uniform(), rng), Error);
  EXPECT_THROW(initialize<double>(b, Initializer::he_normal(), rng), Error);
}

TEST(Initializer, DenseDefaultIsPyTorchsLinearDefault) {
  Sequential<double> model(Shape{100});
  model.add(Dense<double>({.units = 50}));
  Rng rng(2);
  model.initialize(rng);
  double max_abs = 0;
  for (double v : model.parameters().values().span()) max_abs = std::max(max_abs, std::abs(v));
  EXPECT_LE(max_abs, 0.1);  // 1 / sqrt(100)
  EXPECT_GT(max_abs, 0.099);
}

TEST(Initializer, AFanBasedBiasTakesItsWeightsFans) {
  // A dense layer 3 -> 2 with xavier_uniform(gain 0.5) for weight and bias draws both from
  // U(-b, b), b = 0.5 sqrt(6 / (3 + 2)) - the weight's bound (scikit-learn's MLP init) - in order.
  const Initializer glorot = Initializer::xavier_uniform(0.5);
  Sequential<double> model(Shape{3});
  model.add(Dense<double>({.units = 2, .weight_init = glorot, .bias_init = glorot}));
  Rng rng(11), expected(11);
  model.initialize(rng);
  const double b = 0.5 * std::sqrt(6.0 / 5.0);
  const std::span<const double> values = model.parameters().values().span();
  ASSERT_EQ(values.size(), 8u);
  for (double v : values) EXPECT_EQ(v, expected.uniform(-b, b));
  EXPECT_EQ(model.parameters().entry(1).init, Initializer::uniform(-b, b));

  // he_normal: N(0, sqrt(2 / fan_in)) with a conv weight's fan_in, 2 channels * 3 * 3 = 18.
  EXPECT_EQ(bias_initializer(Initializer::he_normal(), Shape{4, 2, 3, 3}),
            Initializer::normal(0.0, std::sqrt(2.0 / 18)));
  EXPECT_EQ(bias_initializer(Initializer::he_uniform(), Shape{4, 2, 3, 3}),
            Initializer::uniform(-std::sqrt(6.0 / 18), std::sqrt(6.0 / 18)));
  // Others stay as they are; a weight of rank < 2 has no fans to give.
  EXPECT_EQ(bias_initializer(Initializer::constant(0.1), Shape{4, 2}), Initializer::constant(0.1));
  EXPECT_THROW(bias_initializer(Initializer::xavier_normal(), Shape{4}), Error);
}

TEST(Initializer, AFanBasedBiasInANetworkFile) {
  // The network description's bias_init takes the same rule: conv2d's bias draws after its weight
  // from U(-b, b), b = sqrt(6 / (fan_in + fan_out)) = sqrt(6 / (1 * 9 + 2 * 9)).
  const Network net = parse_network(R"({"input": [1, 4, 4], "layers": [{"type": "conv2d", "filters": 2,
      "kernel": 3, "init": "zeros", "bias_init": "xavier_uniform"}]})", "net.json");
  Sequential<float> model = build_model<float>(net);
  Rng rng(3), expected(3);
  model.initialize(rng);
  const double b = std::sqrt(6.0 / 27.0);
  const std::span<const float> values = model.parameters().values().span();
  ASSERT_EQ(values.size(), 20u);
  for (std::size_t i = 0; i < 18; ++i) EXPECT_EQ(values[i], 0.0f);
  for (std::size_t i = 18; i < 20; ++i) EXPECT_EQ(values[i], static_cast<float>(expected.uniform(-b, b)));
}

TEST(Initializer, SameSeedSameWeights) {
  auto draw = [](std::uint64_t seed) {
    Sequential<float> model(Shape{5});
    model.add(Dense<float>({.units = 7, .weight_init = Initializer::xavier_normal()}));
    Rng rng(seed);
    model.initialize(rng);
    auto v = model.parameters().values().span();
    return std::vector<float>(v.begin(), v.end());
  };
  EXPECT_EQ(draw(9), draw(9));
  EXPECT_NE(draw(9), draw(10));
}

}  // namespace
}  // namespace bpnn
