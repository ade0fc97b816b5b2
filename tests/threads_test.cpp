// A trained model predicts from several threads at once: Sequential::infer is const, each thread
// brings its own workspace, and every thread gets exactly the single-threaded outputs. The test
// suite also runs this under ThreadSanitizer (scripts/test.sh), which reports any data race.
#include <gtest/gtest.h>

#include <cstring>
#include <thread>
#include <vector>

#include "bpnn/bpnn.hpp"

namespace bpnn {
namespace {

TEST(Threads, ConcurrentInferenceOnOneModelMatchesSingleThreaded) {
  set_num_threads(1);  // BLAS in the calling thread: the threads are the callers'
  const Network net = parse_network(R"({"input": [1, 12, 12], "layers": [
      {"type": "conv2d", "filters": 4, "kernel": 3, "padding": 1}, {"type": "batchnorm"}, {"type": "relu"},
      {"type": "maxpool2d", "kernel": 2}, {"type": "flatten"}, {"type": "dropout", "p": 0.2},
      {"type": "dense", "units": 16}, {"type": "batchnorm"}, {"type": "tanh"}, {"type": "dense", "units": 5}]})",
                                    "net");
  Sequential<float> model = build_model<float>(net);
  Rng rng(4);
  model.initialize(rng);
  Tensor<float> x(Shape{64, 1, 12, 12}), t(Shape{64});
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(rng.uniform(-1, 1));
  for (std::size_t n = 0; n < 64; ++n) t[n] = static_cast<float>(rng.below(5));
  CrossEntropy<float> loss;
  Sgd<float> sgd({.learning_rate = 0.1, .momentum = 0.9});
  fit(model, loss, sgd, x, t, rng, {.epochs = 2, .batch_size = 16});  // running statistics of its own

  const Sequential<float>& trained = model;
  const std::vector<float> parameters(trained.parameters().values().data(),
                                      trained.parameters().values().data() + trained.parameters().values().size());
  const Evaluation reference = evaluate(trained, loss, x, t, 10);
  // Batches of different sizes and offsets, so workspaces are resized while others run; each
  // expected output computed alone first (GEMM's summation order may depend on the batch size).
  constexpr int kThreads = 4, kRounds = 20;
  auto batch = [&](int k, int round) {
    const std::size_t first = static_cast<std::size_t>((round * 7 + k * 5) % 48), count = 1 + static_cast<std::size_t>(round + k) % 16;
    return x.view().samples(first, count);
  };
  std::vector<std::vector<float>> expected;
  Sequential<float>::Workspace single;
  for (int k = 0; k < kThreads; ++k) {
    for (int round = 0; round < kRounds; ++round) {
      const TensorView<const float> y = trained.infer(batch(k, round), single);
      expected.emplace_back(y.data(), y.data() + y.size());
    }
  }

  std::vector<int> mismatches(kThreads, 0);
  std::vector<double> losses(kThreads, 0.0);
  std::vector<std::thread> threads;
  for (int k = 0; k < kThreads; ++k) {
    threads.emplace_back([&, k] {
      Sequential<float>::Workspace workspace;
      for (int round = 0; round < kRounds; ++round) {
        const TensorView<const float> out = trained.infer(batch(k, round), workspace);
        const std::vector<float>& want = expected[static_cast<std::size_t>(k * kRounds + round)];
        mismatches[k] += out.size() != want.size() || std::memcmp(out.data(), want.data(), want.size() * sizeof(float)) != 0;
      }
      losses[k] = evaluate(trained, loss, x, t, 10).loss;
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int k = 0; k < kThreads; ++k) {
    EXPECT_EQ(mismatches[k], 0) << "thread " << k;
    EXPECT_EQ(losses[k], reference.loss) << "thread " << k;
  }
  const TensorView<const float> after = trained.parameters().values();
  EXPECT_EQ(std::memcmp(after.data(), parameters.data(), parameters.size() * sizeof(float)), 0);  // nothing changed
}

}  // namespace
}  // namespace bpnn
