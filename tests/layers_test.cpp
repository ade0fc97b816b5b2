// Every layer: forward values against hand-computed ones, and backward against finite differences
// (batch > 1) through the shared gradient checker, which also checks the overwrite/accumulate contract.
#include <gtest/gtest.h>

#include <cmath>

#include "bpnn/bpnn.hpp"
#include "support/gradcheck.hpp"

namespace bpnn {
namespace {

using testing::check_layer_gradients;
using testing::random_tensor;

template <class L>
std::unique_ptr<Layer<double>> make(L layer) {
  return std::make_unique<L>(std::move(layer));
}

// Runs one layer forward on input [N, ...] and returns its output.
Tensor<double> run(std::unique_ptr<Layer<double>> layer, const Tensor<double>& input) {
  Sequential<double> model(input.shape().without_batch());
  model.add(std::move(layer));
  TensorView<const double> y = model.forward(input);
  Tensor<double> out(y.shape());
  copy(y, out.view());
  return out;
}

TEST(LayerGradients, Dense) {
  auto r = check_layer_gradients(make(Dense<double>({.units = 4})), random_tensor(Shape{3, 5}, 1));
  EXPECT_TRUE(r.ok) << r.report;
  EXPECT_EQ(r.checked, 3u * 5 + 4 * 5 + 4);
}

TEST(LayerGradients, DenseWithoutBias) {
  auto r = check_layer_gradients(make(Dense<double>({.units = 3, .bias = false})), random_tensor(Shape{4, 2}, 2));
  EXPECT_TRUE(r.ok) << r.report;
  EXPECT_EQ(r.checked, 4u * 2 + 3 * 2);
}

TEST(LayerGradients, Sigmoid) {
  auto r = check_layer_gradients(make(Sigmoid<double>()), random_tensor(Shape{3, 4}, 3, -4, 4));
  EXPECT_TRUE(r.ok) << r.report;
}

TEST(LayerGradients, Tanh) {
  auto r = check_layer_gradients(make(Tanh<double>()), random_tensor(Shape{3, 4}, 4, -3, 3));
  EXPECT_TRUE(r.ok) << r.report;
}

TEST(LayerGradients, ReluAwayFromTheKink) {
  auto r = check_layer_gradients(make(Relu<double>()), random_tensor(Shape{3, 4}, 5, -1, 1, 0.05));
  EXPECT_TRUE(r.ok) << r.report;
}

TEST(LayerGradients, LeakyReluAwayFromTheKink) {
  auto r = check_layer_gradients(make(LeakyRelu<double>({.slope = 0.2})), random_tensor(Shape{3, 4}, 6, -1, 1, 0.05));
  EXPECT_TRUE(r.ok) << r.report;
}

TEST(LayerGradients, Identity) {
  auto r = check_layer_gradients(make(Identity<double>()), random_tensor(Shape{2, 3}, 7));
  EXPECT_TRUE(r.ok) << r.report;
}

TEST(LayerGradients, Softmax) {
  auto r = check_layer_gradients(make(Softmax<double>()), random_tensor(Shape{3, 5}, 8, -3, 3));
  EXPECT_TRUE(r.ok) << r.report;
}

// The step function's derivative is 0 away from the threshold: the finite difference shows it,
// and backward refuses to pretend (a clear error instead of silent zeros).
TEST(LayerGradients, StepHasNoUsableGradient) {
  const Tensor<double> x = random_tensor(Shape{2, 3}, 9, -1, 1, 0.05);
  EXPECT_THROW(check_layer_gradients(make(Step<double>()), x), Error);
  Sequential<double> model(Shape{3});
  model.add(Step<double>());
  Tensor<double> xs = x;
  const Tensor<double> before = run(make(Step<double>()), xs);
  xs[0] += 1e-3;
  const Tensor<double> after = run(make(Step<double>()), xs);
  EXPECT_EQ(before[0], after[0]);  // numerically flat
  model.forward(x);
  Tensor<double> dx(x.shape());
  try {
    model.backward(Tensor<double>(x.shape()), dx.view());
    FAIL() << "backward through step must throw";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("layer 0 (step)"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("perceptron rule"), std::string::npos) << e.what();
  }
}

TEST(LayerForward, DenseComputesXWTransposePlusBias) {
  Sequential<double> model(Shape{3});
  model.add(Dense<double>({.units = 2}));
  copy<double>(Tensor<double>(Shape{2, 3}, {1, 2, 3, 4, 5, 6}), model.parameters().value("0.weight"));
  copy<double>(Tensor<double>(Shape{2}, {0.5, -1}), model.parameters().value("0.bias"));
  const Tensor<double> x(Shape{2, 3}, {1, 0, -1, 2, 1, 0});
  TensorView<const double> y = model.forward(x);
  ASSERT_EQ(y.shape(), (Shape{2, 2}));
  EXPECT_DOUBLE_EQ(y[0], 1 - 3 + 0.5);
  EXPECT_DOUBLE_EQ(y[1], 4 - 6 - 1);
  EXPECT_DOUBLE_EQ(y[2], 2 + 2 + 0.5);
  EXPECT_DOUBLE_EQ(y[3], 8 + 5 - 1);
}

TEST(LayerForward, Activations) {
  const Tensor<double> x(Shape{1, 4}, {-2, -0.5, 0, 1.5});
  const Tensor<double> sig = run(make(Sigmoid<double>()), x);
  EXPECT_DOUBLE_EQ(sig[2], 0.5);
  EXPECT_DOUBLE_EQ(sig[3], 1 / (1 + std::exp(-1.5)));
  const Tensor<double> th = run(make(Tanh<double>()), x);
  EXPECT_DOUBLE_EQ(th[0], std::tanh(-2.0));
  const Tensor<double> relu = run(make(Relu<double>()), x);
  EXPECT_EQ(relu[0], 0);
  EXPECT_EQ(relu[2], 0);
  EXPECT_EQ(relu[3], 1.5);
  const Tensor<double> leaky = run(make(LeakyRelu<double>()), x);
  EXPECT_DOUBLE_EQ(leaky[0], -0.02);  // PyTorch's default slope 0.01
  EXPECT_EQ(leaky[3], 1.5);
  const Tensor<double> step = run(make(Step<double>()), x);
  EXPECT_EQ(step[1], 0);
  EXPECT_EQ(step[2], 1);  // the threshold itself fires
  const Tensor<double> id = run(make(Identity<double>()), x);
  EXPECT_EQ(id[1], -0.5);
}

TEST(LayerForward, SoftmaxRowsAreProbabilitiesEvenForHugeLogits) {
  const Tensor<double> x(Shape{2, 3}, {1, 2, 3, 1000, 1000, -1000});
  const Tensor<double> y = run(make(Softmax<double>()), x);
  const double e = std::exp(1.0);
  const double denominator = 1 + e + e * e;
  EXPECT_DOUBLE_EQ(y[0], 1 / denominator);
  EXPECT_DOUBLE_EQ(y[2], e * e / denominator);
  EXPECT_DOUBLE_EQ(y[3], 0.5);
  EXPECT_DOUBLE_EQ(y[4], 0.5);
  EXPECT_EQ(y[5], 0.0);
}

TEST(LayerForward, FloatAgreesWithDouble) {
  Sequential<float> f(Shape{3});
  Sequential<double> d(Shape{3});
  f.add(Dense<float>({.units = 4}));
  f.add(Tanh<float>());
  f.add(Dense<float>({.units = 2}));
  f.add(Softmax<float>());
  d.add(Dense<double>({.units = 4}));
  d.add(Tanh<double>());
  d.add(Dense<double>({.units = 2}));
  d.add(Softmax<double>());
  Rng rf(3), rd(3);
  f.initialize(rf);
  d.initialize(rd);
  const Tensor<double> xd = random_tensor(Shape{5, 3}, 11);
  Tensor<float> xf(Shape{5, 3});
  for (std::size_t i = 0; i < xd.size(); ++i) xf[i] = static_cast<float>(xd[i]);
  TensorView<const float> yf = f.forward(xf);
  TensorView<const double> yd = d.forward(xd);
  for (std::size_t i = 0; i < yd.size(); ++i) EXPECT_NEAR(yf[i], yd[i], 1e-6);
}

TEST(LayerBuild, ShapeErrorsNameTheLayer) {
  Sequential<double> model(Shape{2, 3});
  try {
    model.add(Dense<double>({.units = 4}));
    FAIL() << "dense on [2, 3] samples must throw";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("layer 0 (dense)"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("[2, 3]"), std::string::npos) << e.what();
  }
  EXPECT_THROW(Dense<double>({.units = 0}), Error);
}

}  // namespace
}  // namespace bpnn
