// The sharded step without MPI: P "processes" as P threads, each with its own model, optimizer and
// generator, exchanging through a communicator of shared memory. The weights must be the same
// bytes at 1, 2 and 4 processes with the same shards, with batch norm, dropout and an uneven last
// batch; plain summation stays within float rounding. Batch norm's statistics are the global
// batch's: the sharded gradient and a few sharded steps match one unsharded batch.
#include <gtest/gtest.h>

#include <algorithm>
#include <barrier>
#include <cmath>
#include <cstring>
#include <numeric>
#include <thread>
#include <vector>

#include "bpnn/bpnn.hpp"
#include "bpnn/distributed/sharded_step.hpp"

namespace bpnn {
namespace {

// What the threads of one run share: a barrier and each rank's buffer of the current collective.
struct Hub {
  explicit Hub(int n) : size(n), barrier(n), buffers(static_cast<std::size_t>(n)) {}
  int size;
  std::barrier<> barrier;
  std::vector<const void*> buffers;
};

class ThreadCommunicator : public Communicator {
 public:
  ThreadCommunicator(Hub& hub, int rank) : hub_(hub), rank_(rank) {}
  int rank() const override { return rank_; }
  int size() const override { return hub_.size; }
  void allgather(const float* local, std::size_t count, float* all) override { gather(local, count * 4, all); }
  void allgather(const double* local, std::size_t count, double* all) override { gather(local, count * 8, all); }
  void allgather(const std::uint64_t* local, std::size_t count, std::uint64_t* all) override {
    gather(local, count * 8, all);
  }
  void alltoall(const float* send, std::size_t count, float* recv) override {
    share(send);
    for (int r = 0; r < hub_.size; ++r) {
      std::memcpy(recv + r * count, static_cast<const float*>(hub_.buffers[r]) + rank_ * count, count * 4);
    }
    hub_.barrier.arrive_and_wait();
  }
  void allreduce_sum(float* data, std::size_t count) override {
    share(data);
    std::vector<float> sum(count, 0.0f);
    for (int r = 0; r < hub_.size; ++r) {
      for (std::size_t i = 0; i < count; ++i) sum[i] += static_cast<const float*>(hub_.buffers[r])[i];
    }
    hub_.barrier.arrive_and_wait();
    std::memcpy(data, sum.data(), count * 4);
  }
  void broadcast(void* data, std::size_t bytes, int root) override {
    share(data);
    if (rank_ != root) std::memcpy(data, hub_.buffers[root], bytes);
    hub_.barrier.arrive_and_wait();
  }
  [[noreturn]] void abort(int /*code*/) override { std::abort(); }

 private:
  void share(const void* buffer) {
    hub_.buffers[rank_] = buffer;
    hub_.barrier.arrive_and_wait();
  }
  void gather(const void* local, std::size_t bytes, void* all) {
    share(local);
    for (int r = 0; r < hub_.size; ++r) std::memcpy(static_cast<char*>(all) + r * bytes, hub_.buffers[r], bytes);
    hub_.barrier.arrive_and_wait();
  }
  Hub& hub_;
  int rank_;
};

constexpr const char* kNet = R"({"input": [6], "layers": [{"type": "dense", "units": 12}, {"type": "batchnorm"},
  {"type": "relu"}, {"type": "dropout", "p": 0.2}, {"type": "dense", "units": 3}]})";

struct Data {
  Tensor<float> inputs{Shape{209, 6}}, targets{Shape{209}};
  Data() {
    Rng rng(11);
    for (std::size_t n = 0; n < 209; ++n) {
      for (std::size_t i = 0; i < 6; ++i) inputs[n * 6 + i] = static_cast<float>(rng.uniform(-1, 1));
      targets[n] = static_cast<float>((inputs[n * 6] > 0) + (inputs[n * 6 + 1] > 0));
    }
  }
};

