// The training run you can step: each step unit and budget, epoch boundaries, the same weights as
// fit to the bit however the steps are cut, the perceptron rule (hand-traced on AND and OR, XOR
// never converging), inspected steps holding the gradients applied, divergence, float and double.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <numeric>

#include "bpnn/bpnn.hpp"
#include "support/expect_error.hpp"

namespace bpnn {
namespace {

const char* kNet = R"({"input": [6], "layers": [{"type": "dense", "units": 8}, {"type": "batchnorm"}, {"type": "relu"},
  {"type": "dropout", "p": 0.3}, {"type": "dense", "units": 3}]})";

template <class T>
struct Data {
  Tensor<T> x{Shape{40, 6}}, y{Shape{40}};
  Data() {
    Rng rng(3);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<T>(rng.uniform(-1, 1));
    for (std::size_t n = 0; n < 40; ++n) y[n] = static_cast<T>(rng.below(3));
  }
};

template <class T>
Sequential<T> model_of(const char* net, std::uint64_t seed, Rng& rng) {
  Sequential<T> model = build_model<T>(parse_network(net, "net"));
  rng = Rng(seed);
  model.initialize(rng);
  return model;
}

template <class T>
std::vector<T> weights(const Sequential<T>& model) {
  const auto v = model.parameters().values().span();
  return {v.begin(), v.end()};
}

template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

// fit's options and the run's, alike: 7 batches of 6 (the last of 4) a epoch, shuffled, a cosine
// schedule over 4 epochs, clipping.
constexpr std::size_t kEpochs = 4;
TrainingRunOptions run_options() {
  return {.batch_size = 6, .max_grad_norm = 1.0, .schedule = {.kind = LrSchedule::Kind::cosine}, .epochs = kEpochs};
}

TEST(TrainingRun, StepsByBatchEpochAndBudgetGiveFitsWeightsToTheBit) {
  const Data<float> d;
  CrossEntropy<float> loss;
  Rng fit_rng(0);
  Sequential<float> fitted = model_of<float>(kNet, 11, fit_rng);
  Sgd<float> fit_sgd({.learning_rate = 0.05, .momentum = 0.9});
  fit(fitted, loss, fit_sgd, d.x, d.y, fit_rng,
      {.epochs = kEpochs, .batch_size = 6, .max_grad_norm = 1.0, .schedule = {.kind = LrSchedule::Kind::cosine}});

  Rng rng(0);
  Sequential<float> model = model_of<float>(kNet, 11, rng);
  Sgd<float> sgd({.learning_rate = 0.05, .momentum = 0.9});
  TrainingRun<float> run(model, loss, sgd, d.x, d.y, rng, run_options());
  EXPECT_EQ(run.batches(), 7u);
  for (int b = 0; b < 7; ++b) run.step(StepUnit::batch);  // epoch 1 batch by batch
  EXPECT_TRUE(run.epoch_finished());
  EXPECT_EQ(run.epochs_done(), 1u);
  const StepReport epoch = run.step(StepUnit::epoch);  // epoch 2 whole
  EXPECT_EQ(epoch.steps, 7u);
  EXPECT_EQ(epoch.samples, 40u);
  EXPECT_TRUE(epoch.epoch_finished);
  const BudgetReport three = run.run({.unit = StepUnit::batch, .count = 3});  // epoch 3 in two budgets
  EXPECT_EQ(three.units, 3u);
  EXPECT_EQ(three.reason, StopReason::count);
  EXPECT_EQ(run.position().batch, 3u);
  EXPECT_EQ(run.position().seen, 18u);
  EXPECT_EQ(run.run({.unit = StepUnit::epoch, .count = 1}).steps, 4u);  // the rest of epoch 3
  const BudgetReport last = run.run({.unit = StepUnit::batch, .count = 100, .to_epoch_end = true});
  EXPECT_EQ(last.reason, StopReason::epoch_end);
  EXPECT_EQ(last.units, 7u);
  EXPECT_EQ(run.epochs_done(), kEpochs);
  EXPECT_EQ(run.position().iterations, 4u * 7u);
  EXPECT_TRUE(same_bits(weights(model), weights(fitted)));
  EXPECT_EQ(rng.state(), fit_rng.state());
  EXPECT_TRUE(run.reproducible()) << run.why_not_reproducible();
}

