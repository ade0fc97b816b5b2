// Adam and AdamW, and SGD's momentum, against the update formulas worked by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "bpnn/bpnn.hpp"
#include "support/optimizer_check.hpp"

namespace bpnn {
namespace {

using testing::set_grad;
using testing::store_with;

TEST(Adam, FirstStepMovesEachParameterByTheLearningRate) {
  ParameterStore<double> s = store_with(1.0, -2.0);
  set_grad(s, 0.5, -4.0);
  Adam<double> adam({.learning_rate = 0.1});
  adam.step(s);
  // m^ = g and v^ = g^2 after one step, so the update is lr g / (|g| + eps).
  EXPECT_NEAR(s.value(0)[0], 1.0 - 0.1 * 0.5 / (0.5 + 1e-8), 1e-15);
  EXPECT_NEAR(s.value(0)[1], -2.0 + 0.1 * 4.0 / (4.0 + 1e-8), 1e-15);
  EXPECT_EQ(adam.steps(), 1u);
}

TEST(Adam, SecondStepUsesBiasCorrectedMoments) {
  ParameterStore<double> s = store_with(0.0, 0.0);
  Adam<double> adam({.learning_rate = 0.01, .beta1 = 0.9, .beta2 = 0.99, .eps = 1e-6});
  set_grad(s, 1.0, 0.0);
  adam.step(s);
  set_grad(s, 3.0, 0.0);
  const double before = s.value(0)[0];
  adam.step(s);
  const double m = 0.9 * 0.1 * 1.0 + 0.1 * 3.0, v = 0.99 * 0.01 * 1.0 + 0.01 * 9.0;
  const double expected = before - 0.01 * (m / (1 - 0.81)) / (std::sqrt(v / (1 - 0.9801)) + 1e-6);
  EXPECT_NEAR(s.value(0)[0], expected, 1e-15);
  EXPECT_EQ(s.value(0)[1], 0.0);  // a zero gradient moves nothing
}

TEST(Adam, WeightDecayIsL2ForAdamAndDecoupledForAdamW) {
  ParameterStore<double> a = store_with(2.0, 0.0), w = store_with(2.0, 0.0);
  set_grad(a, 1.0, 0.0);
  set_grad(w, 1.0, 0.0);
  Adam<double>({.learning_rate = 0.1, .weight_decay = 0.5}).step(a);
  Adam<double>({.learning_rate = 0.1, .weight_decay = 0.5, .decoupled_weight_decay = true}).step(w);
  // Adam: g = 1 + 0.5 * 2 = 2, update lr * 2 / (2 + eps). AdamW: p *= 1 - 0.05, then lr * 1 / (1 + eps).
  EXPECT_NEAR(a.value(0)[0], 2.0 - 0.1 * 2.0 / (2.0 + 1e-8), 1e-15);
  EXPECT_NEAR(w.value(0)[0], 2.0 * 0.95 - 0.1 * 1.0 / (1.0 + 1e-8), 1e-15);
}

TEST(Adam, SkipsFrozenTensorsAndRejectsBadOptions) {
  ParameterStore<double> s = store_with(1.0, 1.0);
  s.set_frozen("0.weight");
  set_grad(s, 1.0, 1.0);
  Adam<double>({}).step(s);
  EXPECT_EQ(s.value(0)[0], 1.0);
  EXPECT_THROW(Adam<double>({.beta1 = 1.0}), Error);
  EXPECT_THROW(Adam<double>({.learning_rate = -1}), Error);
}

TEST(SgdMomentum, HeavyBallAndNesterov) {
  ParameterStore<double> h = store_with(1.0, 0.0), n = store_with(1.0, 0.0);
  Sgd<double> heavy({.learning_rate = 0.1, .momentum = 0.9});
  Sgd<double> nesterov({.learning_rate = 0.1, .momentum = 0.9, .nesterov = true});
  set_grad(h, 2.0, 0.0);
  set_grad(n, 2.0, 0.0);
  heavy.step(h);
  nesterov.step(n);
  EXPECT_NEAR(h.value(0)[0], 1.0 - 0.1 * 2.0, 1e-15);              // b = g
  EXPECT_NEAR(n.value(0)[0], 1.0 - 0.1 * (2.0 + 0.9 * 2.0), 1e-15);  // g + mu b
  set_grad(h, 1.0, 0.0);
  set_grad(n, 1.0, 0.0);
  heavy.step(h);
  nesterov.step(n);
  EXPECT_NEAR(h.value(0)[0], 0.8 - 0.1 * (0.9 * 2.0 + 1.0), 1e-15);
  EXPECT_NEAR(n.value(0)[0], 1.0 - 0.38 - 0.1 * (1.0 + 0.9 * (0.9 * 2.0 + 1.0)), 1e-15);
  EXPECT_EQ(heavy.plain_sgd_learning_rate(), 0.0);  // momentum cannot be fused into backward
  EXPECT_EQ(Sgd<double>({.learning_rate = 0.1}).plain_sgd_learning_rate(), 0.1);
  EXPECT_THROW(Sgd<double>({.nesterov = true}), Error);
}

}  // namespace
}  // namespace bpnn