// Runs rank_values(communicator, rank) for every rank of `processes`, each on a thread of its own,
// and returns rank 0's values; each rank's must equal rank 0's.
template <class F>
std::vector<float> on_ranks(int processes, F rank_values) {
  Hub hub(processes);
  std::vector<std::vector<float>> values(static_cast<std::size_t>(processes));
  std::vector<std::thread> threads;
  for (int r = 0; r < processes; ++r) {
    threads.emplace_back([&, r] {
      ThreadCommunicator comm(hub, r);
      values[static_cast<std::size_t>(r)] = rank_values(comm, r);
    });
  }
  for (std::thread& t : threads) t.join();
  for (int r = 1; r < processes; ++r) EXPECT_EQ(values[static_cast<std::size_t>(r)], values[0]) << "rank " << r;
  return values[0];
}

// The parameter store's values or gradients, copied out.
std::vector<float> copy_of(TensorView<const float> v) { return {v.data(), v.data() + v.size()}; }

// Trains on `processes` threads and returns rank 0's weights.
std::vector<float> train(int processes, std::size_t shards, GradientSum sum) {
  const Data data;
  return on_ranks(processes, [&](Communicator& comm, int r) {
    Sequential<float> model = build_model<float>(parse_network(kNet, "test"));
    model.set_backend(make_reference_backend<float>());
    Rng rng(5);
    model.initialize(rng);
    Rng other(100 + static_cast<std::uint64_t>(r));
    if (r != 0) model.initialize(other);  // other weights: the broadcast must replace them
    const std::unique_ptr<Loss<float>> loss = make_loss<float>("cross_entropy");
    const std::unique_ptr<Optimizer<float>> optimizer = make_optimizer<float>({.name = "adam", .learning_rate = 0.01});
    ShardedStep step(model, *loss, *optimizer, comm, data.inputs.view(), data.targets.view(), rng,
                     {.shards = shards, .sum = sum});
    FitOptions options{.epochs = 3, .batch_size = 25};  // 8 batches of 25, then one of 9
    options.batch_step = [&step](std::span<const std::size_t> indices) { return step(indices); };
    fit(model, *loss, *optimizer, data.inputs.view(), data.targets.view(), rng, options);
    return copy_of(std::as_const(model).parameters().values());
  });
}

TEST(ShardedStep, SameBytesAtEveryProcessCount) {
  const std::vector<float> one = train(1, 4, GradientSum::ordered);
  EXPECT_EQ(train(2, 4, GradientSum::ordered), one);
  EXPECT_EQ(train(4, 4, GradientSum::ordered), one);
}

TEST(ShardedStep, PlainSumWithinRounding) {
  const std::vector<float> one = train(1, 4, GradientSum::ordered), plain = train(4, 4, GradientSum::plain);
  ASSERT_EQ(plain.size(), one.size());
  for (std::size_t i = 0; i < one.size(); ++i) EXPECT_NEAR(plain[i], one[i], 1e-5) << i;
}

// Without dropout, so that a sharded step computes what one unsharded step does.
constexpr const char* kBatchNormNet = R"({"input": [6], "layers": [{"type": "dense", "units": 12},
  {"type": "batchnorm"}, {"type": "relu"}, {"type": "dense", "units": 8}, {"type": "batchnorm", "affine": false},
  {"type": "tanh"}, {"type": "dense", "units": 3}]})";

Sequential<float> batch_norm_model() {
  Sequential<float> model = build_model<float>(parse_network(kBatchNormNet, "test"));
  model.set_backend(make_reference_backend<float>());
  Rng rng(5);
  model.initialize(rng);
  return model;
}

// Leaves the gradients where the step put them and the weights as they are.
class NoUpdate : public Optimizer<float> {
 public:
  void step(ParameterStore<float>& /*parameters*/, const Backend<float>& /*backend*/) override {}
  double learning_rate() const override { return 0; }
  void set_learning_rate(double /*learning_rate*/) override {}
  OptimizerState<float> state() const override { return {.kind = "none", .buffers = {}, .steps = 0}; }
  void set_state(const OptimizerState<float>& /*state*/, std::size_t /*parameter_count*/) override {}
};

std::vector<std::size_t> first(std::size_t n) {
  std::vector<std::size_t> indices(n);
  std::iota(indices.begin(), indices.end(), std::size_t{0});
  return indices;
}

