// Micro-benchmarks of each layer's forward and backward, the losses and one training step, at
// MNIST sizes, in float. Run: ./build/bench/bench_layers (OPENBLAS_NUM_THREADS=1 pins BLAS).
#include <benchmark/benchmark.h>

#include "bpnn/bpnn.hpp"
#include "kernels/gemm.hpp"

namespace bpnn {
namespace {

Tensor<float> random(const Shape& shape, std::uint64_t seed) {
  Rng rng(seed);
  Tensor<float> t(shape);
  for (std::size_t i = 0; i < t.size(); ++i) t[i] = static_cast<float>(rng.uniform(-1, 1));
  return t;
}

// The GEMM of a 784 -> 128 dense forward at batch 64, with its FLOP rate.
void BM_Sgemm(benchmark::State& state) {
  const std::size_t M = static_cast<std::size_t>(state.range(0)), N = 128, K = 784;
  const Tensor<float> a = random(Shape{M, K}, 1), b = random(Shape{N, K}, 2);
  Tensor<float> c(Shape{M, N});
  for (auto _ : state) {
    kernels::gemm<float>(kernels::Transpose::no, kernels::Transpose::yes, M, N, K, 1.0f, a.data(), K, b.data(), K, 0.0f,
                         c.data(), N);
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["FLOP/s"] = benchmark::Counter(2.0 * M * N * K, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Sgemm)->Arg(1)->Arg(64)->Arg(256);

// One layer's forward and backward through a one-layer model.
template <class L>
void layer_forward_backward(benchmark::State& state, L layer, const Shape& sample) {
  const std::size_t N = static_cast<std::size_t>(state.range(0));
  Sequential<float> model(sample);
  model.add(std::move(layer));
  Rng rng(3);
  model.initialize(rng);
  const Tensor<float> x = random(sample.with_batch(N), 4);
  const Tensor<float> dy = random(model.output_shape().with_batch(N), 5);
  Tensor<float> dx(x.shape());
  for (auto _ : state) {
    model.forward(x);
    model.backward(dy, dx);
    benchmark::DoNotOptimize(dx.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * N));
}

void BM_Dense784x128(benchmark::State& s) { layer_forward_backward(s, Dense<float>({.units = 128}), Shape{784}); }
void BM_Dense128x10(benchmark::State& s) { layer_forward_backward(s, Dense<float>({.units = 10}), Shape{128}); }
void BM_Sigmoid128(benchmark::State& s) { layer_forward_backward(s, Sigmoid<float>(), Shape{128}); }
void BM_Relu128(benchmark::State& s) { layer_forward_backward(s, Relu<float>(), Shape{128}); }
void BM_Softmax10(benchmark::State& s) { layer_forward_backward(s, Softmax<float>(), Shape{10}); }
BENCHMARK(BM_Dense784x128)->Arg(1)->Arg(64);
BENCHMARK(BM_Dense128x10)->Arg(1)->Arg(64);
BENCHMARK(BM_Sigmoid128)->Arg(64);
BENCHMARK(BM_Relu128)->Arg(64);
BENCHMARK(BM_Softmax10)->Arg(64);

void BM_CrossEntropy(benchmark::State& state) {
  const Tensor<float> z = random(Shape{64, 10}, 6);
  Tensor<float> t(Shape{64}), dz(Shape{64, 10});
  for (std::size_t n = 0; n < 64; ++n) t[n] = static_cast<float>(n % 10);
  const CrossEntropy<float> loss;
  for (auto _ : state) {
    benchmark::DoNotOptimize(loss.forward(z, t));
    loss.backward(z, t, dz.view());
  }
}
BENCHMARK(BM_CrossEntropy);

// One SGD step of 784-128relu-10 with cross-entropy: samples per second.
void BM_TrainStep(benchmark::State& state) {
  const std::size_t N = static_cast<std::size_t>(state.range(0));
  Sequential<float> model = build_model<float>(parse_network("784-128relu-10", "bench"));
  Rng rng(7);
  model.initialize(rng);
  const Tensor<float> x = random(Shape{N, 784}, 8);
  Tensor<float> t(Shape{N});
  for (std::size_t n = 0; n < N; ++n) t[n] = static_cast<float>(n % 10);
  CrossEntropy<float> loss;
  Sgd<float> sgd({.learning_rate = 0.01});
  Trainer<float> trainer(model, loss, sgd);
  for (auto _ : state) benchmark::DoNotOptimize(trainer.step(x, t));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * N));
}
BENCHMARK(BM_TrainStep)->Arg(1)->Arg(64);

}  // namespace
}  // namespace bpnn
