// The sharded step without MPI: P "processes" as P threads, each with its own model, optimizer and
// generator, exchanging through a communicator of shared memory. The weights must be the same
// bytes at 1, 2 and 4 processes with the same shards, with batch norm, dropout and an uneven last
// batch; plain summation stays within float rounding.
#include <gtest/gtest.h>

#include <barrier>
#include <cstring>
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

// Trains on `processes` threads and returns rank 0's weights; each rank's must equal rank 0's.
std::vector<float> train(int processes, std::size_t shards, GradientSum sum) {
  const Data data;
  Hub hub(processes);
  std::vector<std::vector<float>> weights(static_cast<std::size_t>(processes));
  std::vector<std::thread> threads;
  for (int r = 0; r < processes; ++r) {
    threads.emplace_back([&, r] {
      ThreadCommunicator comm(hub, r);
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
      const TensorView<const float> v = std::as_const(model).parameters().values();
      weights[static_cast<std::size_t>(r)].assign(v.data(), v.data() + v.size());
    });
  }
  for (std::thread& t : threads) t.join();
  for (int r = 1; r < processes; ++r) EXPECT_EQ(weights[static_cast<std::size_t>(r)], weights[0]) << "rank " << r;
  return weights[0];
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
