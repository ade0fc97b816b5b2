// The sharded step without MPI: P "processes" as P threads, each with its own model, optimizer and
// generator, exchanging through a communicator of shared memory. The weights must be the same
// bytes at 1, 2 and 4 processes with the same shards, with batch norm, dropout and an uneven last
// batch; plain summation stays within float rounding. Batch norm's statistics are the global
// batch's: the sharded gradient and a few sharded steps match one unsharded batch. The ranks'
// agreements: a failed setup or another configuration on one rank reaches every rank; one rank's
// stop request, NaN (a PoisoningCommunicator) or error ends every rank after the same batch.
#include <gtest/gtest.h>

#include <algorithm>
#include <barrier>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <numeric>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "bpnn/bpnn.hpp"
#include "bpnn/distributed/agreement.hpp"
#include "bpnn/distributed/distributed_fit.hpp"
#include "bpnn/distributed/poisoning_communicator.hpp"
#include "bpnn/distributed/sharded_step.hpp"
#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"

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
  // Ends the whole process, every "rank" with it, as MPI_Abort ends every rank.
  [[noreturn]] void abort(int code) override { std::_Exit(code); }

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

// Runs rank_result(communicator, rank) for every rank of `processes`, each on a thread of its own,
// and returns every rank's result, in rank order.
template <class F>
auto each_rank(int processes, F rank_result) {
  using Result = decltype(rank_result(std::declval<Communicator&>(), 0));
  Hub hub(processes);
  std::vector<Result> results(static_cast<std::size_t>(processes));
  std::vector<std::thread> threads;
  for (int r = 0; r < processes; ++r) {
    threads.emplace_back([&, r] {
      ThreadCommunicator comm(hub, r);
      results[static_cast<std::size_t>(r)] = rank_result(comm, r);
    });
  }
  for (std::thread& t : threads) t.join();
  return results;
}

// each_rank for values that every rank must end with alike: returns rank 0's.
template <class F>
std::vector<float> on_ranks(int processes, F rank_values) {
  const std::vector<std::vector<float>> values = each_rank(processes, rank_values);
  for (int r = 1; r < processes; ++r) EXPECT_EQ(values[static_cast<std::size_t>(r)], values[0]) << "rank " << r;
  return values[0];
}

// The parameter store's values or gradients, copied out.
std::vector<float> copy_of(TensorView<const float> v) { return {v.data(), v.data() + v.size()}; }

// What one rank trains: kNet from seed 5, Adam; a rank other than 0 then draws other weights, which
// the first step's broadcast must replace.
struct RankRun {
  explicit RankRun(int rank) : model(build_model<float>(parse_network(kNet, "test"))) {
    model.set_backend(make_reference_backend<float>());
    model.initialize(rng);
    Rng other(100 + static_cast<std::uint64_t>(rank));
    if (rank != 0) model.initialize(other);
  }
  DistributedFitResult fit(Communicator& comm, const Data& data, FitOptions options,
                           const DistributedOptions& sharding) {
    return fit_distributed(comm, model, *loss, *optimizer, data.inputs.view(), data.targets.view(), rng,
                           std::move(options), sharding);
  }
  std::vector<float> weights() const { return copy_of(model.parameters().values()); }

  Sequential<float> model;
  std::unique_ptr<Loss<float>> loss = make_loss<float>("cross_entropy");
  std::unique_ptr<Optimizer<float>> optimizer = make_optimizer<float>({.name = "adam", .learning_rate = 0.01});
  Rng rng{5};
};

