// RMSprop against its update formulas worked by hand, its checkpoint state, its option checks and
// its branch in make_optimizer. tests/pytorch/run.sh compares it with torch.optim.RMSprop.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "bpnn/bpnn.hpp"
#include "support/expect_error.hpp"
#include "support/optimizer_check.hpp"

namespace bpnn {
namespace {

using testing::expect_error;
using testing::set_grad;
using testing::store_with;

TEST(Rmsprop, FirstStepDividesByTheRootOfTheFirstAverage) {
  ParameterStore<double> s = store_with(1.0, -2.0);
  set_grad(s, 0.5, -4.0);
  Rmsprop<double> rmsprop({});  // PyTorch's defaults: lr 0.01, alpha 0.99, eps 1e-8
  rmsprop.step(s);
  // a = 0.01 g^2 (no bias correction, as PyTorch), so the first step is lr g / (0.1 |g| + eps): ten
  // times the rate.
  EXPECT_NEAR(s.value(0)[0], 1.0 - 0.01 * 0.5 / (std::sqrt(0.01 * 0.25) + 1e-8), 1e-15);
  EXPECT_NEAR(s.value(0)[1], -2.0 + 0.01 * 4.0 / (std::sqrt(0.01 * 16.0) + 1e-8), 1e-15);
  EXPECT_NEAR(s.value(0)[0], 0.9, 1e-6);
  EXPECT_EQ(rmsprop.steps(), 1u);
}

TEST(Rmsprop, SecondStepKeepsARunningAverage) {
  ParameterStore<double> s = store_with(0.0, 0.0);
  Rmsprop<double> rmsprop({.learning_rate = 0.01, .alpha = 0.9, .eps = 1e-6});
  set_grad(s, 1.0, 0.0);
  rmsprop.step(s);
  const double a1 = 0.1 * 1.0, p1 = -0.01 * 1.0 / (std::sqrt(a1) + 1e-6);
  EXPECT_NEAR(s.value(0)[0], p1, 1e-15);
  set_grad(s, 3.0, 0.0);
  rmsprop.step(s);
  const double a2 = 0.9 * a1 + 0.1 * 9.0;
  EXPECT_NEAR(s.value(0)[0], p1 - 0.01 * 3.0 / (std::sqrt(a2) + 1e-6), 1e-15);
  EXPECT_EQ(s.value(0)[1], 0.0);  // a zero gradient moves nothing (eps keeps 0 / 0 away)
}

TEST(Rmsprop, CenteredWithMomentumAndWeightDecay) {
  ParameterStore<double> s = store_with(2.0, 0.0);
  Rmsprop<double> rmsprop(
      {.learning_rate = 0.1, .alpha = 0.9, .eps = 1e-6, .weight_decay = 0.5, .momentum = 0.8, .centered = true});
  set_grad(s, 1.0, 0.0);
  rmsprop.step(s);
  // Step 1: g = 1 + 0.5 * 2 = 2; a = 0.1 * 4 = 0.4; ga = 0.1 * 2 = 0.2; d = sqrt(0.4 - 0.04) + eps = 0.6 + eps;
  // b = g / d; p = 2 - 0.1 b.
  const double b1 = 2.0 / (0.6 + 1e-6), p1 = 2.0 - 0.1 * b1;
  EXPECT_NEAR(s.value(0)[0], p1, 1e-14);
  set_grad(s, 3.0, 0.0);
  rmsprop.step(s);
  // Step 2: the decay uses the new p; both averages and the buffer carry over.
  const double g = 3.0 + 0.5 * p1, a = 0.9 * 0.4 + 0.1 * g * g, ga = 0.9 * 0.2 + 0.1 * g;
  const double b2 = 0.8 * b1 + g / (std::sqrt(a - ga * ga) + 1e-6);
  EXPECT_NEAR(s.value(0)[0], p1 - 0.1 * b2, 1e-14);
  // The second value is 0 with no gradient: its decay term is 0 too, so nothing moves it.
  EXPECT_EQ(s.value(0)[1], 0.0);
}

TEST(Rmsprop, SkipsFrozenTensors) {
  ParameterStore<double> s = store_with(1.0, 1.0);
  s.set_frozen("0.weight");
  set_grad(s, 1.0, 1.0);
  Rmsprop<double>({.momentum = 0.9, .centered = true}).step(s);
  EXPECT_EQ(s.value(0)[0], 1.0);
  EXPECT_EQ(s.value(0)[1], 1.0);
}

TEST(Rmsprop, StateRoundTripContinuesTheSameRun) {
  const RmspropOptions options{.learning_rate = 0.05, .weight_decay = 0.1, .momentum = 0.9, .centered = true};
  ParameterStore<double> a = store_with(1.0, -1.0), b = store_with(1.0, -1.0);
  Rmsprop<double> first(options);
  EXPECT_TRUE(first.state().buffers.empty());  // nothing before the first step
  set_grad(a, 0.3, -0.7);
  first.step(a);

  const OptimizerState<double> state = first.state();
  EXPECT_EQ(state.kind, "rmsprop");
  EXPECT_EQ(state.steps, 1u);
  ASSERT_EQ(state.buffers.size(), 3u);
  EXPECT_EQ(state.buffers[0].first, "square_avg");
  EXPECT_EQ(state.buffers[1].first, "momentum_buffer");
  EXPECT_EQ(state.buffers[2].first, "grad_avg");

  Rmsprop<double> resumed(options);
  resumed.set_state(state, 2);
  b.value(0)[0] = a.value(0)[0];
  b.value(0)[1] = a.value(0)[1];
  set_grad(a, -0.2, 0.4);
  set_grad(b, -0.2, 0.4);
  first.step(a);
  resumed.step(b);
  EXPECT_EQ(b.value(0)[0], a.value(0)[0]);  // bit-identical: the whole state came across
  EXPECT_EQ(b.value(0)[1], a.value(0)[1]);
  EXPECT_EQ(resumed.steps(), 2u);

  // Plain RMSprop keeps only square_avg.
  ParameterStore<double> c = store_with(1.0, 1.0);
  Rmsprop<double> plain({});
  set_grad(c, 1.0, 1.0);
  plain.step(c);
  ASSERT_EQ(plain.state().buffers.size(), 1u);
  EXPECT_EQ(plain.state().buffers[0].first, "square_avg");
}

TEST(Rmsprop, RefusesAStateThatIsNotItsOwn) {
  ParameterStore<double> s = store_with(1.0, 1.0);
  set_grad(s, 1.0, 1.0);
  Adam<double> adam({});
  adam.step(s);
  Rmsprop<double> rmsprop({});
  expect_error([&] { rmsprop.set_state(adam.state(), 2); }, {"adam", "rmsprop"});

  Rmsprop<double> with_momentum({.momentum = 0.9});
  with_momentum.step(s);
  Sgd<double> sgd({.momentum = 0.9});
  expect_error([&] { sgd.set_state(with_momentum.state(), 2); }, {"rmsprop", "sgd"});
  // Same kind, other options: a buffer it needs is missing, or one it would ignore is there.
  expect_error([&] { rmsprop.set_state(with_momentum.state(), 2); }, {"no momentum", "momentum_buffer"});
  Rmsprop<double> plain({});
  plain.step(s);
  Rmsprop<double> centered({.centered = true});
  expect_error([&] { centered.set_state(plain.state(), 2); }, {"is centered", "no grad_avg"});
  // Another model's size.
  expect_error([&] { with_momentum.set_state(with_momentum.state(), 3); }, {"square_avg", "2 values", "3 parameters"});
}

TEST(Rmsprop, RejectsBadOptions) {
  expect_error([] { Rmsprop<double>({.alpha = 1.0}); }, {"rmsprop", "alpha", "[0, 1)"});
  expect_error([] { Rmsprop<double>({.alpha = -0.1}); }, {"alpha"});
  expect_error([] { Rmsprop<double>({.learning_rate = -1}); }, {"rmsprop", "learning rate"});
  expect_error([] { Rmsprop<double>({.eps = -1e-8}); }, {"eps"});
  expect_error([] { Rmsprop<double>({.weight_decay = -0.1}); }, {"weight decay"});
  expect_error([] { Rmsprop<double>({.momentum = -0.5}); }, {"momentum"});
  expect_error([] { Rmsprop<double>({.learning_rate = std::numeric_limits<double>::quiet_NaN()}); }, {"learning rate"});
  EXPECT_NO_THROW(Rmsprop<double>({.alpha = 0.0}));
}

TEST(Rmsprop, MadeByTheFactoryWithPyTorchsDefaults) {
  auto made = make_optimizer<float>({.name = "rmsprop"});
  auto* r = dynamic_cast<Rmsprop<float>*>(made.get());
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->options().learning_rate, 0.01);
  EXPECT_EQ(r->options().alpha, 0.99);
  EXPECT_EQ(r->options().eps, 1e-8);
  EXPECT_EQ(r->options().weight_decay, 0.0);
  EXPECT_EQ(r->options().momentum, 0.0);
  EXPECT_FALSE(r->options().centered);
  EXPECT_EQ(r->plain_sgd_learning_rate(), 0.0);  // never fused into backward

