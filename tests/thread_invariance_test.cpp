// Thread invariance, portable arithmetic's promise for training (docs/arithmetic.md): a seed fixes
// every bit of a training run at any thread count. An MLP with Adam and a small CNN with batch norm
// and dropout train a few hundred steps at 1, 2 and 3 threads; their model files are the same bytes.
#include <gtest/gtest.h>

#include <string>

#include "bpnn/bpnn.hpp"
#include "bpnn/io/model_file.hpp"

namespace bpnn {
namespace {

struct Trained {
  std::string model_file;  // model_bytes: every parameter and buffer (batch norm's running statistics)
  float accuracy = 0;      // on the training data, in the arithmetic it was trained in
};

// Labelled samples of `classes` classes: each class its own bright region of the input, plus noise.
struct Samples {
  Tensor<float> inputs, labels;
};
Samples samples(const Shape& sample_shape, std::size_t n, std::size_t classes, std::uint64_t seed) {
  Samples s{Tensor<float>(sample_shape.with_batch(n)), Tensor<float>(Shape{n})};
  const std::size_t width = sample_shape.numel(), region = width / classes;
  Rng rng(seed);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t label = rng.below(classes);
    s.labels[i] = static_cast<float>(label);
    for (std::size_t j = 0; j < width; ++j) {
      s.inputs[i * width + j] = static_cast<float>(rng.uniform(0, 0.5) + (j / region == label ? 0.6 : 0.0));
    }
  }
  return s;
}

Trained train(const std::string& network, const Samples& data, const OptimizerSpec& spec, const FitOptions& options,
              int threads) {
  Sequential<float> model = build_model<float>(parse_network(network, "network"));
  model.set_backend(make_cpu_backend<float>({.threads = threads, .arithmetic = Arithmetic::portable}));
  Rng rng(2024);
  model.initialize(rng);
  const std::unique_ptr<Optimizer<float>> optimizer = make_optimizer<float>(spec);
  CrossEntropy<float> loss;
  fit(model, loss, *optimizer, data.inputs.view(), data.labels.view(), rng, options);
  return {model_bytes(model),
          static_cast<float>(evaluate(model, loss, data.inputs.view(), data.labels.view()).accuracy)};
}

void expect_the_same_bytes_at_1_2_and_3_threads(const std::string& network, const Samples& data,
                                                 const OptimizerSpec& spec, const FitOptions& options,
                                                 float least_accuracy) {
  const Trained one = train(network, data, spec, options, 1);
  EXPECT_GE(one.accuracy, least_accuracy);  // it learned: the runs compared are real training
  for (int threads : {2, 3}) {
    const Trained other = train(network, data, spec, options, threads);
    EXPECT_TRUE(other.model_file == one.model_file) << threads << " threads give other model bytes";
    EXPECT_EQ(other.accuracy, one.accuracy) << threads << " threads";
  }
}

// 400 steps: 25 epochs of 16 batches of 16, Adam with gradient clipping.
TEST(ThreadInvariance, AnMlpTrainedWithAdamIsTheSameBytesAt1To3Threads) {
  const Samples data = samples(Shape{24}, 256, 4, 1);
  expect_the_same_bytes_at_1_2_and_3_threads(
      R"({"input": [24], "layers": [{"type": "dense", "units": 32}, {"type": "tanh"},
          {"type": "dense", "units": 16}, {"type": "gelu"}, {"type": "dense", "units": 4}]})",
      data, {.name = "adam", .learning_rate = 0.003},
      {.epochs = 25, .batch_size = 16, .max_grad_norm = 1.0}, 0.95F);
}

// 300 steps: 30 epochs of 10 batches of 12, momentum SGD; batch norm after the convolution and the
// dense layer, dropout between.
TEST(ThreadInvariance, ACnnWithBatchNormAndDropoutIsTheSameBytesAt1To3Threads) {
  const Samples data = samples(Shape{1, 8, 8}, 120, 4, 2);
  expect_the_same_bytes_at_1_2_and_3_threads(
      R"({"input": [1, 8, 8], "layers": [
          {"type": "conv2d", "filters": 4, "kernel": 3, "padding": 1}, {"type": "batchnorm"}, {"type": "relu"},
          {"type": "maxpool2d", "kernel": 2}, {"type": "flatten"}, {"type": "dropout", "p": 0.25},
          {"type": "dense", "units": 12}, {"type": "batchnorm"}, {"type": "relu"}, {"type": "dense", "units": 4}]})",
      data, {.name = "momentum", .learning_rate = 0.05, .momentum = 0.9}, {.epochs = 30, .batch_size = 12}, 0.9F);
}

}  // namespace
}  // namespace bpnn
