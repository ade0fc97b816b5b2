// RPROP (iRPROP-, as PyTorch's Rprop) against its update rule worked by hand: the first step at
// the learning rate, a step grown by sign agreement, shrunk and skipped at a sign change, clamped
// to its bounds; its state through a checkpoint; its factory branch; the update on both backends.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <string>
#include <utility>
#include <vector>

#include "bpnn/bpnn.hpp"
#include "support/optimizer_check.hpp"
#include "support/thread_counts.hpp"

namespace bpnn {
namespace {

// A store with one parameter tensor holding values, and one with its gradients.
ParameterStore<double> store_with(const std::vector<double>& values) {
  ParameterStore<double> store;
  store.add("0.weight", Shape{values.size()}, Initializer::zeros());
  for (std::size_t i = 0; i < values.size(); ++i) store.value(0)[i] = values[i];
  return store;
}

void set_grad(ParameterStore<double>& store, const std::vector<double>& grads) {
  for (std::size_t i = 0; i < grads.size(); ++i) store.grad(0)[i] = grads[i];
}

// The named buffer of an Rprop state ("prev" or "step").
std::vector<double> buffer(const Rprop<double>& rprop, const std::string& name) {
  for (const auto& [buffer_name, values] : rprop.state().buffers) {
    if (buffer_name == name) return {values.data(), values.data() + values.size()};
  }
  return {};
}

TEST(Rprop, FirstStepMovesEachParameterByTheLearningRateAgainstItsSign) {
  ParameterStore<double> s = store_with({1.0, -2.0, 3.0});
  set_grad(s, {0.5, -4000.0, 0.0});
  Rprop<double> rprop({.learning_rate = 0.1});
  rprop.step(s);
  // prev is 0, so every step stays at lr; the size of the gradient does not matter, only its sign.
  EXPECT_EQ(s.value(0)[0], 1.0 - 0.1);
  EXPECT_EQ(s.value(0)[1], -2.0 + 0.1);
  EXPECT_EQ(s.value(0)[2], 3.0);  // a zero gradient moves nothing
  EXPECT_EQ(buffer(rprop, "step"), (std::vector<double>{0.1, 0.1, 0.1}));
  EXPECT_EQ(buffer(rprop, "prev"), (std::vector<double>{0.5, -4000.0, 0.0}));
  EXPECT_EQ(rprop.steps(), 1u);
}

TEST(Rprop, SignAgreementGrowsTheStepAndASignChangeShrinksItAndSkipsTheUpdate) {
  ParameterStore<double> s = store_with({0.0, 0.0});
  Rprop<double> rprop({});  // PyTorch's defaults: lr 0.01, etas (0.5, 1.2)
  set_grad(s, {1.0, 1.0});
  rprop.step(s);  // both -0.01
  set_grad(s, {2.0, -3.0});
  rprop.step(s);
  // [0]: same sign, step 0.01 * 1.2. [1]: the sign changed, step 0.01 * 0.5, no move, prev = 0.
  EXPECT_NEAR(s.value(0)[0], -0.01 - 0.012, 1e-15);
  EXPECT_NEAR(s.value(0)[1], -0.01, 1e-15);
  EXPECT_NEAR(buffer(rprop, "step")[0], 0.012, 1e-15);
  EXPECT_NEAR(buffer(rprop, "step")[1], 0.005, 1e-15);
  EXPECT_EQ(buffer(rprop, "prev"), (std::vector<double>{2.0, 0.0}));
  set_grad(s, {1.0, -1.0});
  rprop.step(s);
  // [0] grows again (0.0144); [1] has prev 0, so its step stays 0.005 and it moves against g.
  EXPECT_NEAR(s.value(0)[0], -0.01 - 0.012 - 0.0144, 1e-15);
  EXPECT_NEAR(s.value(0)[1], -0.01 + 0.005, 1e-15);
  EXPECT_NEAR(buffer(rprop, "step")[1], 0.005, 1e-15);
  EXPECT_EQ(rprop.steps(), 3u);
}

TEST(Rprop, StepsAreClampedToTheirBounds) {
  ParameterStore<double> big = store_with({0.0}), small = store_with({0.0});
  Rprop<double> up({.learning_rate = 40.0}), down({.learning_rate = 1.5e-6});
  for (double g : {1.0, 1.0, 1.0}) {  // 40, then 48, then 57.6 clamped to step_max 50
    set_grad(big, {g});
    up.step(big);
  }
  EXPECT_NEAR(big.value(0)[0], -(40.0 + 48.0 + 50.0), 1e-12);
  EXPECT_EQ(buffer(up, "step")[0], 50.0);
  for (double g : {1.0, -1.0}) {  // 1.5e-6, then 0.75e-6 clamped to step_min 1e-6
    set_grad(small, {g});
    down.step(small);
  }
  EXPECT_EQ(buffer(down, "step")[0], 1e-6);
  EXPECT_EQ(small.value(0)[0], -1.5e-6);  // the sign change skipped the second update
}

TEST(Rprop, ChangingTheLearningRateAfterTheStartKeepsTheStepSizes) {
  ParameterStore<double> s = store_with({0.0});
  Rprop<double> rprop({.learning_rate = 0.1});
  set_grad(s, {1.0});
  rprop.step(s);
  rprop.set_learning_rate(1.0);  // as PyTorch: lr only sets where the step sizes start
  rprop.step(s);
  EXPECT_NEAR(s.value(0)[0], -0.1 - 0.12, 1e-15);
  EXPECT_EQ(rprop.learning_rate(), 1.0);
}

TEST(Rprop, StateRoundTripContinuesTheSameSteps) {
  ParameterStore<double> a = store_with({0.5, -0.5, 1.0}), b = store_with({0.5, -0.5, 1.0});
  Rprop<double> first({.learning_rate = 0.05});
  const std::vector<std::vector<double>> grads = {{1.0, -1.0, 2.0}, {1.0, 1.0, -2.0}, {-1.0, 1.0, 3.0}};
  set_grad(a, grads[0]);
  first.step(a);
  set_grad(a, grads[1]);
  first.step(a);
  // b continues from a's values and first's state in a fresh optimizer.
  for (std::size_t i = 0; i < 3; ++i) b.value(0)[i] = a.value(0)[i];
  const OptimizerState<double> state = first.state();
  EXPECT_EQ(state.kind, "rprop");
  EXPECT_EQ(state.steps, 2u);
  Rprop<double> second({.learning_rate = 0.05});
  second.set_state(state, 3);
  set_grad(a, grads[2]);
  set_grad(b, grads[2]);
  first.step(a);
  second.step(b);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(a.value(0)[i], b.value(0)[i]) << i;
  EXPECT_EQ(second.steps(), 3u);

  // Only its own kind, and buffers of the model's size.
  Adam<double> adam({});
  adam.step(a);
  EXPECT_THROW(second.set_state(adam.state(), 3), Error);
  EXPECT_THROW(second.set_state(state, 4), Error);
  OptimizerState<double> half = state;
  half.buffers.pop_back();
  EXPECT_THROW(second.set_state(half, 3), Error);
}

TEST(Rprop, SkipsFrozenTensorsAndRejectsBadOptions) {
  ParameterStore<double> s = store_with({1.0, 1.0});
  s.set_frozen("0.weight");
  set_grad(s, {1.0, 1.0});
  Rprop<double>({}).step(s);
  EXPECT_EQ(s.value(0)[0], 1.0);
  EXPECT_THROW(Rprop<double>({.learning_rate = -1}), Error);
  EXPECT_THROW(Rprop<double>({.eta_minus = 1.0}), Error);
  EXPECT_THROW(Rprop<double>({.eta_minus = 0.0}), Error);
  EXPECT_THROW(Rprop<double>({.eta_plus = 1.0}), Error);
  EXPECT_THROW(Rprop<double>({.step_min = 2.0, .step_max = 1.0}), Error);
  EXPECT_THROW(Rprop<double>({.step_min = -1.0}), Error);
}

TEST(Rprop, FactoryTakesTheLearningRateOnly) {
  auto made = make_optimizer<float>({.name = "rprop"});
  auto* r = dynamic_cast<Rprop<float>*>(made.get());
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->options().learning_rate, 0.01);
  EXPECT_EQ(r->options().eta_minus, 0.5);
  EXPECT_EQ(r->options().eta_plus, 1.2);
  EXPECT_EQ(r->options().step_min, 1e-6);
  EXPECT_EQ(r->options().step_max, 50.0);
  EXPECT_EQ(make_optimizer<float>({.name = "rprop", .learning_rate = 0.1})->learning_rate(), 0.1);
  EXPECT_EQ(make_optimizer<float>({.name = "rprop"})->plain_sgd_learning_rate(), 0.0);
  for (const OptimizerSpec& spec : {OptimizerSpec{.name = "rprop", .weight_decay = 0.1},
                                    OptimizerSpec{.name = "rprop", .momentum = 0.9},
                                    OptimizerSpec{.name = "rprop", .eps = 1e-8}}) {
    try {
      make_optimizer<float>(spec);
      ADD_FAILURE() << "no Error thrown";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("'rprop'"), std::string::npos) << e.what();
    }
  }
}

