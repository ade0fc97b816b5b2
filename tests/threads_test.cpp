// Threads, both kinds: a cpu backend's own pool (CpuBackendOptions::threads), which splits GEMMs
// and the loops of conv2d, pooling and batch norm, and callers' threads predicting on one model at once
// (Sequential::infer is const, each thread with its own workspace). The test suite also runs this
// under ThreadSanitizer (scripts/test.sh), which reports any data race.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bpnn/bpnn.hpp"
#include "core/parallel.hpp"
#include "support/expect_error.hpp"

namespace bpnn {
namespace {

TEST(Pool, RunsEveryPartOnceAndNestedRunsInline) {
  for (int threads : {1, 2, 3, 8}) {  // 8: more threads than cores, where threads take over late ones' parts
    const parallel::ThreadPool pool(threads);
    EXPECT_EQ(pool.threads(), static_cast<std::size_t>(threads));
    EXPECT_EQ(pool.parts(), static_cast<std::size_t>(threads));
    for (int round = 0; round < 50; ++round) {  // many runs in a row: workers spinning and sleeping
      std::vector<int> calls(static_cast<std::size_t>(threads), 0), nested(static_cast<std::size_t>(threads), 0);
      pool.run([&](std::size_t part, std::size_t parts) {
        ++calls[part];
        EXPECT_EQ(parts, static_cast<std::size_t>(threads));
        pool.run([&](std::size_t inner, std::size_t inner_parts) {  // inside a run: one part, inline
          nested[part] += static_cast<int>(inner == 0 && inner_parts == 1);
        });
      });
      for (int part = 0; part < threads; ++part) {
        EXPECT_EQ(calls[static_cast<std::size_t>(part)], 1);
        EXPECT_EQ(nested[static_cast<std::size_t>(part)], 1);
      }
    }
  }
  testing::expect_error([] { make_cpu_backend<float>({.threads = 0}); }, {"threads must be 1 to 1024, got 0"});
  testing::expect_error([] { make_cpu_backend<float>({.threads = 5000}); }, {"threads must be 1 to 1024, got 5000"});
  // Two pools: a run on one is no run on the other, but nested runs still go inline.
  const parallel::ThreadPool outer(2), inner(2);
  std::vector<int> inner_parts(2, 0);
  outer.run([&](std::size_t part, std::size_t) { inner_parts[part] = static_cast<int>(inner.parts()); });
  EXPECT_EQ(inner_parts, (std::vector<int>{1, 1}));
  EXPECT_EQ(make_cpu_backend<float>({.threads = 3})->threads(), 3U);
  EXPECT_EQ(default_backend<float>()->threads(), 1U);
}

TEST(Pool, SharesCoverTheRangeAndForRangeEveryItemOnce) {
  for (std::size_t parts : {1, 2, 3, 7}) {
    std::size_t next = 0;
    for (std::size_t part = 0; part < parts; ++part) {
      const auto [begin, end] = parallel::share(10, part, parts);
      EXPECT_EQ(begin, next);
      next = end;
    }
    EXPECT_EQ(next, 10U);
  }
  const parallel::ThreadPool pool(3);
  std::vector<std::atomic<int>> seen(1000);
  parallel::for_range(pool, seen.size(), 1000, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) ++seen[i];
  });
  for (const std::atomic<int>& count : seen) EXPECT_EQ(count.load(), 1);
}

TEST(Pool, AnExceptionInAWorkerReachesTheCallerAndThePoolGoesOn) {
  const parallel::ThreadPool pool(2);
  EXPECT_THROW(pool.run([](std::size_t part, std::size_t) {
                 if (part == 1) throw std::runtime_error("part 1 failed");
               }),
               std::runtime_error);
  std::vector<int> calls(2, 0);
  pool.run([&](std::size_t part, std::size_t) { ++calls[part]; });
  EXPECT_EQ(calls, (std::vector<int>{1, 1}));
}

