// Every layer: forward values against hand-computed ones, and backward against finite differences
// (batch > 1) through the shared gradient checker, which also checks the overwrite/accumulate contract.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string_view>
#include <vector>

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
  auto r = check_layer_gradients(make(Activation<double>("sigmoid")), random_tensor(Shape{3, 4}, 3, -4, 4));
  EXPECT_TRUE(r.ok) << r.report;
}

TEST(LayerGradients, Tanh) {
  auto r = check_layer_gradients(make(Activation<double>("tanh")), random_tensor(Shape{3, 4}, 4, -3, 3));
  EXPECT_TRUE(r.ok) << r.report;
}

TEST(LayerGradients, ReluAwayFromTheKink) {
  auto r = check_layer_gradients(make(Activation<double>("relu")), random_tensor(Shape{3, 4}, 5, -1, 1, 0.05));
  EXPECT_TRUE(r.ok) << r.report;
}

TEST(LayerGradients, LeakyReluAwayFromTheKink) {
  auto r = check_layer_gradients(make(Activation<double>("leaky_relu", 0.2)),
                                 random_tensor(Shape{3, 4}, 6, -1, 1, 0.05));
  EXPECT_TRUE(r.ok) << r.report;
}

TEST(LayerGradients, Identity) {
  auto r = check_layer_gradients(make(Activation<double>("identity")), random_tensor(Shape{2, 3}, 7));
  EXPECT_TRUE(r.ok) << r.report;
}

// Every row of the activation table that has a gradient, away from the kinks at 0 (relu's):
// a new row is checked here without a line of its own.
TEST(LayerGradients, EveryActivationRow) {
  for (const ActivationRow& row : activation_table) {
    if (!row.no_gradient.empty()) continue;
    auto r = check_layer_gradients(make(Activation<double>(row.name)), random_tensor(Shape{3, 4}, 12, -3, 3, 0.05));
    EXPECT_TRUE(r.ok) << row.name << ": " << r.report;
  }
}

TEST(LayerGradients, Softmax) {
  auto r = check_layer_gradients(make(Softmax<double>()), random_tensor(Shape{3, 5}, 8, -3, 3));
  EXPECT_TRUE(r.ok) << r.report;
}

// The step function's derivative is 0 away from the threshold: the finite difference shows it,
// and backward refuses to pretend (a clear error instead of silent zeros).
TEST(LayerGradients, StepHasNoUsableGradient) {
  const Tensor<double> x = random_tensor(Shape{2, 3}, 9, -1, 1, 0.05);
  EXPECT_THROW(check_layer_gradients(make(Activation<double>("step")), x), Error);
  Sequential<double> model(Shape{3});
  model.add(Activation<double>("step"));
  Tensor<double> xs = x;
  const Tensor<double> before = run(make(Activation<double>("step")), xs);
  xs[0] += 1e-3;
  const Tensor<double> after = run(make(Activation<double>("step")), xs);
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
  const Tensor<double> sig = run(make(Activation<double>("sigmoid")), x);
  EXPECT_DOUBLE_EQ(sig[2], 0.5);
  EXPECT_DOUBLE_EQ(sig[3], 1 / (1 + std::exp(-1.5)));
  const Tensor<double> th = run(make(Activation<double>("tanh")), x);
  EXPECT_DOUBLE_EQ(th[0], std::tanh(-2.0));
  const Tensor<double> relu = run(make(Activation<double>("relu")), x);
  EXPECT_EQ(relu[0], 0);
  EXPECT_EQ(relu[2], 0);
  EXPECT_EQ(relu[3], 1.5);
  const Tensor<double> leaky = run(make(Activation<double>("leaky_relu")), x);
  EXPECT_DOUBLE_EQ(leaky[0], -0.02);  // PyTorch's default slope 0.01
  EXPECT_EQ(leaky[3], 1.5);
  const Tensor<double> step = run(make(Activation<double>("step")), x);
  EXPECT_EQ(step[1], 0);
  EXPECT_EQ(step[2], 1);  // the threshold itself fires
  const Tensor<double> id = run(make(Activation<double>("identity")), x);
  EXPECT_EQ(id[1], -0.5);
}