// Samples [begin, begin + n) as one batch.
std::pair<Tensor<float>, Tensor<float>> samples(const Data& data, std::size_t begin, std::size_t n) {
  Tensor<float> inputs(Shape{n, 6}), targets(Shape{n});
  std::copy_n(data.inputs.data() + begin * 6, n * 6, inputs.data());
  std::copy_n(data.targets.data() + begin, n, targets.data());
  return {std::move(inputs), std::move(targets)};
}

float max_difference(const std::vector<float>& a, const std::vector<float>& b) {
  float most = 0;
  for (std::size_t i = 0; i < a.size(); ++i) most = std::max(most, std::abs(a[i] - b[i]));
  return most;
}

// The gradient of one sharded step over the first n samples, on `processes` threads.
std::vector<float> sharded_gradient(int processes, std::size_t shards, std::size_t n) {
  const Data data;
  return on_ranks(processes, [&](Communicator& comm, int /*rank*/) {
    Sequential<float> model = batch_norm_model();
    const std::unique_ptr<Loss<float>> loss = make_loss<float>("cross_entropy");
    NoUpdate optimizer;
    Rng rng(1);
    ShardedStep step(model, *loss, optimizer, comm, data.inputs.view(), data.targets.view(), rng, {.shards = shards});
    step(first(n));
    return copy_of(std::as_const(model).parameters().grads());
  });
}

// dE/dp of the mean loss over one batch, batch norm over that batch.
std::vector<float> batch_gradient(Sequential<float>& model, const Tensor<float>& inputs, const Tensor<float>& targets) {
  const std::unique_ptr<Loss<float>> loss = make_loss<float>("cross_entropy");
  NoUpdate optimizer;
  Trainer<float> trainer(model, *loss, optimizer);
  trainer.compute_gradients(inputs.view(), targets.view());
  return copy_of(std::as_const(model).parameters().grads());
}

TEST(ShardedStep, BatchNormGradientIsTheGlobalBatchs) {
  // 50 samples in 4 shards of 12, 13, 12 and 13: uneven, so each shard's n_k / B matters.
  const Data data;
  const std::size_t n = 50;
  const auto [inputs, targets] = samples(data, 0, n);
  Sequential<float> model = batch_norm_model();
  const std::vector<float> whole = batch_gradient(model, inputs, targets);
  const std::vector<float> sharded = sharded_gradient(1, 4, n);
  EXPECT_EQ(sharded_gradient(2, 4, n), sharded);
  EXPECT_EQ(sharded_gradient(4, 4, n), sharded);
  const float scale = std::abs(*std::max_element(whole.begin(), whole.end(), [](float a, float b) {
    return std::abs(a) < std::abs(b);
  }));
  ASSERT_GT(scale, 1e-2f);
  EXPECT_LT(max_difference(sharded, whole), 1e-5f * scale);

  // What each shard's own statistics (ghost batch norm) would give: far off, so the check above
  // tells the two apart.
  std::vector<float> ghost(whole.size(), 0.0f);
  for (std::size_t k = 0; k < 4; ++k) {
    const std::size_t begin = k * n / 4, count = (k + 1) * n / 4 - begin;
    Tensor<float> shard_inputs(Shape{count, 6}), shard_targets(Shape{count});
    std::copy_n(inputs.data() + begin * 6, count * 6, shard_inputs.data());
    std::copy_n(targets.data() + begin, count, shard_targets.data());
    const std::vector<float> g = batch_gradient(model, shard_inputs, shard_targets);
    for (std::size_t i = 0; i < g.size(); ++i) ghost[i] += g[i] * static_cast<float>(count) / static_cast<float>(n);
  }
  EXPECT_GT(max_difference(ghost, whole), 1e-2f * scale);

  // Central differences of the mean loss over the whole batch (batch norm in training mode) at a
  // few parameters of every trained tensor, against the sharded gradient.
  const std::unique_ptr<Loss<float>> loss = make_loss<float>("cross_entropy");
  ParameterStore<float>& p = model.parameters();
  Rng pick(3);
  for (std::size_t e = 0; e < p.count(); ++e) {
    if (!p.entry(e).trained()) continue;
    for (int t = 0; t < 3; ++t) {
      const std::size_t i = p.entry(e).offset + pick.below(p.value(e).size());
      float& w = p.values()[i];
      const float saved = w, h = 1e-2f;
      w = saved + h;
      const double up = loss->forward(model.backend(), model.forward_train(inputs.view(), pick), targets.view());
      w = saved - h;
      const double down = loss->forward(model.backend(), model.forward_train(inputs.view(), pick), targets.view());
      w = saved;
      const double numeric = (up - down) / (2.0 * h);
      EXPECT_NEAR(sharded[i], numeric, 2e-4 + 2e-2 * std::abs(numeric)) << p.entry(e).name << " value " << i;
    }
  }
}