// Large products are split into blocks of C across the pool: along N when N >= M, else along M,
// with every transpose combination and row strides longer than the rows.
TEST(Pool, SplitGemmMatchesTheReference) {
  const auto cpu = make_cpu_backend<double>({.threads = 3});
  const auto reference = make_reference_backend<double>();
  Rng rng(9);
  // Split by the largest of A, B and C: B (columns), A (rows), C (rows), C with few rows (columns).
  for (const auto& [M, N, K] :
       {std::array<std::size_t, 3>{70, 130, 240}, {200, 40, 320}, {150, 140, 100}, {20, 6000, 20}}) {
    for (Transpose ta : {Transpose::no, Transpose::yes}) {
      for (Transpose tb : {Transpose::no, Transpose::yes}) {
        const std::size_t pad = 3, lda = (ta == Transpose::no ? K : M) + pad, ldb = (tb == Transpose::no ? N : K) + pad;
        std::vector<double> A((ta == Transpose::no ? M : K) * lda), B((tb == Transpose::no ? K : N) * ldb),
            C(M * (N + pad));
        for (double& v : A) v = rng.uniform(-1, 1);
        for (double& v : B) v = rng.uniform(-1, 1);
        for (double& v : C) v = rng.uniform(-1, 1);
        std::vector<double> expected = C;
        cpu->gemm(ta, tb, M, N, K, 0.5, A.data(), lda, B.data(), ldb, 1.0, C.data(), N + pad);
        reference->gemm(ta, tb, M, N, K, 0.5, A.data(), lda, B.data(), ldb, 1.0, expected.data(), N + pad);
        for (std::size_t i = 0; i < C.size(); ++i) ASSERT_NEAR(C[i], expected[i], 1e-12) << "element " << i;
      }
    }
  }
}

// A CNN large enough that every split happens (conv2d's samples, batch norm's channels, pooling's
// planes, the dense layer's GEMM), trained for 2 epochs.
std::vector<float> train_cnn(int threads) {
  const Network net = parse_network(R"({"input": [1, 28, 28], "layers": [
      {"type": "conv2d", "filters": 4, "kernel": 5, "padding": 2}, {"type": "batchnorm"}, {"type": "relu"},
      {"type": "maxpool2d", "kernel": 2}, {"type": "flatten"}, {"type": "dense", "units": 128}, {"type": "relu"},
      {"type": "dense", "units": 10}]})",
                                    "net");
  Sequential<float> model = build_model<float>(net);
  model.set_backend(make_cpu_backend<float>({.threads = threads}));
  Rng rng(5);
  model.initialize(rng);
  Tensor<float> x(Shape{64, 1, 28, 28}), t(Shape{64});
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(rng.uniform(0, 1));
  for (std::size_t n = 0; n < 64; ++n) t[n] = static_cast<float>(rng.below(10));
  CrossEntropy<float> loss;
  Sgd<float> sgd({.learning_rate = 0.05, .momentum = 0.9});
  fit(model, loss, sgd, x, t, rng, {.epochs = 2, .batch_size = 16});
  const TensorView<const float> values = model.parameters().values();
  return {values.data(), values.data() + values.size()};
}

TEST(Pool, TrainingIsBitIdenticalForAThreadCountAndCloseAcrossCounts) {
  const std::vector<float> one = train_cnn(1), two = train_cnn(2), two_again = train_cnn(2), three = train_cnn(3);
  ASSERT_EQ(two.size(), one.size());
  EXPECT_EQ(std::memcmp(two.data(), two_again.data(), two.size() * sizeof(float)), 0);
  double worst = 0;
  for (std::size_t i = 0; i < one.size(); ++i) {
    worst = std::max({worst, std::fabs(double(two[i]) - one[i]), std::fabs(double(three[i]) - one[i])});
  }
  EXPECT_LT(worst, 1e-4);  // float reordering only: conv2d's dW sums, GEMM blocks
}

// pool_threads 1: the threads are only the callers'; 2: the callers also take turns with the pool.
void check_concurrent_inference(int pool_threads) {
  const Network net = parse_network(R"({"input": [1, 12, 12], "layers": [
      {"type": "conv2d", "filters": 4, "kernel": 3, "padding": 1}, {"type": "batchnorm"}, {"type": "relu"},
      {"type": "maxpool2d", "kernel": 2}, {"type": "flatten"}, {"type": "dropout", "p": 0.2},
      {"type": "dense", "units": 16}, {"type": "batchnorm"}, {"type": "tanh"}, {"type": "dense", "units": 5}]})",
                                    "net");
  Sequential<float> model = build_model<float>(net);
  model.set_backend(make_cpu_backend<float>({.threads = pool_threads}));
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
    const std::size_t first = static_cast<std::size_t>((round * 7 + k * 5) % 48),
                      count = 1 + static_cast<std::size_t>(round + k) % 16;
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
        mismatches[k] +=
            out.size() != want.size() || std::memcmp(out.data(), want.data(), want.size() * sizeof(float)) != 0;
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

TEST(Threads, ConcurrentInferenceOnOneModelMatchesSingleThreaded) { check_concurrent_inference(1); }
TEST(Threads, ConcurrentInferenceWithThePoolMatchesOneCaller) { check_concurrent_inference(2); }

}  // namespace
}  // namespace bpnn
