// The training loop and evaluation: PyTorch-loop semantics (file-order batches, last partial
// batch used, sample-weighted epoch loss), seeded shuffling, and the confusion matrix.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <vector>

#include "bpnn/bpnn.hpp"
#include "support/expect_error.hpp"

namespace bpnn {
namespace {

Sequential<float> small_model(std::uint64_t seed) {
  Sequential<float> model(Shape{3});
  model.add(Dense<float>({.units = 4}));
  model.add(Activation<float>("tanh"));
  model.add(Dense<float>({.units = 2}));
  Rng rng(seed);
  model.initialize(rng);
  return model;
}

struct Data {
  Tensor<float> x{Shape{5, 3},
                  {0.1f, 0.2f, 0.3f, -0.5f, 0.4f, 0.0f, 1.0f, -1.0f, 0.5f, 0.3f, 0.3f, 0.3f, -0.2f, 0.9f, -0.7f}};
  Tensor<float> y{Shape{5}, {0, 1, 1, 0, 1}};
};

std::vector<float> weights(const Sequential<float>& model) {
  auto v = model.parameters().values().span();
  return {v.begin(), v.end()};
}

TEST(Fit, FileOrderBatchesAreConsecutiveAndTheLastPartialBatchIsUsed) {
  Data d;
  CrossEntropy<float> loss;
  // Reference: Trainer steps on samples [0, 2), [2, 4), [4, 5).
  Sequential<float> expected = small_model(1);
  Sgd<float> sgd_a({.learning_rate = 0.1});
  Trainer<float> trainer(expected, loss, sgd_a);
  double loss_sum = 0;
  for (std::size_t first : {0, 2, 4}) {
    const std::size_t count = first == 4 ? 1 : 2;
    loss_sum += trainer.step(d.x.view().samples(first, count), d.y.view().samples(first, count)) * count;
  }

  Sequential<float> model = small_model(1);
  Sgd<float> sgd_b({.learning_rate = 0.1});
  Rng rng(0);
  std::vector<EpochReport> reports;
  std::size_t batches_seen = 0;
  fit(model, loss, sgd_b, d.x, d.y, rng,
      {.epochs = 1,
       .batch_size = 2,
       .shuffle = false,
       .on_batch = [&](const BatchReport& r) {
         ++batches_seen;
         EXPECT_EQ(r.batches, 3u);
       },
       .on_epoch = [&](const EpochReport& r) { reports.push_back(r); }});
  EXPECT_EQ(weights(model), weights(expected));
  EXPECT_EQ(batches_seen, 3u);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_NEAR(reports[0].train_loss, loss_sum / 5, 1e-6);
  EXPECT_GE(reports[0].train_accuracy, 0.0);
  EXPECT_FALSE(reports[0].has_test);
}

TEST(Fit, ShuffledTrainingIsDeterministicPerSeedAndEvaluatesTheTestSet) {
  Data d;
  CrossEntropy<float> loss;
  auto run = [&](std::uint64_t seed) {
    Sequential<float> model = small_model(3);
    Sgd<float> sgd({.learning_rate = 0.5});
    Rng rng(seed);
    std::vector<double> test_losses;
    fit(model, loss, sgd, d.x, d.y, rng,
        {.epochs = 30, .batch_size = 2, .on_epoch = [&](const EpochReport& r) { test_losses.push_back(r.test.loss); }},
        {d.x, d.y});
    return std::make_pair(weights(model), test_losses);
  };
  const auto a = run(11), b = run(11), c = run(12);
  EXPECT_EQ(a.first, b.first);
  EXPECT_NE(a.first, c.first);
  EXPECT_LT(a.second.back(), a.second.front());
}

TEST(Fit, RejectsMismatchedCounts) {
  Sequential<float> model = small_model(1);
  CrossEntropy<float> loss;
  Sgd<float> sgd({.learning_rate = 0.1});
  Rng rng(1);
  EXPECT_THROW(fit(model, loss, sgd, Tensor<float>(Shape{4, 3}), Tensor<float>(Shape{3}), rng, {}), Error);
  EXPECT_THROW(fit(model, loss, sgd, Tensor<float>(Shape{4, 3}), Tensor<float>(Shape{4}), rng, {.batch_size = 0}),
               Error);
}

// relu(NaN) is 0 in bpnn's kernels: a NaN input would train without a word. It is named instead,
// with its set, sample and value, and the weights are left as they were.
TEST(Fit, RefusesNaNAndInfiniteInputsAndTargetsNamingTheValue) {
  using testing::expect_error;
  Data d;
  Sequential<float> model = small_model(1);
  const std::vector<float> before = weights(model);
  CrossEntropy<float> loss;
  Sgd<float> sgd({.learning_rate = 0.1});
  Rng rng(1);
  Tensor<float> x = d.x, y = d.y;
  x(3, 2) = std::nanf("");
  expect_error([&] { fit(model, loss, sgd, x, d.y, rng, {}); },
               {"fit: the training set's input contains NaN (sample 3, value 2)."});
  x(3, 2) = HUGE_VALF;
  expect_error([&] { fit(model, loss, sgd, x, d.y, rng, {}); },
               {"the training set's input contains infinity or a value too large for float32 (sample 3, value 2)"});
  y[4] = -HUGE_VALF;
  expect_error([&] { fit(model, loss, sgd, d.x, y, rng, {}); },
               {"the training set's target contains infinity", "(sample 4)"});
  expect_error([&] { fit(model, loss, sgd, d.x, d.y, rng, {}, {x, d.y}); }, {"the test set's input contains infinity"});
  expect_error([&] { fit(model, loss, sgd, d.x, d.y, rng, {}, {}, {d.x, y}); }, {"the validation set's target"});
  EXPECT_EQ(weights(model), before);
}

TEST(Evaluate, ConfusionMatrixPrecisionAndRecall) {
  // Identity network on 3 classes: the prediction is the argmax of the input itself.
  Sequential<float> model(Shape{3});
  model.add(Activation<float>("identity"));
  const Tensor<float> x(Shape{4, 3}, {1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1});
  const Tensor<float> y(Shape{4}, {0, 1, 2, 2});
  const Evaluation e = evaluate(model, CrossEntropy<float>(), x, y, 3);
  ASSERT_TRUE(e.classification);
  EXPECT_EQ(e.samples, 4u);
  EXPECT_DOUBLE_EQ(e.accuracy, 0.75);
  EXPECT_EQ(e.confusion[2 * 3 + 1], 1u);  // a 2 predicted as 1
  EXPECT_DOUBLE_EQ(e.precision(1), 0.5);
  EXPECT_DOUBLE_EQ(e.recall(2), 0.5);
  EXPECT_DOUBLE_EQ(e.recall(0), 1.0);
  EXPECT_EQ(e.predicted[2], 1u);
  EXPECT_NEAR(e.loss, CrossEntropy<float>().forward(x, y), 1e-6);
}

TEST(Evaluate, TargetClassesFromIndicesAndOneHotRows) {
  const Tensor<float> indices(Shape{2}, {2, 0});
  const Tensor<float> one_hot_rows(Shape{2, 3}, {0.01f, 0.01f, 0.99f, 0.99f, 0.01f, 0.01f});
  EXPECT_EQ(target_class(indices, 0), 2u);
  EXPECT_EQ(target_class(one_hot_rows, 0), 2u);
  EXPECT_EQ(target_class(one_hot_rows, 1), 0u);
  EXPECT_TRUE(is_classification(indices, 3));
  EXPECT_TRUE(is_classification(one_hot_rows, 3));
  EXPECT_FALSE(is_classification(Tensor<float>(Shape{2, 1}), 1));  // one output: regression
}

TEST(Evaluate, RegressionErrors) {
  Sequential<float> model(Shape{1});
  model.add(Activation<float>("identity"));
  const Tensor<float> x(Shape{2, 1}, {1, 2});
  const Tensor<float> t(Shape{2, 1}, {0, 4});
  const Evaluation e = evaluate(model, Mse<float>(), x, t);
  EXPECT_FALSE(e.classification);
  EXPECT_DOUBLE_EQ(e.mse, (1.0 + 4.0) / 2);
  EXPECT_DOUBLE_EQ(e.mae, (1.0 + 2.0) / 2);
  // Targets 0, 4 (mean 2, SS_tot 8), errors 1, -2 (SS_res 5).
  EXPECT_DOUBLE_EQ(e.r2, 1.0 - 5.0 / 8.0);
  EXPECT_EQ(e.outputs, 1u);
  EXPECT_EQ(e.predictions, (std::vector<double>{1, 2}));
}

TEST(Evaluate, R2AveragesOverOutputsAsScikitLearn) {
  // scikit-learn's r2_score example: y_true [[0.5, 1], [-1, 1], [7, -6]], y_pred [[0, 2], [-1, 2],
  // [8, -5]]; uniform_average = (1 - 1.25 / 36.1667 + 1 - 3 / 32.6667) / 2 = 0.93680...
  Sequential<float> model(Shape{2});
  model.add(Activation<float>("identity"));
  const Tensor<float> predicted(Shape{3, 2}, {0, 2, -1, 2, 8, -5});
  const Tensor<float> truth(Shape{3, 2}, {0.5f, 1, -1, 1, 7, -6});
  EXPECT_TRUE(evaluate(model, Mse<float>(), predicted, truth, 2).classification);  // read as one-hot rows
  const Evaluation e = evaluate(model, Mse<float>(), predicted, truth, 2, Task::regression);
  ASSERT_FALSE(e.classification);
  const double r2_first = 1.0 - 1.25 / (36.0 + 1.0 / 6.0), r2_second = 1.0 - 3.0 / (32.0 + 2.0 / 3.0);
  EXPECT_NEAR(e.r2, (r2_first + r2_second) / 2, 1e-12);
  EXPECT_NEAR(e.r2, 0.936801, 1e-6);
  EXPECT_EQ(e.predictions.size(), 6u);
  EXPECT_EQ(e.predictions[4], 8.0f);  // the third sample's first output, across the batch boundary
}

TEST(Evaluate, R2OfConstantTargetsIsOneWhenExactZeroOtherwise) {
  Sequential<float> model(Shape{1});
  model.add(Activation<float>("identity"));
  const Tensor<float> truth(Shape{2, 1}, {3, 3});
  EXPECT_DOUBLE_EQ(evaluate(model, Mse<float>(), truth, truth).r2, 1.0);
  EXPECT_DOUBLE_EQ(evaluate(model, Mse<float>(), Tensor<float>(Shape{2, 1}, {3, 4}), truth).r2, 0.0);
  // Predicting every target's mean scores 0; worse than that is negative.
  const Tensor<float> spread(Shape{2, 1}, {0, 2});
  EXPECT_DOUBLE_EQ(evaluate(model, Mse<float>(), Tensor<float>(Shape{2, 1}, {1, 1}), spread).r2, 0.0);
  EXPECT_LT(evaluate(model, Mse<float>(), Tensor<float>(Shape{2, 1}, {2, 0}), spread).r2, 0.0);
}

}  // namespace
}  // namespace bpnn

