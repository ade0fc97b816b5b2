// Batch normalization: statistics and running buffers against hand-computed values (PyTorch's
// update rules), gradients in training and inference mode, and the buffers in model files.
#include <gtest/gtest.h>

#include <cmath>

#include "bpnn/bpnn.hpp"
#include "support/gradcheck.hpp"
#include "support/temp_dir.hpp"

namespace bpnn {
namespace {

using testing::random_tensor;

TEST(BatchNorm, TrainingNormalizesWithTheBatchAndUpdatesTheRunningStatistics) {
  Sequential<double> model(Shape{2});
  model.add(BatchNorm<double>());
  Rng rng(1);
  model.initialize(rng);
  // Feature 0: 1, 2, 3, 6 (mean 3, biased var 3.5, unbiased 14/3); feature 1: constant 5.
  const Tensor<double> x(Shape{4, 2}, {1, 5, 2, 5, 3, 5, 6, 5});
  const TensorView<const double> y = model.forward_train(x, rng);
  const double s = 1 / std::sqrt(3.5 + 1e-5);
  EXPECT_NEAR(y[0], -2 * s, 1e-12);
  EXPECT_NEAR(y[6], 3 * s, 1e-12);
  EXPECT_EQ(y[1], 0.0);  // a constant feature normalizes to 0 (eps keeps it finite)
  ParameterStore<double>& p = model.parameters();
  EXPECT_NEAR(p.value("0.running_mean")[0], 0.1 * 3, 1e-12);
  EXPECT_NEAR(p.value("0.running_mean")[1], 0.1 * 5, 1e-12);
  EXPECT_NEAR(p.value("0.running_var")[0], 0.9 + 0.1 * 14.0 / 3.0, 1e-12);
  EXPECT_NEAR(p.value("0.running_var")[1], 0.9, 1e-12);
  EXPECT_EQ(p.value("0.num_batches_tracked")[0], 1.0);
  // Inference uses the running statistics: (x - 0.3) / sqrt(running_var + eps) for feature 0.
  const TensorView<const double> z = model.forward(x);
  EXPECT_NEAR(z[0], (1 - 0.3) / std::sqrt(0.9 + 0.1 * 14.0 / 3.0 + 1e-5), 1e-12);
  EXPECT_EQ(p.value("0.num_batches_tracked")[0], 1.0);  // inference changes no buffer
}

TEST(BatchNorm, ChannelsOfImagesAreNormalizedOverBatchAndPixels) {
  Sequential<double> model(Shape{2, 2, 3});
  model.add(BatchNorm<double>({.momentum = 1.0}));  // running = the last batch's statistics
  Rng rng(1);
  model.initialize(rng);
  const Tensor<double> x = random_tensor(Shape{3, 2, 2, 3}, 4);
  const TensorView<const double> y = model.forward_train(x, rng);
  for (std::size_t c = 0; c < 2; ++c) {
    double sum = 0, squares = 0, x_sum = 0;
    for (std::size_t n = 0; n < 3; ++n) {
      for (std::size_t i = 0; i < 6; ++i) {
        const std::size_t k = (n * 2 + c) * 6 + i;
        sum += y[k];
        squares += y[k] * y[k];
        x_sum += x[k];
      }
    }
    EXPECT_NEAR(sum / 18, 0.0, 1e-12);
    EXPECT_NEAR(squares / 18, 1.0, 1e-3);  // var / (var + eps)
    EXPECT_NEAR(model.parameters().value("0.running_mean")[c], x_sum / 18, 1e-12);
  }
}

TEST(BatchNorm, TrainingOnOneValuePerChannelIsAnError) {
  Sequential<double> model(Shape{3});
  model.add(BatchNorm<double>());
  Rng rng(1);
  const Tensor<double> x(Shape{1, 3}, {1, 2, 3});
  try {
    model.forward_train(x, rng);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("layer 0 (batchnorm): training needs more than one value per channel"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(BatchNorm<double>({.eps = 0}), Error);
}

TEST(BatchNorm, BuffersAreNeverTrained) {
  Sequential<double> model(Shape{3});
  model.add(BatchNorm<double>());
  const ParameterStore<double>& p = model.parameters();
  EXPECT_TRUE(p.entry(p.index("0.weight")).trained());
  EXPECT_FALSE(p.entry(p.index("0.running_mean")).trained());
  EXPECT_FALSE(p.entry(p.index("0.running_var")).trained());
  EXPECT_TRUE(p.entry(p.index("0.num_batches_tracked")).integer);
}

TEST(LayerGradients, BatchNormFeaturesInTrainingMode) {
  auto r = testing::check_layer_gradients(std::make_unique<BatchNorm<double>>(), random_tensor(Shape{5, 3}, 2),
                                          {.train_seed = 1});
  EXPECT_TRUE(r.ok) << r.report;
  EXPECT_EQ(r.checked, 5u * 3 + 3 + 3);
}

TEST(LayerGradients, BatchNormChannelsInTrainingMode) {
  auto r = testing::check_layer_gradients(std::make_unique<BatchNorm<double>>(), random_tensor(Shape{2, 3, 2, 2}, 3),
                                          {.train_seed = 1});
  EXPECT_TRUE(r.ok) << r.report;
}

TEST(LayerGradients, BatchNormInInferenceMode) {
  auto r = testing::check_layer_gradients(std::make_unique<BatchNorm<double>>(BatchNormOptions{.affine = false}),
                                          random_tensor(Shape{3, 4}, 5));
  EXPECT_TRUE(r.ok) << r.report;
}

TEST(LayerGradients, ConvBatchNormNetworkInTrainingMode) {
  Sequential<double> model(Shape{1, 5, 5});
  model.add(Conv2d<double>({.filters = 2, .kernel = 3, .stride = 2, .padding = 1}));
  model.add(BatchNorm<double>());
  model.add(Activation<double>("relu"));
  model.add(Flatten<double>());
  model.add(Dense<double>({.units = 3}));
  model.add(BatchNorm<double>());
  Rng rng(3);
  model.initialize(rng);
  // Non-trivial gamma and beta, so their role in the gradient is exercised.
  for (double& g : model.parameters().value("1.weight").span()) g = rng.uniform(0.5, 1.5);
  for (double& b : model.parameters().value("5.bias").span()) b = rng.uniform(-0.5, 0.5);
  auto r = testing::check_model_gradients(model, random_tensor(Shape{4, 1, 5, 5}, 6), {.train_seed = 2});
  EXPECT_TRUE(r.ok) << r.report;
}

TEST(BatchNorm, FusedSgdEqualsBackwardThenStep) {
  const Network net = parse_network(
      R"({"input": [4], "layers": [{"type": "dense", "units": 3}, {"type": "batchnorm"}, {"type": "tanh"}, )"
      R"({"type": "dense", "units": 2}]})",
      "net");
  Sequential<double> fused = build_model<double>(net), plain = build_model<double>(net);
  Rng a(5), b(5);
  fused.initialize(a);
  plain.initialize(b);
  const Tensor<double> x = random_tensor(Shape{6, 4}, 7), t = random_tensor(Shape{6, 2}, 8);
  Mse<double> loss;
  Sgd<double> sgd({.learning_rate = 0.1});
  Trainer<double> fused_trainer(fused, loss, sgd);
  for (int step = 0; step < 3; ++step) fused_trainer.step(x, t);
  Tensor<double> grad(Shape{6, 2});
  Rng rng(0);
  for (int step = 0; step < 3; ++step) {
    plain.parameters().zero_grad();
    loss.backward(plain.forward_train(x, rng), t, grad.view());
    plain.backward(grad.view());
    sgd.step(plain.parameters());
  }
  for (std::size_t i = 0; i < fused.parameters().values().size(); ++i) {
    EXPECT_NEAR(fused.parameters().values()[i], plain.parameters().values()[i], 1e-12) << i;
  }
}

TEST(BatchNorm, ModelFileKeepsTheBuffersWithACountAsI64) {
  const testing::TempDir dir;
  const Network net = parse_network(R"({"input": [1, 4, 4], "layers": [{"type": "conv2d", "filters": 2, "kernel": 3},
      {"type": "batchnorm", "momentum": 0.2}, {"type": "flatten"}, {"type": "dense", "units": 2}]})", "net");
  Sequential<float> model = build_model<float>(net);
  Rng rng(2);
  model.initialize(rng);
  Tensor<float> x(Shape{3, 1, 4, 4});
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(rng.uniform());
  model.forward_train(x, rng);
  model.forward_train(x, rng);
  const std::string path = dir.file("bn.safetensors");
  save_model(path, model);
  const std::string bytes = read_file(path);
  EXPECT_NE(bytes.find(R"("1.num_batches_tracked":{"data_offsets")"), std::string::npos);
  EXPECT_NE(bytes.find(R"("dtype":"I64","shape":[])"), std::string::npos);
  LoadedModel<float> loaded = load_model<float>(path);
  const auto original = model.parameters().values(), copy = loaded.model.parameters().values();
  ASSERT_EQ(original.size(), copy.size());
  for (std::size_t i = 0; i < original.size(); ++i) EXPECT_EQ(original[i], copy[i]) << i;
  EXPECT_EQ(loaded.model.parameters().value("1.num_batches_tracked")[0], 2.0f);
}

}  // namespace
}  // namespace bpnn
