// Micro-benchmarks at MNIST sizes, in float: the GEMMs of a 784 -> 128 dense layer, each layer's
// forward and backward (LeNet's conv, pooling and batch norm too), cross-entropy, and one training
// step of 784-128relu-10. Timings only; the tests hold correctness.
// Run: ./build/bench/bench_layers (one thread: bpnn keeps BLAS on the calling thread).
#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

#include "bpnn/bpnn.hpp"
#include "core/parallel.hpp"

namespace bpnn {
namespace {

// The GEMMs go through the one-thread cpu backend, as the layers' do.
template <class T>
void gemm(Transpose ta, Transpose tb, std::size_t M, std::size_t N, std::size_t K, T alpha, const T* A,
          std::size_t lda, const T* B, std::size_t ldb, T beta, T* C, std::size_t ldc) {
  default_backend<T>()->gemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

Tensor<float> random_tensor(const Shape& shape, Rng& rng, double low, double high) {
  Tensor<float> t(shape);
  for (std::size_t i = 0; i < t.size(); ++i) t[i] = static_cast<float>(rng.uniform(low, high));
  return t;
}

// Class indices shaped [N], the form MNIST labels take: 0, 1, ..., classes - 1, 0, 1, ...
Tensor<float> class_indices(std::size_t N, std::size_t classes) {
  Tensor<float> t(Shape{N});
  for (std::size_t n = 0; n < N; ++n) t[n] = static_cast<float>(n % classes);
  return t;
}

std::size_t batch_arg(const benchmark::State& state, int index) { return static_cast<std::size_t>(state.range(index)); }

void count_samples(benchmark::State& state, std::size_t N) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(N));
}

// ---- GEMM -----------------------------------------------------------------------------------------
// The three products of a 784 -> 128 dense layer at batch N, called exactly as src/layers/dense.cpp
// calls them, so these rates are the ceiling the layer benchmarks below can reach.
// Legend: N batch, I = 784 inputs, O = 128 outputs; x [N, I], W [O, I], y and dy [N, O].
// Each product is 2*N*O*I FLOP.
constexpr std::size_t kIn = 784, kOut = 128;

void set_flop_rate(benchmark::State& state, std::size_t M, std::size_t N, std::size_t K) {
  // kIsRate divides by the elapsed time, so the count is the FLOP of all iterations together.
  state.counters["FLOP/s"] = benchmark::Counter(
      2.0 * static_cast<double>(M * N * K) * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

// y[N, O] += x[N, I] W[O, I]^T (beta 1: the bias is already in y). bench/compare reads this one by
// the name BM_Sgemm/64 as the machine's GEMM ceiling, so it keeps that name.
void BM_Sgemm(benchmark::State& state) {
  const std::size_t N = batch_arg(state, 0);
  Rng rng(1);
  const Tensor<float> x = random_tensor(Shape{N, kIn}, rng, 0, 1),
                      w = random_tensor(Shape{kOut, kIn}, rng, -0.05, 0.05);
  Tensor<float> y(Shape{N, kOut});
  for (auto _ : state) {
    gemm<float>(Transpose::no, Transpose::yes, N, kOut, kIn, 1.0f, x.data(), kIn, w.data(), kIn, 1.0f, y.data(), kOut);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  set_flop_rate(state, N, kOut, kIn);
}
BENCHMARK(BM_Sgemm)->Arg(64);

// dW[O, I] += dy[N, O]^T x[N, I]: the batch is the short inner dimension here.
void BM_SgemmWeightGrad(benchmark::State& state) {
  const std::size_t N = batch_arg(state, 0);
  Rng rng(2);
  const Tensor<float> x = random_tensor(Shape{N, kIn}, rng, 0, 1), dy = random_tensor(Shape{N, kOut}, rng, -0.01, 0.01);
  Tensor<float> dw(Shape{kOut, kIn});
  for (auto _ : state) {
    gemm<float>(Transpose::yes, Transpose::no, kOut, kIn, N, 1.0f, dy.data(), kOut, x.data(), kIn, 1.0f, dw.data(),
                kIn);
    benchmark::DoNotOptimize(dw.data());
    benchmark::ClobberMemory();
  }
  set_flop_rate(state, kOut, kIn, N);
}
BENCHMARK(BM_SgemmWeightGrad)->Arg(64);

// dx[N, I] = dy[N, O] W[O, I]: needed only when a layer sits above another one.
void BM_SgemmInputGrad(benchmark::State& state) {
  const std::size_t N = batch_arg(state, 0);
  Rng rng(3);
  const Tensor<float> dy = random_tensor(Shape{N, kOut}, rng, -0.01, 0.01),
                      w = random_tensor(Shape{kOut, kIn}, rng, -0.05, 0.05);
  Tensor<float> dx(Shape{N, kIn});
  for (auto _ : state) {
    gemm<float>(Transpose::no, Transpose::no, N, kIn, kOut, 1.0f, dy.data(), kOut, w.data(), kIn, 0.0f, dx.data(), kIn);
    benchmark::DoNotOptimize(dx.data());
    benchmark::ClobberMemory();
  }
  set_flop_rate(state, N, kIn, kOut);
}
BENCHMARK(BM_SgemmInputGrad)->Arg(64);

// ---- Layers ---------------------------------------------------------------------------------------
// One layer alone, with a parameter store of its own and every buffer allocated up front, so the
// timed loop is the layer's arithmetic and none of Sequential's bookkeeping. One forward runs at
// construction because backward reads that forward's input and output.
// With train set, forward is the training-mode one (batch norm's batch statistics).
struct LayerRig {
  LayerRig(std::unique_ptr<Layer<float>> built, const Shape& sample, std::size_t N, bool train = false)
      : layer(std::move(built)), train(train) {
    const Shape out = layer->build(sample);
    for (const ParameterSpec& spec : layer->parameter_specs()) parameters.add(spec.name, spec.shape, spec.init);
    layer->bind(parameters, 0);
    Rng rng(4);
    parameters.initialize(rng);
    input = random_tensor(sample.with_batch(N), rng, -1, 1);
    output = Tensor<float>(out.with_batch(N));
    output_grad = random_tensor(out.with_batch(N), rng, -0.01, 0.01);
    input_grad = Tensor<float>(sample.with_batch(N));
    forward();
  }

  Context<float> context() {
    return {.backend = default_backend<float>().get(), .mode = train ? Mode::train : Mode::eval, .rng = &rng,
            .workspace = &workspace, .gradients = {.base = parameters.grads().data(), .scale = 1.0f}};
  }
  void forward() { layer->forward(context(), input.view(), output.view()); }
  // Asks for input_grad too: the cost of a layer that is not the first (a first layer skips it).
  void backward() { layer->backward(context(), input.view(), output.view(), output_grad.view(), input_grad.view()); }

  // The timed loops; items_per_second is samples/s. Backward adds into the parameter gradients on
  // every iteration, as its contract says; nothing zeroes them, because that is the trainer's step.
  void time_forward(benchmark::State& state) {
    for (auto _ : state) {
      forward();
      benchmark::DoNotOptimize(output.data());
      benchmark::ClobberMemory();
    }
    count_samples(state, input.shape()[0]);
  }
  void time_backward(benchmark::State& state) {
    for (auto _ : state) {
      backward();
      benchmark::DoNotOptimize(input_grad.data());
      benchmark::ClobberMemory();
    }
    count_samples(state, input.shape()[0]);
  }

  std::unique_ptr<Layer<float>> layer;
  bool train;
  Rng rng{7};
  ParameterStore<float> parameters;
  LayerWorkspace<float> workspace;
  Tensor<float> input, output, output_grad, input_grad;
};

LayerRig dense_rig(const benchmark::State& state) {
  return LayerRig(std::make_unique<Dense<float>>(DenseOptions{.units = batch_arg(state, 1)}),
                  Shape{batch_arg(state, 0)}, batch_arg(state, 2));
}

void BM_DenseForward(benchmark::State& state) { dense_rig(state).time_forward(state); }
void BM_DenseBackward(benchmark::State& state) { dense_rig(state).time_backward(state); }

void dense_shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"in", "out", "batch"});
  for (const std::int64_t batch : {1, 64}) {
    b->Args({784, 128, batch});
    b->Args({128, 10, batch});
  }
}
BENCHMARK(BM_DenseForward)->Apply(dense_shapes);
BENCHMARK(BM_DenseBackward)->Apply(dense_shapes);

// Activations on [N, 128], the hidden layer of 784-128-10, by their names in network files.
void BM_ActivationForward(benchmark::State& state, const char* kind) {
  LayerRig(make_layer<float>({kind, {}}), Shape{128}, batch_arg(state, 0)).time_forward(state);
}

void BM_ActivationBackward(benchmark::State& state, const char* kind) {
  LayerRig(make_layer<float>({kind, {}}), Shape{128}, batch_arg(state, 0)).time_backward(state);
}

BENCHMARK_CAPTURE(BM_ActivationForward, sigmoid, "sigmoid")->Arg(64);
BENCHMARK_CAPTURE(BM_ActivationBackward, sigmoid, "sigmoid")->Arg(64);
BENCHMARK_CAPTURE(BM_ActivationForward, tanh, "tanh")->Arg(64);
BENCHMARK_CAPTURE(BM_ActivationBackward, tanh, "tanh")->Arg(64);
BENCHMARK_CAPTURE(BM_ActivationForward, gelu, "gelu")->Arg(64);
BENCHMARK_CAPTURE(BM_ActivationBackward, gelu, "gelu")->Arg(64);
BENCHMARK_CAPTURE(BM_ActivationForward, silu, "silu")->Arg(64);
BENCHMARK_CAPTURE(BM_ActivationForward, elu, "elu")->Arg(64);
BENCHMARK_CAPTURE(BM_ActivationForward, softplus, "softplus")->Arg(64);
BENCHMARK_CAPTURE(BM_ActivationForward, relu, "relu")->Arg(64);
BENCHMARK_CAPTURE(BM_ActivationBackward, relu, "relu")->Arg(64);
BENCHMARK_CAPTURE(BM_ActivationForward, softmax, "softmax")->Arg(64);
BENCHMARK_CAPTURE(BM_ActivationBackward, softmax, "softmax")->Arg(64);

// The layers of LeNet (examples/networks/lenet.json) at its training batch of 32: the first conv
// on 1x28x28 digits and the second on 6x14x14 maps, max pooling and batch norm (training mode)
// after each.
struct LeNetLayer {
  std::unique_ptr<Layer<float>> (*make)();
  Shape sample;
  bool train = false;
};
const LeNetLayer kConv1{
    []() -> std::unique_ptr<Layer<float>> {
      return std::make_unique<Conv2d<float>>(Conv2dOptions{.filters = 6, .kernel = 5, .padding = 2});
    },
    Shape{1, 28, 28}};
const LeNetLayer kConv2{[]() -> std::unique_ptr<Layer<float>> {
                          return std::make_unique<Conv2d<float>>(Conv2dOptions{.filters = 16, .kernel = 5});
                        },
                        Shape{6, 14, 14}};
const LeNetLayer kPool1{[]() -> std::unique_ptr<Layer<float>> { return std::make_unique<MaxPool2d<float>>(); },
                        Shape{6, 28, 28}};
const LeNetLayer kBatchNorm1{[]() -> std::unique_ptr<Layer<float>> { return std::make_unique<BatchNorm<float>>(); },
                             Shape{6, 28, 28}, true};
constexpr std::size_t kLeNetBatch = 32;

void BM_LeNetForward(benchmark::State& state, const LeNetLayer& which) {
  LayerRig(which.make(), which.sample, kLeNetBatch, which.train).time_forward(state);
}
void BM_LeNetBackward(benchmark::State& state, const LeNetLayer& which) {
  LayerRig(which.make(), which.sample, kLeNetBatch, which.train).time_backward(state);
}
BENCHMARK_CAPTURE(BM_LeNetForward, conv1, kConv1);
BENCHMARK_CAPTURE(BM_LeNetBackward, conv1, kConv1);
BENCHMARK_CAPTURE(BM_LeNetForward, conv2, kConv2);
BENCHMARK_CAPTURE(BM_LeNetBackward, conv2, kConv2);
BENCHMARK_CAPTURE(BM_LeNetForward, maxpool1, kPool1);
BENCHMARK_CAPTURE(BM_LeNetBackward, maxpool1, kPool1);
BENCHMARK_CAPTURE(BM_LeNetForward, batchnorm1, kBatchNorm1);
BENCHMARK_CAPTURE(BM_LeNetBackward, batchnorm1, kBatchNorm1);

// ---- Loss -----------------------------------------------------------------------------------------
// Cross-entropy with class-index targets on logits [N, 10]; the trainer runs forward then backward,
// so they are timed together.
void BM_CrossEntropy(benchmark::State& state) {
  const std::size_t N = batch_arg(state, 0), C = 10;
  Rng rng(5);
  const Tensor<float> logits = random_tensor(Shape{N, C}, rng, -5, 5);
  const Tensor<float> targets = class_indices(N, C);
  Tensor<float> logits_grad(Shape{N, C});
  const CrossEntropy<float> loss;
  for (auto _ : state) {
    benchmark::DoNotOptimize(loss.forward(logits.view(), targets.view()));
    loss.backward(logits.view(), targets.view(), logits_grad.view());
    benchmark::DoNotOptimize(logits_grad.data());
    benchmark::ClobberMemory();
  }
  count_samples(state, N);
}
BENCHMARK(BM_CrossEntropy)->Arg(64);

// ---- Training step --------------------------------------------------------------------------------
// One Trainer::step of 784-128relu-10, cross-entropy, SGD lr 0.1: items_per_second is samples/s.
// The steps walk through a pool of 1024 samples batch by batch, as an epoch does, instead of
// repeating one batch: a batch that stays in cache and that the network memorizes would flatter it.
void BM_TrainStep(benchmark::State& state) {
  const std::size_t N = batch_arg(state, 0), pool = 1024;
  Sequential<float> model(Shape{784});
  model.add(Dense<float>({.units = 128}));
  model.add(Activation<float>("relu"));
  model.add(Dense<float>({.units = 10}));
  Rng rng(6);
  model.initialize(rng);
  // Pixel intensities scaled to [0, 1), as the MNIST readers deliver them.
  const Tensor<float> inputs = random_tensor(Shape{pool, 784}, rng, 0, 1);
  const Tensor<float> targets = class_indices(pool, 10);
  const CrossEntropy<float> loss;
  Sgd<float> sgd({.learning_rate = 0.1});
  Trainer<float> trainer(model, loss, sgd);
  std::size_t first = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(trainer.step(inputs.view().samples(first, N), targets.view().samples(first, N)));
    first = first + 2 * N <= pool ? first + N : 0;
  }
  count_samples(state, N);
}
BENCHMARK(BM_TrainStep)->Arg(64)->Arg(1);

// ---- Thread pool ----------------------------------------------------------------------------------
// One run of an empty body on a pool of two threads: what each hand-over of a step's split
// products and loops costs on top of the work, the worker spinning as it does inside a step.
void BM_PoolHandOver(benchmark::State& state) {
  const parallel::ThreadPool pool(2);
  std::size_t calls = 0;
  for (auto _ : state) {
    pool.run([&](std::size_t part, std::size_t) { if (part == 0) ++calls; });
  }
  benchmark::DoNotOptimize(calls);
}
BENCHMARK(BM_PoolHandOver);

}  // namespace
}  // namespace bpnn