TEST(LayerForward, ActivationsByNameWithTheirOptions) {
  EXPECT_EQ(Activation<float>("leaky_relu").option(), 0.01);
  EXPECT_TRUE(Activation<float>("leaky_relu", 0.2).config() == (LayerConfig{"leaky_relu", {{"slope", 0.2}}}));
  EXPECT_TRUE(Activation<float>("tanh").config() == (LayerConfig{"tanh", {}}));
  try {
    Activation<float>("tanhh");
    FAIL() << "an unknown activation must throw";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("unknown activation 'tanhh'; use sigmoid, tanh"), std::string::npos) << message;
  }
  EXPECT_THROW(Activation<float>("relu", 0.1), Error);  // relu has no option
}

// An activation's values and derivatives at xs: forward, then backward with dE/dy = 1.
struct Curve {
  std::vector<double> y, dydx;
};
Curve curve(std::string_view activation, const std::vector<double>& xs) {
  Sequential<double> model(Shape{xs.size()});
  model.add(Activation<double>(activation));
  const Tensor<double> x(Shape{1, xs.size()}, xs);
  const TensorView<const double> y = model.forward(x);
  Curve c{{y.data(), y.data() + y.size()}, {}};
  const Tensor<double> ones(x.shape(), std::vector<double>(xs.size(), 1.0));
  Tensor<double> dx(x.shape());
  model.backward(ones, dx.view());
  c.dydx.assign(dx.data(), dx.data() + dx.size());
  return c;
}

// GELU, exact: x Phi(x); Phi(1) = 0.841344746068543 and phi(1) = 0.241970724519143 (N(0, 1)).
TEST(LayerForward, Gelu) {
  const Curve c = curve("gelu", {-1, 0, 1, 3});
  EXPECT_NEAR(c.y[0], -0.158655253931457, 1e-15);
  EXPECT_EQ(c.y[1], 0.0);
  EXPECT_NEAR(c.y[2], 0.841344746068543, 1e-15);
  EXPECT_NEAR(c.y[3], 3 * 0.998650101968370, 1e-14);
  EXPECT_NEAR(c.dydx[0], 0.158655253931457 - 0.241970724519143, 1e-15);  // Phi(-1) - phi(-1)
  EXPECT_EQ(c.dydx[1], 0.5);
  EXPECT_NEAR(c.dydx[2], 0.841344746068543 + 0.241970724519143, 1e-15);
}

// SiLU: x s(x) with s the sigmoid; s(1) = 0.731058578630005, s(-2) = 0.119202922022118.
TEST(LayerForward, Silu) {
  const Curve c = curve("silu", {-2, 0, 1});
  EXPECT_NEAR(c.y[0], -2 * 0.119202922022118, 1e-15);
  EXPECT_EQ(c.y[1], 0.0);
  EXPECT_NEAR(c.y[2], 0.731058578630005, 1e-15);
  EXPECT_NEAR(c.dydx[0], 0.119202922022118 * (1 - 2 * (1 - 0.119202922022118)), 1e-15);
  EXPECT_EQ(c.dydx[1], 0.5);
  EXPECT_NEAR(c.dydx[2], 0.731058578630005 * (2 - 0.731058578630005), 1e-15);
}

// ELU with alpha 1: e^x - 1 below 0, its derivative e^x; e^-1 = 0.367879441171442.
TEST(LayerForward, Elu) {
  const Curve c = curve("elu", {-1, 0, 2});
  EXPECT_NEAR(c.y[0], 0.367879441171442 - 1, 1e-15);
  EXPECT_EQ(c.y[1], 0.0);
  EXPECT_EQ(c.y[2], 2.0);
  EXPECT_NEAR(c.dydx[0], 0.367879441171442, 1e-15);
  EXPECT_EQ(c.dydx[1], 1.0);  // e^0, as the left side's limit
  EXPECT_EQ(c.dydx[2], 1.0);
}