TEST(TrainingRun, FusedPlainSgdInFileOrderMatchesFitToTheBit) {
  const Data<float> d;
  CrossEntropy<float> loss;
  const char* net = "6-16relu-3";
  Rng fit_rng(0);
  Sequential<float> fitted = model_of<float>(net, 5, fit_rng);
  Sgd<float> fit_sgd({.learning_rate = 0.1});
  fit(fitted, loss, fit_sgd, d.x, d.y, fit_rng, {.epochs = 2, .batch_size = 1, .shuffle = false});
  Rng rng(0);
  Sequential<float> model = model_of<float>(net, 5, rng);
  Sgd<float> sgd({.learning_rate = 0.1});
  TrainingRun<float> run(model, loss, sgd, d.x, d.y, rng, {.batch_size = 1, .shuffle = false});
  EXPECT_TRUE(run.trainer().fuses());
  // With batches of one a sample step is a batch step: still what fit does.
  for (int k = 0; k < 40; ++k) run.step(StepUnit::sample);
  run.step(StepUnit::epoch);
  EXPECT_TRUE(run.reproducible());
  EXPECT_TRUE(same_bits(weights(model), weights(fitted)));
}

TEST(TrainingRun, TheOrderIsDrawnWhenAnEpochsFirstStepIsDue) {
  const Data<float> d;
  CrossEntropy<float> loss;
  Rng rng(0);
  Sequential<float> model = model_of<float>("6-3", 1, rng);
  Sgd<float> sgd({.learning_rate = 0.1});
  TrainingRun<float> run(model, loss, sgd, d.x, d.y, rng, {.batch_size = 8});
  const std::string before = rng.state();
  EXPECT_TRUE(run.position().order.empty());
  run.step();
  // The first epoch's order: a Fisher-Yates shuffle from the generator as it was.
  Rng expected_rng(0);
  expected_rng.set_state(before);
  EXPECT_EQ(run.position().order, Sampler(40, 8, true).order(1, expected_rng));
  EXPECT_EQ(rng.state(), expected_rng.state());  // a dense model draws nothing more
  run.step(StepUnit::epoch);
  // Finished: the position stays at epoch 1 until the next step, which draws epoch 2's order.
  const std::string after_epoch = rng.state();
  EXPECT_EQ(run.position().epoch, 1u);
  EXPECT_EQ(run.position().batch, 5u);
  EXPECT_EQ(run.last_epoch().epoch, 1u);
  EXPECT_EQ(run.last_epoch().samples, 40u);
  EXPECT_GE(run.last_epoch().accuracy, 0.0);
  run.begin_next_epoch();
  EXPECT_EQ(run.position().epoch, 2u);
  EXPECT_EQ(run.position().batch, 0u);
  EXPECT_TRUE(run.position().order.empty());
  EXPECT_EQ(rng.state(), after_epoch);
  run.step();
  EXPECT_NE(rng.state(), after_epoch);
  EXPECT_EQ(run.position().seen, 8u);
}

TEST(TrainingRun, ASampleStepWithLargerBatchesIsNotReproducibleAndTheNextBatchStepTakesTheRest) {
  const Data<float> d;
  CrossEntropy<float> loss;
  Rng rng(0);
  Sequential<float> model = model_of<float>("6-3", 1, rng);
  Sgd<float> sgd({.learning_rate = 0.1});
  TrainingRun<float> run(model, loss, sgd, d.x, d.y, rng, {.batch_size = 8, .shuffle = false});
  // The first sample of the order as a batch of one: Trainer::step on sample 0 alone.
  Rng other(0);
  Sequential<float> expected = model_of<float>("6-3", 1, other);
  Sgd<float> expected_sgd({.learning_rate = 0.1});
  Trainer<float> trainer(expected, loss, expected_sgd);
  const float expected_loss = trainer.step(d.x.view().samples(0, 1), d.y.view().samples(0, 1));
  const StepReport one = run.step(StepUnit::sample);
  EXPECT_EQ(one.samples, 1u);
  EXPECT_EQ(one.loss, expected_loss);
  EXPECT_TRUE(same_bits(weights(model), weights(expected)));
  EXPECT_FALSE(run.reproducible());
  EXPECT_NE(run.why_not_reproducible().find("one sample with batches of 8"), std::string::npos);
  EXPECT_EQ(run.position().batch, 0u);
  EXPECT_EQ(run.position().seen, 1u);
  // The batch step takes samples 1..7, the rest of the first batch.
  trainer.step(d.x.view().samples(1, 7), d.y.view().samples(1, 7));
  EXPECT_EQ(run.step(StepUnit::batch).samples, 7u);
  EXPECT_EQ(run.position().batch, 1u);
  EXPECT_TRUE(same_bits(weights(model), weights(expected)));
}

