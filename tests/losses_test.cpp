// Every loss: values against hand-computed (PyTorch-semantics) figures, gradients against finite
// differences for both reductions, and clear errors for misuse.
#include <gtest/gtest.h>

#include <cmath>

#include "bpnn/bpnn.hpp"
#include "support/gradcheck.hpp"

namespace bpnn {
namespace {

using testing::check_loss_gradients;
using testing::random_tensor;

const Tensor<double> kPrediction(Shape{2, 2}, {0.2, 0.9, 0.6, 0.1});
const Tensor<double> kTarget(Shape{2, 2}, {0.0, 1.0, 1.0, 0.5});

TEST(Mse, ValueIsTheMeanOfSquares) {
  const double sum = 0.04 + 0.01 + 0.16 + 0.16;
  EXPECT_DOUBLE_EQ(Mse<double>().forward(kPrediction, kTarget), sum / 4);
  EXPECT_DOUBLE_EQ(Mse<double>({.reduction = Reduction::sum}).forward(kPrediction, kTarget), sum);
}

TEST(Mae, ValueIsTheMeanOfAbsoluteDifferences) {
  EXPECT_DOUBLE_EQ(Mae<double>().forward(kPrediction, kTarget), (0.2 + 0.1 + 0.4 + 0.4) / 4);
}

TEST(Bce, ValueMatchesTheFormula) {
  double sum = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    const double p = kPrediction[i], t = kTarget[i];
    sum -= t * std::log(p) + (1 - t) * std::log(1 - p);
  }
  EXPECT_DOUBLE_EQ(Bce<double>().forward(kPrediction, kTarget), sum / 4);
}

TEST(Bce, ClampsLogOfZeroAtMinus100) {
  const Tensor<double> p(Shape{1, 2}, {0.0, 1.0});
  const Tensor<double> t(Shape{1, 2}, {1.0, 0.0});
  EXPECT_DOUBLE_EQ(Bce<double>().forward(p, t), 100.0);  // PyTorch gives 100 too
  Tensor<double> g(Shape{1, 2});
  Bce<double>().backward(p, t, g.view());
  EXPECT_TRUE(std::isfinite(g[0]) && std::isfinite(g[1]));
  EXPECT_LT(g[0], 0);
  EXPECT_GT(g[1], 0);
}

TEST(Bce, RejectsPredictionsOutsideZeroOne) {
  const Tensor<double> p(Shape{1, 2}, {0.5, 1.5});
  const Tensor<double> t(Shape{1, 2}, {1.0, 0.0});
  EXPECT_THROW(Bce<double>().forward(p, t), Error);
}

TEST(CrossEntropy, ClassIndexTargets) {
  const Tensor<double> z(Shape{2, 3}, {1, 2, 3, 0, 0, 0});
  const Tensor<double> t(Shape{2}, {2, 0});
  const double lse0 = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0));
  const double expected = ((lse0 - 3) + std::log(3.0)) / 2;
  EXPECT_NEAR(CrossEntropy<double>().forward(z, t), expected, 1e-15);
  EXPECT_NEAR(CrossEntropy<double>({.reduction = Reduction::sum}).forward(z, t), 2 * expected, 1e-15);
}

TEST(CrossEntropy, OneHotTargetsEqualIndexTargets) {
  const Tensor<double> z = random_tensor(Shape{4, 5}, 21, -3, 3);
  const Tensor<double> index(Shape{4}, {0, 4, 2, 2});
  Tensor<double> one_hot(Shape{4, 5});
  for (std::size_t n = 0; n < 4; ++n) one_hot(n, static_cast<std::size_t>(index[n])) = 1;
  EXPECT_NEAR(CrossEntropy<double>().forward(z, index), CrossEntropy<double>().forward(z, one_hot), 1e-14);
  Tensor<double> g1(z.shape()), g2(z.shape());
  CrossEntropy<double>().backward(z, index, g1.view());
  CrossEntropy<double>().backward(z, one_hot, g2.view());
  for (std::size_t i = 0; i < z.size(); ++i) EXPECT_NEAR(g1[i], g2[i], 1e-15);
}

TEST(CrossEntropy, StableForHugeLogits) {
  const Tensor<double> z(Shape{1, 2}, {1000, -1000});
  EXPECT_NEAR(CrossEntropy<double>().forward(z, Tensor<double>(Shape{1}, {0})), 0.0, 1e-12);
  EXPECT_NEAR(CrossEntropy<double>().forward(z, Tensor<double>(Shape{1}, {1})), 2000.0, 1e-9);
}