// Trains for `epochs` on `processes` threads with fit_distributed and returns rank 0's weights.
std::vector<float> train(int processes, std::size_t shards, GradientSum sum, std::size_t epochs = 3) {
  const Data data;
  return on_ranks(processes, [&](Communicator& comm, int r) {
    RankRun run(r);
    // 8 batches of 25, then one of 9
    run.fit(comm, data, {.epochs = epochs, .batch_size = 25}, {.shards = shards, .sum = sum});
    return run.weights();
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

// What a rank caught from an agreement: the failing rank and the message, or {-1, ""} for none.
using Caught = std::pair<int, std::string>;

template <class F>
Caught caught_from(F call) {
  try {
    call();
    return {-1, ""};
  } catch (const RankFailure& e) {
    return {e.rank, e.what()};
  }
}

TEST(Agreement, SetupFailureReachesEveryRankWithTheFirstFailingRanksMessage) {
  std::vector<int> ran(3, 0);
  const std::vector<Caught> caught = each_rank(3, [&](Communicator& comm, int r) {
    return caught_from([&] {
      agree_on_setup(comm, [&] {
        ran[static_cast<std::size_t>(r)] = 1;
        if (r == 1) throw Error("data.1.csv:101: has 3 columns, earlier rows have 9");
        if (r == 2) throw Error("a later rank's own trouble");
      });
    });
  });
  for (const Caught& c : caught) {
    EXPECT_EQ(c, Caught(1, "rank 1 of 3: data.1.csv:101: has 3 columns, earlier rows have 9"));
  }
  EXPECT_EQ(ran, std::vector<int>({1, 1, 1}));
}

TEST(Agreement, SetupFailureOfAnyKindIsNamed) {
  const std::vector<Caught> caught = each_rank(2, [&](Communicator& comm, int r) {
    return caught_from([&] {
      agree_on_setup(comm, [&] {
        if (r == 0) throw 42;
      });
    });
  });
  for (const Caught& c : caught) EXPECT_EQ(c, Caught(0, "rank 0 of 2: an exception that is not a std::exception"));
}

TEST(Agreement, SetupThatSucceedsEverywherePasses) {
  std::vector<int> ran(4, 0);
  const std::vector<Caught> caught = each_rank(4, [&](Communicator& comm, int r) {
    return caught_from([&] { agree_on_setup(comm, [&] { ran[static_cast<std::size_t>(r)] = 1; }); });
  });
  for (const Caught& c : caught) EXPECT_EQ(c, Caught(-1, ""));
  EXPECT_EQ(ran, std::vector<int>({1, 1, 1, 1}));
}

TEST(Agreement, OneProcessSeesItsOwnError) {
  LocalCommunicator comm;
  try {
    agree_on_setup(comm, [] { throw Error("no such file"); });
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(dynamic_cast<const RankFailure*>(&e), nullptr);
    EXPECT_STREQ(e.what(), "no such file");
  }
}

TEST(Agreement, AnotherConfigurationNamesTheFirstRankThatDiffers) {
  const std::vector<std::uint64_t> hashes = {7, 7, 9, 9};
  const std::vector<Caught> caught = each_rank(4, [&](Communicator& comm, int r) {
    return caught_from([&] { check_same_configuration(comm, hashes[static_cast<std::size_t>(r)], "same files?"); });
  });
  for (const Caught& c : caught) {
    EXPECT_EQ(c, Caught(2, "rank 2 of 4 has another configuration than rank 0 (same files?)"));
  }
  const std::vector<Caught> agreed = each_rank(4, [&](Communicator& comm, int /*rank*/) {
    return caught_from([&] { check_same_configuration(comm, 7); });
  });
  for (const Caught& c : agreed) EXPECT_EQ(c, Caught(-1, ""));
}

TEST(Agreement, Fnv1aIsTheStandardHash) {
  // The published FNV-1a 64 test vectors: the offset basis for no bytes, "a" and "foobar".
  EXPECT_EQ(fnv1a(nullptr, 0), 0xcbf29ce484222325ull);
  EXPECT_EQ(fnv1a("a", 1), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(fnv1a("foobar", 6), 0x85944171f73967e8ull);
  EXPECT_EQ(fnv1a("bar", 3, fnv1a("foo", 3)), fnv1a("foobar", 6));  // continues from a hash
}

TEST(DistributedFit, PoisonedStepDivergesOnEveryRankKeepingTheLastGoodWeights) {
  // 9 batches an epoch: step 12 is the third batch of epoch 2. Every rank stops there and keeps the
  // weights of the start of epoch 2, those of a one-epoch run, bit for bit.
  const Data data;
  for (const GradientSum sum : {GradientSum::ordered, GradientSum::plain}) {
    for (const int processes : {1, 2}) {
      const std::vector<float> kept = on_ranks(processes, [&](Communicator& comm, int r) {
        PoisoningCommunicator poisoned(comm, processes - 1, 12);
        RankRun run(r);
        try {
          run.fit(poisoned, data, {.epochs = 3, .batch_size = 25}, {.shards = 4, .sum = sum});
          ADD_FAILURE() << "rank " << r << " trained on";
        } catch (const TrainingDiverged& e) {
          EXPECT_EQ(e.epoch, 2u);
          EXPECT_NE(std::string(e.what()).find("diverged in epoch 2, batch 3 of 9: the loss is NaN"), std::string::npos)
              << e.what();
        }
        return run.weights();
      });
      EXPECT_EQ(kept, train(processes, 4, sum, 1)) << processes << " process(es)";
    }
  }
}

TEST(DistributedFit, OneRanksStopStopsEveryRankAfterTheSameBatch) {
  // Rank 1 asks at its fifth step; every rank stops after batch 5, rank 0 alone writes the
  // checkpoint, and that checkpoint resumed in one process ends with the bytes of a run never stopped.
  const testing::TempDir dir;
  const Data data;
  each_rank(2, [&](Communicator& comm, int r) {
    RankRun run(r);
    std::size_t polls = 0;
    try {
      run.fit(comm, data,
              {.epochs = 3,
               .batch_size = 25,
               .checkpoint_path = dir.file("rank" + std::to_string(r) + ".ckpt"),
               .stop_requested = [&] { return r == 1 && ++polls == 5; }},
              {.shards = 4});
      ADD_FAILURE() << "rank " << r << " did not stop";
    } catch (const TrainingInterrupted& e) {
      EXPECT_EQ(e.epoch, 1u) << "rank " << r;
      EXPECT_EQ(e.batch, 5u) << "rank " << r;
    }
    return 0;
  });
  EXPECT_TRUE(std::filesystem::exists(dir.file("rank0.ckpt")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("rank1.ckpt")));
  const std::vector<float> resumed = on_ranks(1, [&](Communicator& comm, int /*rank*/) {
    RankRun run(0);
    run.fit(comm, data, {.epochs = 3, .batch_size = 25, .resume_path = dir.file("rank0.ckpt")}, {.shards = 4});
    return run.weights();
  });
  EXPECT_EQ(resumed, train(2, 4, GradientSum::ordered));
}

// An error during training: its message with rank 1's on_batch, at batch 3.
FitOptions failing_at_batch_3(int rank) {
  return {.epochs = 3, .batch_size = 25, .on_batch = [rank](const BatchReport& report) {
            if (rank == 1 && report.batch == 3) throw Error("the disk is full");
          }};
}

TEST(DistributedFitDeathTest, AnErrorOnOneRankEndsEveryRank) {
  // Rank 0 waits in the next step's exchange for a rank that will never come: only the abort,
  // after the program's last word, ends it.
  const Data data;
  auto train_both = [&] {
    each_rank(2, [&](Communicator& comm, int r) {
      RankRun run(r);
      run.fit(comm, data, failing_at_batch_3(r),
              {.shards = 4, .on_abort = [](const std::string& message) { std::cerr << "said: " << message << "\n"; }});
      return 0;
    });
  };
  EXPECT_EXIT(train_both(), ::testing::ExitedWithCode(1), "said: rank 1 of 2: the disk is full");
}

TEST(DistributedFit, OneProcessRethrowsAnError) {
  const Data data;
  LocalCommunicator comm;
  RankRun run(1);
  bool said = false;
  const DistributedOptions sharding{.shards = 4, .on_abort = [&](const std::string& /*message*/) { said = true; }};
  testing::expect_error([&] { run.fit(comm, data, failing_at_batch_3(1), sharding); }, {"the disk is full"});
  EXPECT_FALSE(said);
}

TEST(DistributedFit, RefusesAStepOfTheCallers) {
  const Data data;
  LocalCommunicator comm;
  RankRun run(0);
  FitOptions options{.epochs = 1};
  options.batch_step = [](std::span<const std::size_t> /*indices*/) { return BatchOutcome{}; };
  testing::expect_error([&] { run.fit(comm, data, options, {.shards = 4}); }, {"batch_step", "leave it empty"});
}

}  // namespace
}  // namespace bpnn