TEST(TrainingRun, BudgetsStopAtTheirLimitTheirTimeOrWhenAsked) {
  const Data<float> d;
  CrossEntropy<float> loss;
  Rng rng(0);
  Sequential<float> model = model_of<float>("6-3", 1, rng);
  Sgd<float> sgd({.learning_rate = 0.1});
  TrainingRun<float> run(model, loss, sgd, d.x, d.y, rng, {.batch_size = 4});  // 10 batches an epoch
  std::size_t calls = 0;
  const BudgetReport asked = run.run({.unit = StepUnit::epoch, .count = 5, .after_step = [&](const StepReport& s) {
                                        EXPECT_EQ(s.samples, 4u);
                                        return ++calls == 13;
                                      }});
  EXPECT_EQ(asked.reason, StopReason::asked);
  EXPECT_EQ(asked.steps, 13u);
  EXPECT_EQ(asked.units, 1u);  // one whole epoch; the second is cut short
  EXPECT_EQ(run.position().epoch, 2u);
  EXPECT_EQ(run.position().batch, 3u);
  const BudgetReport timed = run.run({.unit = StepUnit::batch, .seconds = 0.02});
  EXPECT_EQ(timed.reason, StopReason::seconds);
  EXPECT_GE(timed.steps, 1u);
  EXPECT_GT(timed.seconds, 0.02);
  const BudgetReport samples = run.run({.unit = StepUnit::sample, .count = 3});
  EXPECT_EQ(samples.units, 3u);
  EXPECT_EQ(samples.reason, StopReason::count);
  testing::expect_error([&] { run.run({}); }, {"a budget needs a limit"});
}

TEST(TrainingRun, ALossThatStopsBeingFiniteRestoresTheEpochsFirstWeights) {
  Tensor<float> x(Shape{4, 1}, {1, 2, 3, 4}), t(Shape{4, 1}, {1e30f, 2e30f, 3e30f, 4e30f});
  Rng rng(0);
  Sequential<float> model = model_of<float>("1-1", 1, rng);
  Mse<float> loss;
  Sgd<float> sgd({.learning_rate = 1.0});
  TrainingRun<float> run(model, loss, sgd, x, t, rng, {.batch_size = 1, .shuffle = false});
  const std::vector<float> start = weights(model);
  try {
    run.run({.unit = StepUnit::epoch, .count = 1});
    ADD_FAILURE() << "no divergence";
  } catch (const TrainingDiverged& e) {
    EXPECT_EQ(e.epoch, 1u);
    EXPECT_NE(std::string(e.what()).find("epoch 1, batch "), std::string::npos) << e.what();
  }
  EXPECT_EQ(weights(model), start);
}

TEST(TrainingRun, InspectedStepsLeaveTheAppliedGradientsAndEachUpdate) {
  const Data<float> d;
  CrossEntropy<float> loss;
  // Momentum and clipping: never fused, so fit takes the same three stages and inspecting changes nothing.
  Rng fit_rng(0);
  Sequential<float> fitted = model_of<float>("6-8tanh-3", 2, fit_rng);
  Sgd<float> fit_sgd({.learning_rate = 0.1, .momentum = 0.9});
  fit(fitted, loss, fit_sgd, d.x, d.y, fit_rng, {.epochs = 1, .batch_size = 8, .max_grad_norm = 0.5});
  Rng rng(0);
  Sequential<float> model = model_of<float>("6-8tanh-3", 2, rng);
  Sgd<float> sgd({.learning_rate = 0.1, .momentum = 0.9});
  TrainingRun<float> run(model, loss, sgd, d.x, d.y, rng,
                         {.batch_size = 8, .max_grad_norm = 0.5, .epochs = 1, .inspect = true});
  EXPECT_EQ(run.last_update().size(), 0u);
  double norm = 0;
  for (int b = 0; b < 5; ++b) {
    const std::vector<float> before = weights(model);
    run.step();
    // The gradient buffer holds the clipped gradients the update applied: norm at most 0.5.
    norm = 0;
    for (float g : model.parameters().grads().span()) norm += static_cast<double>(g) * g;
    EXPECT_LE(std::sqrt(norm), 0.5 + 1e-5);
    const TensorView<const float> update = run.last_update();
    ASSERT_EQ(update.size(), before.size());
    for (std::size_t k = 0; k < before.size(); ++k) EXPECT_EQ(update[k], model.parameters().values()[k] - before[k]);
  }
  EXPECT_TRUE(run.reproducible());
  EXPECT_TRUE(same_bits(weights(model), weights(fitted)));

  // Plain SGD would be fused by fit: inspected, the update is -lr times the gradient left, and the
  // run says it may round otherwise than fit.
  Rng plain_rng(0);
  Sequential<float> plain = model_of<float>("6-8tanh-3", 2, plain_rng);
  Sgd<float> plain_sgd({.learning_rate = 0.1});
  TrainingRun<float> inspected(plain, loss, plain_sgd, d.x, d.y, plain_rng, {.batch_size = 8, .inspect = true});
  EXPECT_TRUE(inspected.reproducible());  // nothing done yet
  inspected.step();
  EXPECT_FALSE(inspected.reproducible());
  EXPECT_NE(inspected.why_not_reproducible().find("fused"), std::string::npos);
  const TensorView<const float> g = plain.parameters().grads(), u = inspected.last_update();
  for (std::size_t k = 0; k < g.size(); ++k) EXPECT_NEAR(u[k], -0.1f * g[k], 1e-7f);
}