TEST(CrossEntropy, RejectsBadTargets) {
  const Tensor<double> z(Shape{2, 3});
  EXPECT_THROW(CrossEntropy<double>().forward(z, Tensor<double>(Shape{2}, {0, 3})), Error);
  EXPECT_THROW(CrossEntropy<double>().forward(z, Tensor<double>(Shape{2}, {0, 1.5})), Error);
  EXPECT_THROW(CrossEntropy<double>().forward(z, Tensor<double>(Shape{2}, {-1, 0})), Error);
  EXPECT_THROW(CrossEntropy<double>().forward(z, Tensor<double>(Shape{3})), Error);
  try {
    CrossEntropy<double>().forward(z, Tensor<double>(Shape{2}, {0, 7}));
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("sample 1"), std::string::npos) << e.what();
  }
}

TEST(Losses, RejectMismatchedShapes) {
  const Tensor<double> t(Shape{2, 3});
  EXPECT_THROW(Mse<double>().forward(kPrediction, t), Error);
  EXPECT_THROW(Mae<double>().forward(kPrediction, t), Error);
  EXPECT_THROW(Bce<double>().forward(kPrediction, t), Error);
}

TEST(LossGradients, EveryLossBothReductions) {
  const Tensor<double> p = random_tensor(Shape{3, 4}, 31, 0.05, 0.95);
  const Tensor<double> t = random_tensor(Shape{3, 4}, 32, 0.0, 1.0);
  for (Reduction r : {Reduction::mean, Reduction::sum}) {
    SCOPED_TRACE(r == Reduction::mean ? "mean" : "sum");
    auto mse = check_loss_gradients(Mse<double>({.reduction = r}), p, t);
    EXPECT_TRUE(mse.ok) << mse.report;
    // |p - t| stays away from 0 here (the kink) since p and t come from different draws.
    auto mae = check_loss_gradients(Mae<double>({.reduction = r}), p, t);
    EXPECT_TRUE(mae.ok) << mae.report;
    auto bce = check_loss_gradients(Bce<double>({.reduction = r}), p, t);
    EXPECT_TRUE(bce.ok) << bce.report;
    const Tensor<double> z = random_tensor(Shape{3, 4}, 33, -3, 3);
    auto ce_index =
        check_loss_gradients(CrossEntropy<double>({.reduction = r}), z, Tensor<double>(Shape{3}, {1, 3, 0}));
    EXPECT_TRUE(ce_index.ok) << ce_index.report;
    Tensor<double> soft = random_tensor(Shape{3, 4}, 34, 0.0, 1.0);  // rows need not sum to 1
    auto ce_soft = check_loss_gradients(CrossEntropy<double>({.reduction = r}), z, soft);
    EXPECT_TRUE(ce_soft.ok) << ce_soft.report;
  }
}

Tensor<float> to_float(const Tensor<double>& x) {
  Tensor<float> y(x.shape());
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = static_cast<float>(x[i]);
  return y;
}

// value_and_gradient is what training calls: exactly forward's E and backward's dE/dprediction,
// also for cross-entropy, whose one pass serves both.
TEST(LossValueAndGradient, AgreesWithForwardAndBackward) {
  const Tensor<float> p = to_float(random_tensor(Shape{3, 4}, 41, 0.05, 0.95));
  const Tensor<float> t = to_float(random_tensor(Shape{3, 4}, 42, 0.0, 1.0));
  const Tensor<float> z = to_float(random_tensor(Shape{3, 4}, 43, -3, 3));
  const Tensor<float> index(Shape{3}, {1, 3, 0});
  for (Reduction r : {Reduction::mean, Reduction::sum}) {
    const Mse<float> mse({.reduction = r});
    const Bce<float> bce({.reduction = r});
    const CrossEntropy<float> ce({.reduction = r});
    const std::vector<std::pair<const Loss<float>*, std::pair<const Tensor<float>*, const Tensor<float>*>>> cases = {
        {&mse, {&p, &t}}, {&bce, {&p, &t}}, {&ce, {&z, &index}}, {&ce, {&z, &t}}};
    for (const auto& [loss, inputs] : cases) {
      SCOPED_TRACE(std::string(loss->name()) + (r == Reduction::mean ? " mean" : " sum"));
      const Tensor<float>& x = *inputs.first;
      const Tensor<float>& y = *inputs.second;
      Tensor<float> separate(x.shape()), together(x.shape());
      loss->backward(x.view(), y.view(), separate.view());
      EXPECT_EQ(loss->value_and_gradient(*default_backend<float>(), x.view(), y.view(), together.view()),
                loss->forward(x.view(), y.view()));
      for (std::size_t i = 0; i < x.size(); ++i) EXPECT_EQ(together[i], separate[i]);
    }
  }
}

}  // namespace
}  // namespace bpnn