// The update from a restored state on both backends (the cpu one with two threads where the build has
// threads) agrees exactly.
TEST(Rprop, CpuAndReferenceBackendsAgree) {
  const std::size_t n = 37;
  const RpropOptions options{.eta_minus = 0.5, .eta_plus = 1.2, .step_min = 1e-3, .step_max = 0.2};
  std::vector<float> p(n), g(n), prev(n), step(n);
  for (std::size_t i = 0; i < n; ++i) {
    p[i] = 0.1f * static_cast<float>(i) - 1.0f;
    g[i] = static_cast<float>(static_cast<int>(i % 5) - 2);  // -2 .. 2, zeros included
    prev[i] = static_cast<float>(static_cast<int>(i % 3) - 1);
    step[i] = 0.01f * static_cast<float>(i % 30);  // 0.29 is clamped to 0.2, 0 to 1e-3
  }
  // p, prev and step after one step on backend.
  auto step_on = [&](const Backend<float>& backend) {
    ParameterStore<float> store;
    store.add("0.weight", Shape{n}, Initializer::zeros());
    std::copy(p.begin(), p.end(), store.value(0).data());
    std::copy(g.begin(), g.end(), store.grad(0).data());
    Rprop<float> rprop(options);
    const OptimizerState<float> state{
        .kind = "rprop",
        .buffers = {{"prev", Tensor<float>(Shape{n}, prev)}, {"step", Tensor<float>(Shape{n}, step)}},
        .steps = 1};
    rprop.set_state(state, n);
    rprop.step(store, backend);
    auto buffer = [&](const std::string& name) {
      for (const auto& [buffer_name, values] : rprop.state().buffers) {
        if (buffer_name == name) return std::vector<float>(values.data(), values.data() + values.size());
      }
      return std::vector<float>{};
    };
    const TensorView<const float> values = std::as_const(store).value(0);
    return std::array<std::vector<float>, 3>{std::vector<float>(values.data(), values.data() + n), buffer("prev"),
                                             buffer("step")};
  };
  const auto [p1, prev1, step1] = step_on(*make_cpu_backend<float>({.threads = std::min(2, testing::kMaxThreads)}));
  const auto [p2, prev2, step2] = step_on(*make_reference_backend<float>());
  EXPECT_EQ(p1, p2);
  EXPECT_EQ(prev1, prev2);
  EXPECT_EQ(step1, step2);
  ASSERT_EQ(step1.size(), n);
  for (std::size_t i = 0; i < n; ++i) {
    EXPECT_GE(step1[i], 1e-3f);
    EXPECT_LE(step1[i], 0.2f);
    if (g[i] * static_cast<float>(static_cast<int>(i % 3) - 1) < 0) {
      EXPECT_EQ(prev1[i], 0.0f) << i;  // a sign change zeroes the gradient kept
    }
  }
}

// Steps from 0.05 between bounds 0.01 and 0.07, so that over four steps they grow, shrink and
// clamp: the same bits on every backend and thread count that shares the update out.
TEST(Rprop, StepsTheSameBitsOnEveryBackend) {
  const RpropOptions options{.learning_rate = 0.05, .step_min = 0.01, .step_max = 0.07};
  EXPECT_EQ(testing::differences_between_backends([&](auto t) {
              return std::make_unique<Rprop<decltype(t)>>(options);
            }),
            "");
}

}  // namespace
}  // namespace bpnn