namespace bpnn {
namespace {

TEST(Fit, DivergenceStopsWithTheEpochAndBatchAndKeepsTheLastGoodWeights) {
  // A linear model under MSE with a huge rate: each step multiplies the error, until it overflows.
  Data d;
  Sequential<float> model(Shape{3});
  model.add(Dense<float>({.units = 2}));
  Rng rng(1);
  model.initialize(rng);
  const std::vector<float> start = weights(model);
  Mse<float> loss;
  Sgd<float> sgd({.learning_rate = 1e6});
  try {
    fit(model, loss, sgd, d.x, one_hot(d.y, 2), rng, {.epochs = 3, .batch_size = 1, .shuffle = false});
    FAIL() << "expected divergence";
  } catch (const TrainingDiverged& e) {
    EXPECT_EQ(e.epoch, 1u);
    EXPECT_NE(std::string(e.what()).find("epoch 1, batch "), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("smaller learning rate"), std::string::npos) << e.what();
  }
  EXPECT_EQ(weights(model), start);  // the weights from before the failing epoch
}

TEST(Trainer, ClipsTheTotalGradientNormAsPyTorch) {
  // One step of SGD with lr 1 moves the parameters by exactly the (clipped) gradient.
  Data d;
  Sequential<float> reference = small_model(2), clipped = small_model(2);
  CrossEntropy<float> loss;
  Sgd<float> sgd({.learning_rate = 1.0});
  Trainer<float> plain(reference, loss, sgd);
  plain.compute_gradients(d.x, d.y);
  double norm_sq = 0;
  for (float g : reference.parameters().grads().span()) norm_sq += static_cast<double>(g) * g;
  const double norm = std::sqrt(norm_sq), max_norm = norm / 4;
  Trainer<float> trainer(clipped, loss, sgd, {.max_grad_norm = max_norm});
  const std::vector<float> before = weights(clipped);
  trainer.step(d.x, d.y);
  const std::vector<float> after = weights(clipped);
  const auto g = reference.parameters().grads().span();
  const double scale = max_norm / (norm + 1e-6);
  for (std::size_t i = 0; i < g.size(); ++i) EXPECT_NEAR(before[i] - after[i], g[i] * scale, 1e-6);
  EXPECT_THROW(Trainer<float>(clipped, loss, sgd, {.max_grad_norm = -1}), Error);
}

}  // namespace
}  // namespace bpnn