TEST(TrainingRun, ADoubleRunTakesTheSamplersBatchesWithTheTrainer) {
  const Data<double> d;
  CrossEntropy<double> loss;
  // The oracle: each epoch's order from the sampler, gathered batches, Trainer<double>::step.
  Rng expected_rng(0);
  Sequential<double> expected = model_of<double>("6-8sigmoid-3", 4, expected_rng);
  Sgd<double> expected_sgd({.learning_rate = 0.2});
  Trainer<double> trainer(expected, loss, expected_sgd, {.rng = &expected_rng});
  const Sampler sampler(40, 16, true);
  for (std::size_t epoch = 1; epoch <= 2; ++epoch) {
    const std::vector<std::size_t> order = sampler.order(epoch, expected_rng);
    for (std::size_t b = 0; b < sampler.batches(); ++b) {
      const std::span<const std::size_t> batch = sampler.batch(order, b);
      Tensor<double> x(Shape{batch.size(), 6}), t(Shape{batch.size()});
      for (std::size_t n = 0; n < batch.size(); ++n) {
        std::copy_n(d.x.data() + batch[n] * 6, 6, x.data() + n * 6);
        t[n] = d.y[batch[n]];
      }
      trainer.step(x, t);
    }
  }
  Rng rng(0);
  Sequential<double> model = model_of<double>("6-8sigmoid-3", 4, rng);
  Sgd<double> sgd({.learning_rate = 0.2});
  TrainingRun<double> run(model, loss, sgd, d.x, d.y, rng, {.batch_size = 16});
  run.run({.unit = StepUnit::epoch, .count = 2});
  EXPECT_TRUE(same_bits(weights(model), weights(expected)));
  EXPECT_FALSE(run.reproducible());  // fit trains in float
  EXPECT_NE(run.why_not_reproducible().find("double"), std::string::npos);
}

TEST(TrainingRun, ARestoredPositionMustFitTheRun) {
  const Data<float> d;
  CrossEntropy<float> loss;
  Rng rng(0);
  Sequential<float> model = model_of<float>("6-3", 1, rng);
  Sgd<float> sgd({.learning_rate = 0.1});
  TrainingRun<float> run(model, loss, sgd, d.x, d.y, rng, {.batch_size = 8});
  testing::expect_error([&] { run.restore({.epoch = 1, .batch = 6, .seen = 40}); }, {"does not fit 40 samples"});
  testing::expect_error([&] { run.restore({.epoch = 2, .batch = 2, .seen = 16}); }, {"batches of 8"});  // no order
  testing::expect_error([&] { run.restore({.epoch = 0}); }, {"epoch 0"});
  std::vector<std::size_t> order(40);
  std::iota(order.begin(), order.end(), std::size_t{0});
  run.restore({.epoch = 3, .batch = 2, .seen = 16, .order = order});
  EXPECT_EQ(run.position().iterations, 2u * 5u + 2u);
  run.step();
  EXPECT_EQ(run.position().seen, 24u);
}

// One M-P unit, its weights and threshold all 0, learning rate 1: the perceptron rule by hand.
template <class T>
struct Gate {
  Tensor<T> x{Shape{4, 2}, {0, 0, 0, 1, 1, 0, 1, 1}};
  Sequential<T> unit{Shape{2}};
  Rng rng{0};
  Gate() {
    unit.add(Dense<T>({.units = 1}));
    unit.add(Step<T>());
    unit.initialize(rng);
    std::fill(unit.parameters().values().data(), unit.parameters().values().data() + 3, T(0));
  }
  // Mistakes per epoch, epoch by epoch until convergence or `epochs`.
  std::vector<std::size_t> train(std::vector<T> truth, std::size_t epochs) {
    const Tensor<T> t(Shape{4, 1}, truth);
    Sgd<T> rate({.learning_rate = 1.0});
    Mse<T> loss;
    TrainingRun<T> run(unit, loss, rate, x, t, rng,
                       {.batch_size = 1, .shuffle = false, .rule = UpdateRule::perceptron});
    std::vector<std::size_t> mistakes;
    while (run.converged_epoch() == 0 && mistakes.size() < epochs) {
      run.step(StepUnit::epoch);
      mistakes.push_back(run.last_epoch().mistakes());
    }
    converged = run.converged_epoch();
    EXPECT_FALSE(run.reproducible());
    return mistakes;
  }
  std::size_t converged = 0;
  T w(std::size_t i) { return unit.parameters().values()[i]; }
};

