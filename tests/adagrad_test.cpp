// Adagrad against its update formula worked by hand, its checkpoint state, its option checks and
// its row in make_optimizer. tests/pytorch/run.sh compares it with torch.optim.Adagrad.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "bpnn/bpnn.hpp"
#include "support/expect_error.hpp"
#include "support/optimizer_check.hpp"

namespace bpnn {
namespace {

using testing::expect_error;
using testing::set_grad;
using testing::store_with;

TEST(Adagrad, FirstStepMovesEachParameterByTheRate) {
  ParameterStore<double> s = store_with(1.0, -2.0);
  set_grad(s, 0.5, -4.0);
  Adagrad<double> adagrad({});  // PyTorch's defaults: lr 0.01, eps 1e-10
  adagrad.step(s);
  // s = g^2, so the first step is lr g / (|g| + eps): the rate times the gradient's sign.
  EXPECT_NEAR(s.value(0)[0], 1.0 - 0.01 * (0.5 / (0.5 + 1e-10)), 1e-15);
  EXPECT_NEAR(s.value(0)[1], -2.0 + 0.01 * (4.0 / (4.0 + 1e-10)), 1e-15);
  EXPECT_EQ(adagrad.steps(), 1u);
}

TEST(Adagrad, SumsTheSquaresAndDecaysTheRate) {
  ParameterStore<double> s = store_with(2.0, 0.0);
  Adagrad<double> adagrad(
      {.learning_rate = 0.1, .lr_decay = 0.5, .weight_decay = 0.25, .initial_accumulator_value = 0.75, .eps = 1e-6});
  set_grad(s, 1.0, 0.0);
  adagrad.step(s);
  // Step 1: g = 1 + 0.25 * 2 = 1.5; s = 0.75 + 2.25 = 3; rate 0.1 / (1 + 0 * 0.5) = 0.1.
  const double p1 = 2.0 - 0.1 * (1.5 / (std::sqrt(3.0) + 1e-6));
  EXPECT_NEAR(s.value(0)[0], p1, 1e-15);
  set_grad(s, -3.0, 0.0);
  adagrad.step(s);
  // Step 2: g = -3 + 0.25 p1; s = 3 + g^2; rate 0.1 / (1 + 1 * 0.5).
  const double g = -3.0 + 0.25 * p1;
  EXPECT_NEAR(s.value(0)[0], p1 - 0.1 / 1.5 * (g / (std::sqrt(3.0 + g * g) + 1e-6)), 1e-15);
  // No gradient and no weight to decay: the sum is 0.75 and nothing moves.
  EXPECT_EQ(s.value(0)[1], 0.0);
}

TEST(Adagrad, SkipsFrozenTensors) {
  ParameterStore<double> s = store_with(1.0, 1.0);
  s.set_frozen("0.weight");
  set_grad(s, 1.0, 1.0);
  Adagrad<double>({}).step(s);
  EXPECT_EQ(s.value(0)[0], 1.0);
  EXPECT_EQ(s.value(0)[1], 1.0);
}

TEST(Adagrad, StateRoundTripContinuesTheSameRun) {
  const AdagradOptions options{.learning_rate = 0.05, .lr_decay = 0.1, .initial_accumulator_value = 0.2};
  ParameterStore<double> a = store_with(1.0, -1.0), b = store_with(1.0, -1.0);
  Adagrad<double> first(options);
  EXPECT_TRUE(first.state().buffers.empty());  // nothing before the first step
  set_grad(a, 0.3, -0.7);
  first.step(a);
  const OptimizerState<double> state = first.state();
  EXPECT_EQ(state.kind, "adagrad");
  EXPECT_EQ(state.steps, 1u);
  ASSERT_EQ(state.buffers.size(), 1u);
  EXPECT_EQ(state.buffers[0].first, "sum");
  EXPECT_DOUBLE_EQ(state.buffers[0].second[0], 0.2 + 0.3 * 0.3);

  Adagrad<double> resumed(options);
  resumed.set_state(state, 2);
  b.value(0)[0] = a.value(0)[0];
  b.value(0)[1] = a.value(0)[1];
  set_grad(a, -0.2, 0.4);
  set_grad(b, -0.2, 0.4);
  first.step(a);
  resumed.step(b);
  EXPECT_EQ(b.value(0)[0], a.value(0)[0]);  // bit-identical: the sums and the step count came across
  EXPECT_EQ(b.value(0)[1], a.value(0)[1]);

  Rmsprop<double> rmsprop({});
  rmsprop.step(a);
  expect_error([&] { resumed.set_state(rmsprop.state(), 2); }, {"rmsprop", "adagrad"});
  expect_error([&] { resumed.set_state(state, 3); }, {"sum", "2 values", "3 parameters"});
}

TEST(Adagrad, RejectsBadOptions) {
  expect_error([] { Adagrad<double>({.learning_rate = -1}); }, {"adagrad", "learning rate"});
  expect_error([] { Adagrad<double>({.lr_decay = -0.1}); }, {"lr_decay"});
  expect_error([] { Adagrad<double>({.initial_accumulator_value = -1}); }, {"initial_accumulator_value"});
  expect_error([] { Adagrad<double>({.eps = std::numeric_limits<double>::quiet_NaN()}); }, {"eps"});
}

TEST(Adagrad, MadeByTheFactoryWithPyTorchsDefaults) {
  auto made = make_optimizer<float>({.name = "adagrad"});
  const AdagradOptions& d = dynamic_cast<Adagrad<float>&>(*made).options();
  EXPECT_EQ(d.learning_rate, 0.01);
  EXPECT_EQ(d.lr_decay, 0.0);
  EXPECT_EQ(d.weight_decay, 0.0);
  EXPECT_EQ(d.initial_accumulator_value, 0.0);
  EXPECT_EQ(d.eps, 1e-10);
  EXPECT_EQ(made->plain_sgd_learning_rate(), 0.0);  // never fused into backward

  OptimizerSpec spec{.name = "adagrad"};
  spec.set("lr_decay", 0.01);
  spec.set("initial_accumulator_value", 0.1);
  auto given = make_optimizer<double>(spec);
  const AdagradOptions& o = dynamic_cast<Adagrad<double>&>(*given).options();
  EXPECT_EQ(o.lr_decay, 0.01);
  EXPECT_EQ(o.initial_accumulator_value, 0.1);
  expect_error([] { make_optimizer<float>({.name = "adagrad", .momentum = 0.9}); }, {"'adagrad'", "momentum"});
  expect_error([] { make_optimizer<float>({.name = "adam", .lr_decay = 0.1}); }, {"'adam'", "lr_decay", "'adagrad'"});
}

TEST(Adagrad, StepsTheSameBitsOnEveryBackend) {
  for (const double weight_decay : {0.0, 0.01}) {
    const AdagradOptions options{.lr_decay = 0.01, .weight_decay = weight_decay, .initial_accumulator_value = 0.1};
    EXPECT_EQ(testing::differences_between_backends(
                  [&](auto t) { return std::make_unique<Adagrad<decltype(t)>>(options); }),
              "")
        << "weight_decay " << weight_decay;
  }
}

}  // namespace
}  // namespace bpnn