namespace bpnn {
namespace {

TEST(Fit, EarlyStoppingKeepsTheBestValidationEpoch) {
  // Training pulls w toward 1 (y = x); the validation set wants y = -x, so its loss only grows.
  Sequential<float> model(Shape{1});
  model.add(Dense<float>({.units = 1, .bias = false, .weight_init = Initializer::constant(0.0)}));
  Rng rng(1);
  model.initialize(rng);
  const Tensor<float> x(Shape{4, 1}, {1, 2, -1, 0.5f}), y(Shape{4, 1}, {1, 2, -1, 0.5f});
  const Tensor<float> vy(Shape{4, 1}, {-1, -2, 1, -0.5f});
  Sgd<float> sgd({.learning_rate = 0.05});
  std::vector<float> weight_after;
  std::vector<bool> best;
  const FitResult r = fit(model, Mse<float>(), sgd, x, y, rng,
                          {.epochs = 10, .batch_size = 4, .shuffle = false, .patience = 2,
                           .on_epoch = [&](const EpochReport& e) {
                             weight_after.push_back(model.parameters().values()[0]);
                             best.push_back(e.best);
                             EXPECT_TRUE(e.has_validation);
                           }},
                          {}, {x, vy});
  EXPECT_EQ(r.best_epoch, 1u);
  EXPECT_EQ(r.epochs, 3u);
  EXPECT_TRUE(r.stopped_early);
  EXPECT_EQ(best, (std::vector<bool>{true, false, false}));
  EXPECT_EQ(model.parameters().values()[0], weight_after[0]);  // the best epoch's weight, restored
  EXPECT_LT(weight_after[0], weight_after[2]);
}

TEST(Fit, StopAtLossEndsAfterTheFirstEpochAtOrBelowIt) {
  // y = w x from w = 0 on targets y = x, one full batch of mse, SGD at 0.1: mean(x²) = 1.5625, so
  // w - 1 shrinks by 1 - 0.1 · 2 · 1.5625 = 0.6875 a step, and epoch k's training loss (computed
  // before its step) is 1.5625 · 0.6875^(2(k-1)): 1.5625, 0.7385, 0.3491, 0.1650, 0.0780, ...
  const Tensor<float> x(Shape{4, 1}, {1, 2, -1, 0.5f});
  auto train = [&](std::size_t epochs, std::optional<double> stop_at_loss, std::vector<double>& losses) {
    Sequential<float> model(Shape{1});
    model.add(Dense<float>({.units = 1, .bias = false, .weight_init = Initializer::constant(0.0)}));
    Rng rng(1);
    model.initialize(rng);
    Sgd<float> sgd({.learning_rate = 0.1});
    const FitResult r = fit(model, Mse<float>(), sgd, x, x, rng,
                            {.epochs = epochs, .batch_size = 4, .shuffle = false, .stop_at_loss = stop_at_loss,
                             .on_epoch = [&](const EpochReport& e) { losses.push_back(e.train_loss); }});
    return std::make_pair(r, weights(model));
  };
  std::vector<double> losses;
  const auto [until_4, weights_4] = train(4, std::nullopt, losses);
  ASSERT_EQ(losses.size(), 4u);
  for (std::size_t k = 0; k < 4; ++k) EXPECT_NEAR(losses[k], 1.5625 * std::pow(0.6875, 2.0 * k), 1e-6) << k;

  std::vector<double> stopped_losses;
  const auto [stopped, stopped_weights] = train(10, 0.2, stopped_losses);
  EXPECT_EQ(stopped.epochs, 4u);  // 0.3491 > 0.2 >= 0.1650
  EXPECT_TRUE(stopped.reached_loss);
  EXPECT_TRUE(stopped.stopped_early);
  EXPECT_EQ(stopped_losses, losses);
  EXPECT_EQ(stopped_weights, weights_4);  // the same bits as a run of 4 epochs
  EXPECT_NEAR(stopped_weights[0], 1 - std::pow(0.6875, 4), 1e-6);

  std::vector<double> exact;  // at most: a loss equal to the goal stops there
  EXPECT_EQ(train(10, losses[2], exact).first.epochs, 3u);

  std::vector<double> all;  // never reached: every epoch, as without the option
  const FitResult unreached = train(10, 1e-12, all).first;
  EXPECT_EQ(unreached.epochs, 10u);
  EXPECT_FALSE(unreached.reached_loss);
  EXPECT_FALSE(unreached.stopped_early);
}

TEST(Fit, ReportsTheL2TermOfCoupledWeightDecay) {
  // weight [0.5, 0.5], bias [-1]: sum of squares 1.5, so weight decay 0.2 is the gradient of the
  // term 0.2 / 2 * 1.5 = 0.15. The rate is 0, so the weights stay as they are.
  auto model_of = [] {
    Sequential<float> model(Shape{2});
    model.add(Dense<float>({.units = 1, .weight_init = Initializer::constant(0.5),
                            .bias_init = Initializer::constant(-1.0)}));
    Rng rng(1);
    model.initialize(rng);
    return model;
  };
  const Tensor<float> x(Shape{2, 2}, {1, 2, 3, 4}), y(Shape{2, 1}, {1, 0});
  auto penalty = [&](const OptimizerSpec& spec) {
    Sequential<float> model = model_of();
    const std::unique_ptr<Optimizer<float>> optimizer = make_optimizer<float>(spec);
    Rng rng(2);
    std::vector<double> reported;
    fit(model, Mse<float>(), *optimizer, x, y, rng,
        {.epochs = 2, .batch_size = 2, .on_epoch = [&](const EpochReport& e) { reported.push_back(e.l2_penalty); }});
    EXPECT_EQ(reported.size(), 2u);
    EXPECT_EQ(reported[0], l2_penalty(model.parameters(), *optimizer));
    return reported.back();
  };
  EXPECT_NEAR(penalty({.name = "sgd", .learning_rate = 0.0, .weight_decay = 0.2}), 0.15, 1e-12);
  EXPECT_NEAR(penalty({.name = "momentum", .learning_rate = 0.0, .weight_decay = 0.2}), 0.15, 1e-12);
  EXPECT_NEAR(penalty({.name = "adam", .learning_rate = 0.0, .weight_decay = 0.2}), 0.15, 1e-12);
  EXPECT_NEAR(penalty({.name = "rmsprop", .learning_rate = 0.0, .weight_decay = 0.2}), 0.15, 1e-12);
  EXPECT_EQ(penalty({.name = "sgd", .learning_rate = 0.0}), 0.0);
  // AdamW's decoupled decay shrinks the weights apart from the gradient: no term of the loss.
  EXPECT_EQ(penalty({.name = "adamw", .learning_rate = 0.0, .weight_decay = 0.2}), 0.0);

  // The term's gradient is what the update adds: with no loss gradient, one SGD step of rate 0.5
  // moves each p by -0.5 * 0.2 p, and a frozen tensor is neither decayed nor counted.
  Sequential<float> model = model_of();
  model.parameters().set_frozen("0.bias");
  Sgd<float> sgd({.learning_rate = 0.5, .weight_decay = 0.2});
  EXPECT_NEAR(l2_penalty(model.parameters(), sgd), 0.1 * 0.5, 1e-12);
  model.parameters().zero_grad();
  sgd.step(model.parameters());
  EXPECT_EQ(model.parameters().values()[0], 0.5f * (1 - 0.1f));
  EXPECT_EQ(model.parameters().values()[2], -1.0f);
}

TEST(Fit, TheBestEpochByLossOrByScore) {
  // Three epochs whose loss and accuracy disagree: the loss is lowest after the second, the
  // accuracy highest after the third.
  Sequential<float> model = small_model(1);
  auto evaluation = [](double loss, double accuracy) {
    Evaluation e;
    e.loss = loss;
    e.task = Task::classification;
    e.accuracy = accuracy;
    return e;
  };
  const Evaluation epochs[] = {evaluation(0.5, 0.6), evaluation(0.4, 0.5), evaluation(0.45, 0.7)};
  BestEpoch by_loss, by_score;
  std::vector<bool> best_loss, best_score;
  for (std::size_t e = 0; e < 3; ++e) {
    model.parameters().values()[0] = static_cast<float>(e);  // marks whose weights were kept
    best_loss.push_back(keep_if_best(epochs[e], e + 1, model, by_loss));
    best_score.push_back(keep_if_best(epochs[e], e + 1, model, by_score, BestBy::validation_score));
  }
  EXPECT_EQ(best_loss, (std::vector<bool>{true, true, false}));
  EXPECT_EQ(best_score, (std::vector<bool>{true, false, true}));
  EXPECT_EQ(by_loss.epoch, 2u);
  EXPECT_EQ(by_loss.weights[0], 1.0f);
  EXPECT_EQ(by_score.epoch, 3u);
  EXPECT_EQ(by_score.loss, 0.7);
  EXPECT_EQ(by_score.weights[0], 2.0f);
  // A tie is not better: the first of equal scores stays the best.
  EXPECT_FALSE(keep_if_best(evaluation(0.1, 0.7), 4, model, by_score, BestBy::validation_score));
  // The score of a regression is R².
  Evaluation regression;
  regression.task = Task::regression;
  regression.r2 = 0.25;
  regression.accuracy = 0.9;
  EXPECT_EQ(regression.score(), 0.25);
}

TEST(Fit, EndsWithTheWeightsOfTheBestScore) {
  // Classification of 5 samples, validated on the training set: the model ends with the weights
  // it had after the first epoch of the highest validation accuracy.
  Data d;
  Sequential<float> model = small_model(3);
  Sgd<float> sgd({.learning_rate = 0.5});
  Rng rng(4);
  std::vector<double> scores;
  std::vector<std::vector<float>> after;
  const FitResult r = fit(model, CrossEntropy<float>(), sgd, d.x, d.y, rng,
                          {.epochs = 12, .batch_size = 2, .best_by = BestBy::validation_score,
                           .on_epoch = [&](const EpochReport& e) {
                             scores.push_back(e.validation.score());
                             after.push_back(weights(model));
                           }},
                          {}, {d.x, d.y});
  const std::size_t best = static_cast<std::size_t>(std::max_element(scores.begin(), scores.end()) - scores.begin());
  EXPECT_LT(scores.front(), scores[best]);  // the case is one where the best is not the first epoch
  EXPECT_EQ(r.best_epoch, best + 1);
  EXPECT_EQ(weights(model), after[best]);
}

TEST(Fit, WithoutPatienceRunsEveryEpochAndStillKeepsTheBest) {
  Sequential<float> model(Shape{1});
  model.add(Dense<float>({.units = 1, .bias = false, .weight_init = Initializer::constant(0.0)}));
  Rng rng(1);
  model.initialize(rng);
  const Tensor<float> x(Shape{2, 1}, {1, 2}), vy(Shape{2, 1}, {-1, -2});
  Sgd<float> sgd({.learning_rate = 0.05});
  const FitResult r = fit(model, Mse<float>(), sgd, x, x, rng, {.epochs = 4, .batch_size = 2}, {}, {x, vy});
  EXPECT_EQ(r.epochs, 4u);
  EXPECT_FALSE(r.stopped_early);
  EXPECT_EQ(r.best_epoch, 1u);
}

}  // namespace
}  // namespace bpnn
