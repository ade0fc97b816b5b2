// The sequential model: PyTorch state_dict naming, shape checks, whole-network gradients,
// frozen parameters and skipping work below the first trainable layer.
#include <gtest/gtest.h>

#include "bpnn/bpnn.hpp"
#include "support/gradcheck.hpp"

namespace bpnn {
namespace {

using testing::check_model_gradients;
using testing::random_tensor;

TEST(Sequential, NamesParametersLikePyTorch) {
  Sequential<float> model(Shape{784});
  model.add(Dense<float>({.units = 128}));
  model.add(Activation<float>("relu"));
  model.add(Dense<float>({.units = 10, .bias = false}));
  const ParameterStore<float>& p = model.parameters();
  ASSERT_EQ(p.count(), 3u);
  EXPECT_EQ(p.entry(0).name, "0.weight");
  EXPECT_EQ(p.entry(0).shape, (Shape{128, 784}));
  EXPECT_EQ(p.entry(1).name, "0.bias");
  EXPECT_EQ(p.entry(1).shape, (Shape{128}));
  EXPECT_EQ(p.entry(2).name, "2.weight");
  EXPECT_EQ(p.entry(2).shape, (Shape{10, 128}));
  EXPECT_EQ(p.values().size(), 128u * 784 + 128 + 10 * 128);
  EXPECT_EQ(model.output_shape(), (Shape{10}));
  EXPECT_THROW(model.parameters().value("3.weight"), Error);
}

TEST(Sequential, ViewsStayValidAsTheStoreGrows) {
  Sequential<double> model(Shape{2});
  model.add(Dense<double>({.units = 2}));
  model.add(Dense<double>({.units = 2}));  // grows the store after layer 0 was bound
  Rng rng(1);
  model.initialize(rng);
  const Tensor<double> x(Shape{1, 2}, {1, 2});
  TensorView<const double> y = model.forward(x);
  const TensorView<const double> w0 = model.parameters().value("0.weight");
  const TensorView<const double> b0 = model.parameters().value("0.bias");
  const TensorView<const double> w1 = model.parameters().value("1.weight");
  const TensorView<const double> b1 = model.parameters().value("1.bias");
  const double h0 = w0[0] * 1 + w0[1] * 2 + b0[0], h1 = w0[2] * 1 + w0[3] * 2 + b0[1];
  EXPECT_NEAR(y[0], w1[0] * h0 + w1[1] * h1 + b1[0], 1e-15);
}

TEST(Sequential, WholeNetworkGradientsWithBatch) {
  Sequential<double> model(Shape{4});
  model.add(Dense<double>({.units = 5}));
  model.add(Activation<double>("tanh"));
  model.add(Dense<double>({.units = 3}));
  model.add(Activation<double>("sigmoid"));
  model.add(Dense<double>({.units = 2}));
  model.add(Softmax<double>());
  Rng rng(4);
  model.initialize(rng);
  auto r = check_model_gradients(model, random_tensor(Shape{3, 4}, 9));
  EXPECT_TRUE(r.ok) << r.report;
  EXPECT_EQ(r.checked, 3u * 4 + (5 * 4 + 5) + (3 * 5 + 3) + (2 * 3 + 2));
}

TEST(Sequential, RejectsInputOfTheWrongShapeNamingBoth) {
  Sequential<float> model(Shape{3});
  model.add(Dense<float>({.units = 2}));
  try {
    model.forward(Tensor<float>(Shape{4, 5}));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("[N, 3]"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("[4, 5]"), std::string::npos) << e.what();
  }
  model.forward(Tensor<float>(Shape{4, 3}));
  EXPECT_THROW(model.backward(Tensor<float>(Shape{4, 3})), Error);
}

TEST(Sequential, BackwardWithoutForwardIsAnError) {
  Sequential<float> model(Shape{3});
  model.add(Dense<float>({.units = 2}));
  EXPECT_THROW(model.backward(Tensor<float>(Shape{1, 2})), Error);
}

TEST(Sequential, LearningThroughStepIsAClearError) {
  Sequential<double> model(Shape{2});
  model.add(Dense<double>({.units = 2}));
  model.add(Activation<double>("step"));
  model.add(Dense<double>({.units = 1}));
  model.forward(Tensor<double>(Shape{1, 2}, {0.5, -0.5}));
  try {
    model.backward(Tensor<double>(Shape{1, 1}, {1.0}));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("layer 1 (step)"), std::string::npos) << e.what();
  }
  // With the layer below frozen, nothing needs a gradient through the step: it trains.
  model.parameters().set_frozen("0.weight");
  model.parameters().set_frozen("0.bias");
  model.parameters().zero_grad();
  model.forward(Tensor<double>(Shape{1, 2}, {0.5, -0.5}));
  EXPECT_NO_THROW(model.backward(Tensor<double>(Shape{1, 1}, {1.0})));
  EXPECT_EQ(model.parameters().grad("2.bias")[0], 1.0);
}

TEST(Sequential, ActivationBuffersAreReusedForASeenBatchSize) {
  Sequential<float> model(Shape{3});
  model.add(Dense<float>({.units = 4}));
  model.add(Activation<float>("relu"));
  const Tensor<float> big(Shape{8, 3}), small(Shape{2, 3});
  const float* first = model.forward(big).data();
  EXPECT_EQ(model.forward(small).data(), first);
  EXPECT_EQ(model.forward(big).data(), first);
  EXPECT_EQ(model.forward(small).shape(), (Shape{2, 4}));
}

}  // namespace
}  // namespace bpnn