// Softplus with beta 1 and threshold 20: ln(1 + e^x), and x itself above 20 (as PyTorch's); its
// derivative is the sigmoid. ln 2 = 0.693147180559945, ln(1 + e^-1) = 0.313261687518223.
TEST(LayerForward, Softplus) {
  const Curve c = curve("softplus", {-1, 0, 20, 25});
  EXPECT_NEAR(c.y[0], 0.313261687518223, 1e-15);
  EXPECT_NEAR(c.y[1], 0.693147180559945, 1e-15);
  EXPECT_NEAR(c.y[2], 20 + 2.06115361819020e-9, 1e-14);  // ln(1 + e^20), at the threshold
  EXPECT_EQ(c.y[3], 25.0);
  EXPECT_NEAR(c.dydx[0], 0.268941421369995, 1e-15);  // 1 / (1 + e)
  EXPECT_EQ(c.dydx[1], 0.5);
  EXPECT_EQ(c.dydx[3], 1.0);
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
  f.add(Activation<float>("tanh"));
  f.add(Dense<float>({.units = 2}));
  f.add(Softmax<float>());
  d.add(Dense<double>({.units = 4}));
  d.add(Activation<double>("tanh"));
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

namespace bpnn {
namespace {

TEST(Dropout, InferenceIsTheIdentity) {
  const Tensor<double> x = testing::random_tensor(Shape{3, 4}, 1);
  Sequential<double> model(Shape{4});
  model.add(Dropout<double>({.p = 0.5}));
  const TensorView<const double> y = model.forward(x);
  for (std::size_t i = 0; i < x.size(); ++i) EXPECT_EQ(y[i], x[i]);
}

TEST(Dropout, TrainingZeroesAShareP_AndScalesTheRest) {
  Tensor<double> x(Shape{100, 100});
  x.fill(2.0);
  Sequential<double> model(Shape{100});
  model.add(Dropout<double>({.p = 0.3}));
  Rng rng(4);
  const TensorView<const double> y = model.forward_train(x, rng);
  std::size_t zeros = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (y[i] == 0) {
      ++zeros;
    } else {
      EXPECT_DOUBLE_EQ(y[i], 2.0 / 0.7);
    }
  }
  EXPECT_NEAR(static_cast<double>(zeros) / 10000, 0.3, 0.02);
  Rng same(4);
  const std::vector<double> first(y.data(), y.data() + y.size());
  const TensorView<const double> again = model.forward_train(x, same);
  EXPECT_TRUE(std::equal(first.begin(), first.end(), again.data()));  // same seed, same mask
  EXPECT_THROW(Dropout<double>({.p = 1.0}), Error);
}

TEST(LayerGradients, DropoutInTrainingMode) {
  auto r = testing::check_layer_gradients(std::make_unique<Dropout<double>>(DropoutOptions{.p = 0.4}),
                                          testing::random_tensor(Shape{3, 5}, 2), {.train_seed = 11});
  EXPECT_TRUE(r.ok) << r.report;
}

TEST(LayerGradients, NetworkWithDropoutInTrainingMode) {
  Sequential<double> model = build_model<double>(parse_network("6-5tanh-4", "net"));
  model.add(Dropout<double>({.p = 0.5}));
  model.add(Dense<double>({.units = 2}));
  Rng rng(3);
  model.initialize(rng);
  auto r = testing::check_model_gradients(model, testing::random_tensor(Shape{4, 6}, 5), {.train_seed = 12});
  EXPECT_TRUE(r.ok) << r.report;
}

TEST(Dropout, TrainerTrainsInTrainingModeAndEvaluatesInInference) {
  Sequential<float> model(Shape{8});
  model.add(Dropout<float>({.p = 0.5}));
  model.add(Dense<float>({.units = 1, .weight_init = Initializer::constant(1), .bias_init = Initializer::zeros()}));
  Rng init(1);
  model.initialize(init);
  Tensor<float> x(Shape{1, 8});
  x.fill(1.0f);
  const Tensor<float> t(Shape{1, 1}, {0.0f});
  Mse<float> loss;
  Sgd<float> sgd({.learning_rate = 0.0});
  Rng rng(9);
  Trainer<float> trainer(model, loss, sgd, {.rng = &rng});
  const float eval_loss = loss.forward(model.forward(x), t);  // y = 8 in inference
  EXPECT_FLOAT_EQ(eval_loss, 64.0f);
  // In training y = 2 * (the number of the 8 inputs that survive), which varies from step to step.
  bool varied = false;
  for (int step = 0; step < 10; ++step) {
    const float train_loss = trainer.step(x, t);
    EXPECT_EQ(std::fmod(std::sqrt(train_loss), 2.0f), 0.0f) << train_loss;
    varied = varied || train_loss != eval_loss;
  }
  EXPECT_TRUE(varied);
}

}  // namespace
}  // namespace bpnn