namespace bpnn {
namespace {

TEST(LrSchedule, StepAndCosineAsPyTorch) {
  const LrSchedule constant;
  EXPECT_EQ(constant.rate(0.1, 5, 10), 0.1);
  const LrSchedule step{.kind = LrSchedule::Kind::step, .step_size = 2, .gamma = 0.5};
  EXPECT_DOUBLE_EQ(step.rate(0.1, 0, 10), 0.1);
  EXPECT_DOUBLE_EQ(step.rate(0.1, 1, 10), 0.1);
  EXPECT_DOUBLE_EQ(step.rate(0.1, 2, 10), 0.05);
  EXPECT_DOUBLE_EQ(step.rate(0.1, 5, 10), 0.025);
  const LrSchedule cosine{.kind = LrSchedule::Kind::cosine, .min_rate = 0.01};
  EXPECT_DOUBLE_EQ(cosine.rate(0.1, 0, 4), 0.1);
  EXPECT_DOUBLE_EQ(cosine.rate(0.1, 2, 4), 0.055);  // halfway: the mean of 0.1 and 0.01
  EXPECT_NEAR(cosine.rate(0.1, 4, 4), 0.01, 1e-15);
}

TEST(LrSchedule, FitSetsTheRateOfEachEpoch) {
  Sequential<float> model(Shape{2});
  model.add(Dense<float>({.units = 1}));
  Rng rng(1);
  model.initialize(rng);
  Sgd<float> sgd({.learning_rate = 0.8});
  std::vector<double> rates;
  const Tensor<float> x(Shape{2, 2}, {1, 0, 0, 1}), t(Shape{2, 1}, {1, 0});
  fit(model, Mse<float>(), sgd, x, t, rng,
      {.epochs = 3, .batch_size = 2, .schedule = {.kind = LrSchedule::Kind::step, .step_size = 1, .gamma = 0.5},
       .on_epoch = [&](const EpochReport&) { rates.push_back(sgd.learning_rate()); }});
  EXPECT_EQ(rates, (std::vector<double>{0.8, 0.4, 0.2}));
}

// Adam without decay, with L2 decay, and AdamW leave the same bits on every backend and thread
// count that shares the update out.
TEST(Adam, StepsTheSameBitsOnEveryBackend) {
  for (const AdamOptions& options : {AdamOptions{.learning_rate = 0.01},
                                     AdamOptions{.learning_rate = 0.01, .weight_decay = 0.01},
                                     AdamOptions{.learning_rate = 0.01, .weight_decay = 0.01,
                                                 .decoupled_weight_decay = true}}) {
    EXPECT_EQ(testing::differences_between_backends([&](auto t) {
                return std::make_unique<Adam<decltype(t)>>(options);
              }),
              "")
        << "weight_decay " << options.weight_decay << " decoupled " << options.decoupled_weight_decay;
  }
}

}  // namespace
}  // namespace bpnn