TEST(ShardedStep, BatchNormStepsMatchOneBatch) {
  // One pass over the data in file order, batches of 25 and a last of 9, SGD with momentum: 4
  // shards on 1, 2 and 4 processes against the unsharded step, weights and running statistics.
  const Data data;
  auto run = [&](int processes) {
    return on_ranks(processes, [&](Communicator& comm, int /*rank*/) {
      Sequential<float> model = batch_norm_model();
      const std::unique_ptr<Loss<float>> loss = make_loss<float>("cross_entropy");
      const auto optimizer = make_optimizer<float>({.name = "momentum", .learning_rate = 0.1, .momentum = 0.9});
      Rng rng(1);
      ShardedStep step(model, *loss, *optimizer, comm, data.inputs.view(), data.targets.view(), rng, {.shards = 4});
      const std::vector<std::size_t> all = first(209);
      for (std::size_t b = 0; b < 209; b += 25) step(std::span(all).subspan(b, std::min<std::size_t>(25, 209 - b)));
      return copy_of(std::as_const(model).parameters().values());
    });
  };
  Sequential<float> model = batch_norm_model();
  const std::unique_ptr<Loss<float>> loss = make_loss<float>("cross_entropy");
  const auto optimizer = make_optimizer<float>({.name = "momentum", .learning_rate = 0.1, .momentum = 0.9});
  Trainer<float> trainer(model, *loss, *optimizer);
  for (std::size_t b = 0; b < 209; b += 25) {
    const auto [inputs, targets] = samples(data, b, std::min<std::size_t>(25, 209 - b));
    trainer.step(inputs.view(), targets.view());
  }
  const std::vector<float> whole = copy_of(std::as_const(model).parameters().values());
  const std::vector<float> sharded = run(1);
  EXPECT_EQ(run(2), sharded);
  EXPECT_EQ(run(4), sharded);
  // Every value, the running statistics and the count of batches (9) included.
  EXPECT_LT(max_difference(sharded, whole), 1e-4f);
  const ParameterStore<float>& p = std::as_const(model).parameters();
  for (std::size_t e = 0; e < p.count(); ++e) {
    if (p.entry(e).name.ends_with("num_batches_tracked")) {
      EXPECT_EQ(sharded[p.entry(e).offset], 9.0f);
    }
  }
}

TEST(ShardedStep, BatchNormRefusesABatchSmallerThanTheShards) {
  const Data data;
  LocalCommunicator comm;
  Sequential<float> model = batch_norm_model();
  const std::unique_ptr<Loss<float>> loss = make_loss<float>("cross_entropy");
  NoUpdate optimizer;
  Rng rng(1);
  ShardedStep step(model, *loss, optimizer, comm, data.inputs.view(), data.targets.view(), rng, {.shards = 8});
  EXPECT_THROW(step(first(7)), Error);
  EXPECT_NO_THROW(step(first(8)));  // one sample a shard: enough, the statistics being global
}

TEST(ShardedStep, RefusesZeroShards) {
  const Data data;
  Hub hub(1);
  ThreadCommunicator comm(hub, 0);
  Sequential<float> model = build_model<float>(parse_network(kNet, "test"));
  const std::unique_ptr<Loss<float>> loss = make_loss<float>("cross_entropy");
  const std::unique_ptr<Optimizer<float>> optimizer = make_optimizer<float>({.name = "sgd"});
  Rng rng(1);
  EXPECT_THROW(ShardedStep(model, *loss, *optimizer, comm, data.inputs.view(), data.targets.view(), rng, {.shards = 0}),
               Error);
}

}  // namespace
}  // namespace bpnn