template <class T>
void perceptron_learns_and_and_or() {
  // AND (traced by hand: net >= 0 fires): epochs with 2, 3, 3, 2, 1, 0 mistakes; w = (2, 1), b = -3.
  Gate<T> and_gate;
  EXPECT_EQ(and_gate.train({0, 0, 0, 1}, 100), (std::vector<std::size_t>{2, 3, 3, 2, 1, 0}));
  EXPECT_EQ(and_gate.converged, 6u);
  EXPECT_EQ(and_gate.w(0), T(2));
  EXPECT_EQ(and_gate.w(1), T(1));
  EXPECT_EQ(and_gate.w(2), T(-3));
  // OR: 2, 2, 1, 0 mistakes; w = (1, 1), b = -1.
  Gate<T> or_gate;
  EXPECT_EQ(or_gate.train({0, 1, 1, 1}, 100), (std::vector<std::size_t>{2, 2, 1, 0}));
  EXPECT_EQ(or_gate.converged, 4u);
  EXPECT_EQ(or_gate.w(0), T(1));
  EXPECT_EQ(or_gate.w(1), T(1));
  EXPECT_EQ(or_gate.w(2), T(-1));
  // XOR is not linearly separable: no epoch of 100 is without a mistake.
  Gate<T> xor_gate;
  const std::vector<std::size_t> mistakes = xor_gate.train({0, 1, 1, 0}, 100);
  EXPECT_EQ(mistakes.size(), 100u);
  EXPECT_EQ(xor_gate.converged, 0u);
  for (std::size_t m : mistakes) EXPECT_GT(m, 0u);
}

TEST(PerceptronRule, LearnsAndAndOrButNotXorInDouble) { perceptron_learns_and_and_or<double>(); }
TEST(PerceptronRule, LearnsAndAndOrButNotXorInFloat) { perceptron_learns_and_and_or<float>(); }

TEST(PerceptronRule, ABudgetStopsAtConvergence) {
  Gate<double> gate;
  const Tensor<double> t(Shape{4, 1}, {0, 1, 1, 1});
  Sgd<double> rate({.learning_rate = 1.0});
  Mse<double> loss;
  TrainingRun<double> run(gate.unit, loss, rate, gate.x, t, gate.rng,
                          {.batch_size = 1, .shuffle = false, .rule = UpdateRule::perceptron});
  const BudgetReport report = run.run({.unit = StepUnit::epoch, .count = 100});
  EXPECT_EQ(report.reason, StopReason::converged);
  EXPECT_EQ(report.units, 4u);
  EXPECT_EQ(run.converged_epoch(), 4u);
  EXPECT_EQ(run.task(), Task::classification);
  EXPECT_EQ(run.last_epoch().accuracy, 1.0);
}

TEST(PerceptronRule, RefusesOtherModelsBatchesAndTargets) {
  Gate<double> gate;
  Sgd<double> rate({.learning_rate = 1.0});
  Mse<double> loss;
  const Tensor<double> t(Shape{4, 1}, {0, 1, 1, 1});
  const TrainingRunOptions rule{.batch_size = 1, .rule = UpdateRule::perceptron};
  testing::expect_error(
      [&] {
        TrainingRun<double>(gate.unit, loss, rate, gate.x, t, gate.rng,
                            {.batch_size = 4, .rule = UpdateRule::perceptron});
      },
      {"one sample at a time"});
  const Tensor<double> two(Shape{4, 1}, {0, 2, 1, 1});
  testing::expect_error([&] { TrainingRun<double>(gate.unit, loss, rate, gate.x, two, gate.rng, rule); },
                        {"0/1 targets"});
  Rng rng(1);
  Sequential<double> sigmoid = build_model<double>(parse_network("2-1sigmoid", "net"));
  testing::expect_error([&] { TrainingRun<double>(sigmoid, loss, rate, gate.x, t, rng, rule); },
                        {"dense layer followed by step", "dense, sigmoid"});
}

}  // namespace
}  // namespace bpnn
