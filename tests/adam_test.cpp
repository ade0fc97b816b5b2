// Adam and AdamW, and SGD's momentum, against the update formulas worked by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "bpnn/bpnn.hpp"
#include "support/expect_error.hpp"
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
  EXPECT_EQ(constant.rate(0.1, 5, 10, 100), 0.1);
  const LrSchedule step{.kind = LrSchedule::Kind::step, .step_size = 2, .gamma = 0.5};
  EXPECT_DOUBLE_EQ(step.rate(0.1, 0, 10, 100), 0.1);
  EXPECT_DOUBLE_EQ(step.rate(0.1, 1, 10, 100), 0.1);
  EXPECT_DOUBLE_EQ(step.rate(0.1, 2, 10, 100), 0.05);
  EXPECT_DOUBLE_EQ(step.rate(0.1, 5, 10, 100), 0.025);
  const LrSchedule cosine{.kind = LrSchedule::Kind::cosine, .min_rate = 0.01};
  EXPECT_DOUBLE_EQ(cosine.rate(0.1, 0, 4, 100), 0.1);
  EXPECT_DOUBLE_EQ(cosine.rate(0.1, 2, 4, 100), 0.055);  // halfway: the mean of 0.1 and 0.01
  EXPECT_NEAR(cosine.rate(0.1, 4, 4, 100), 0.01, 1e-15);
}

// scikit-learn's SGDOptimizer.iteration_ends: after each epoch, lr = lr_init / (t + 1)^power_t, t
// the samples seen so far; the first epoch runs at lr_init.
TEST(LrSchedule, InverseScalingAsScikitLearn) {
  const LrSchedule invscaling = make_schedule("invscaling");
  EXPECT_EQ(invscaling.kind, LrSchedule::Kind::inverse_scaling);
  EXPECT_EQ(invscaling.power, 0.5);
  EXPECT_EQ(invscaling.rate(0.1, 0, 10, 150), 0.1);
  EXPECT_DOUBLE_EQ(invscaling.rate(0.1, 1, 10, 150), 0.1 / std::sqrt(151.0));
  EXPECT_DOUBLE_EQ(invscaling.rate(0.1, 3, 10, 150), 0.1 / std::sqrt(451.0));
  const LrSchedule quarter = make_schedule("invscaling", std::nullopt, std::nullopt, 0.25);
  EXPECT_DOUBLE_EQ(quarter.rate(0.2, 2, 10, 40), 0.2 / std::pow(81.0, 0.25));  // 0.2 / 3
  EXPECT_EQ(make_schedule("invscaling", std::nullopt, std::nullopt, 0.0).rate(0.2, 5, 10, 40), 0.2);
  testing::expect_error([] { make_schedule("invscaling", std::nullopt, std::nullopt, -1.0); },
                        {"'invscaling'", "power must be >= 0"});
  testing::expect_error([] { make_schedule("step", std::nullopt, std::nullopt, 0.5); },
                        {"'step' takes no power", "power goes with the schedule invscaling"});
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

// invscaling counts the samples of an epoch (5 here, in batches of 2), and the epoch reports its rate.
TEST(LrSchedule, FitScalesByTheSamplesSeen) {
  Sequential<float> model(Shape{2});
  model.add(Dense<float>({.units = 1}));
  Rng rng(1);
  model.initialize(rng);
  Sgd<float> sgd({.learning_rate = 0.3});
  std::vector<double> rates;
  const Tensor<float> x(Shape{5, 2}, {1, 0, 0, 1, 1, 1, 0, 0, 2, 1}), t(Shape{5, 1}, {1, 0, 1, 0, 1});
  fit(model, Mse<float>(), sgd, x, t, rng,
      {.epochs = 3, .batch_size = 2, .schedule = make_schedule("invscaling"),
       .on_epoch = [&](const EpochReport& r) { rates.push_back(r.learning_rate); }});
  ASSERT_EQ(rates.size(), 3u);
  EXPECT_EQ(rates[0], 0.3);
  EXPECT_DOUBLE_EQ(rates[1], 0.3 / std::sqrt(6.0));
  EXPECT_DOUBLE_EQ(rates[2], 0.3 / std::sqrt(11.0));
}

// rate_after_epoch sets the schedule's base from the next epoch on (a plateau's division by 5 as
// scikit-learn's 'adaptive'); with a step schedule the step goes on from the new base. Not asked
// after the last epoch, nor after one that ends training.
TEST(LrSchedule, RateAfterEpochSetsTheBaseOfTheNextEpochs) {
  Sequential<float> model(Shape{2});
  model.add(Dense<float>({.units = 1}));
  Rng rng(1);
  model.initialize(rng);
  Sgd<float> sgd({.learning_rate = 0.8});
  std::vector<double> rates;
  std::vector<std::size_t> asked;
  const Tensor<float> x(Shape{2, 2}, {1, 0, 0, 1}), t(Shape{2, 1}, {1, 0});
  fit(model, Mse<float>(), sgd, x, t, rng,
      {.epochs = 4, .batch_size = 2, .schedule = {.kind = LrSchedule::Kind::step, .step_size = 1, .gamma = 0.5},
       .on_epoch = [&](const EpochReport& r) { rates.push_back(r.learning_rate); },
       .rate_after_epoch = [&](const EpochReport& r) -> std::optional<double> {
         asked.push_back(r.epoch);
         return r.epoch == 2 ? std::optional<double>(0.8 / 5) : std::nullopt;
       }});
  EXPECT_EQ(rates, (std::vector<double>{0.8, 0.4, 0.16 * 0.25, 0.16 * 0.125}));
  EXPECT_EQ(asked, (std::vector<std::size_t>{1, 2, 3}));
  asked.clear();
  fit(model, Mse<float>(), sgd, x, t, rng,
      {.epochs = 4, .batch_size = 2, .end_after_epoch = [](const EpochReport& r) { return r.epoch == 2; },
       .rate_after_epoch = [&](const EpochReport& r) -> std::optional<double> {
         asked.push_back(r.epoch);
         return std::nullopt;
       }});
  EXPECT_EQ(asked, (std::vector<std::size_t>{1}));
  testing::expect_error(
      [&] {
        fit(model, Mse<float>(), sgd, x, t, rng,
            {.epochs = 2, .batch_size = 2, .rate_after_epoch = [](const EpochReport&) { return 0.0; }});
      },
      {"learning rate must be a number > 0, got 0"});
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