  auto given = make_optimizer<double>({.name = "rmsprop",
                                       .learning_rate = 0.002,
                                       .momentum = 0.5,
                                       .weight_decay = 0.01,
                                       .eps = 1e-6,
                                       .alpha = 0.9,
                                       .centered = true});
  const RmspropOptions& o = dynamic_cast<Rmsprop<double>&>(*given).options();
  EXPECT_EQ(o.learning_rate, 0.002);
  EXPECT_EQ(o.momentum, 0.5);
  EXPECT_EQ(o.weight_decay, 0.01);
  EXPECT_EQ(o.eps, 1e-6);
  EXPECT_EQ(o.alpha, 0.9);
  EXPECT_TRUE(o.centered);

  expect_error([] { make_optimizer<float>({.name = "rmsprop", .nesterov = true}); }, {"'rmsprop'", "nesterov"});
  expect_error([] { make_optimizer<float>({.name = "rmsprop", .beta1 = 0.9}); }, {"'rmsprop'", "beta1"});
  expect_error([] { make_optimizer<float>({.name = "adam", .alpha = 0.9}); }, {"'adam'", "alpha", "'rmsprop'"});
  expect_error([] { make_optimizer<float>({.name = "momentum", .centered = true}); }, {"'momentum'", "centered"});
  EXPECT_THROW(make_optimizer<float>({.name = "rmsprop", .alpha = 1.5}), Error);  // refused by Rmsprop itself
}

// Plain, centered, with momentum and both, each with and without decay: the same bits on every
// backend and thread count that shares the update out.
TEST(Rmsprop, StepsTheSameBitsOnEveryBackend) {
  for (const bool centered : {false, true}) {
    for (const double momentum : {0.0, 0.9}) {
      for (const double weight_decay : {0.0, 0.01}) {
        const RmspropOptions options{
            .learning_rate = 0.01, .weight_decay = weight_decay, .momentum = momentum, .centered = centered};
        EXPECT_EQ(testing::differences_between_backends([&](auto t) {
                    return std::make_unique<Rmsprop<decltype(t)>>(options);
                  }),
                  "")
            << "centered " << centered << " momentum " << momentum << " weight_decay " << weight_decay;
      }
    }
  }
}

}  // namespace
}  // namespace bpnn
