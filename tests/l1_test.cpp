// L1 regularization, the optimizers' l1 option: each adds l1 sign(p) (0 at p = 0) to dE/dp of every
// trained tensor, as weight decay adds weight_decay p, before its own update. torch.optim has no L1
// term, so the updates here are worked by hand; tests/pytorch adds l1 sign(p) to PyTorch's
// gradients and compares whole runs.
#include <gtest/gtest.h>

#include <cmath>

#include "bpnn/bpnn.hpp"
#include "support/expect_error.hpp"
#include "support/optimizer_check.hpp"

namespace bpnn {
namespace {

using testing::set_grad;
using testing::store_with;

TEST(L1, SgdAddsL1TimesTheSignOfEachParameterToItsGradient) {
  ParameterStore<double> s = store_with(0.5, -2.0);
  set_grad(s, 0.25, 0.25);
  Sgd<double>({.learning_rate = 0.1, .weight_decay = 0.01, .l1 = 0.2}).step(s);
  EXPECT_DOUBLE_EQ(s.value(0)[0], 0.5 - 0.1 * (0.25 + 0.01 * 0.5 + 0.2));
  EXPECT_DOUBLE_EQ(s.value(0)[1], -2.0 - 0.1 * (0.25 + 0.01 * -2.0 - 0.2));

  // sign(0) = 0: a parameter at zero with no loss gradient stays at zero.
  ParameterStore<double> zero = store_with(0.0, 1.0);
  set_grad(zero, 0.0, 0.0);
  Sgd<double>({.learning_rate = 0.5, .l1 = 0.1}).step(zero);
  EXPECT_EQ(zero.value(0)[0], 0.0);
  EXPECT_DOUBLE_EQ(zero.value(0)[1], 1.0 - 0.5 * 0.1);
}

TEST(L1, SgdWithMomentumCarriesTheL1TermInItsVelocity) {
  ParameterStore<double> s = store_with(1.0, -1.0);
  Sgd<double> sgd({.learning_rate = 0.1, .momentum = 0.9, .l1 = 0.5});
  set_grad(s, 0.0, 0.0);
  sgd.step(s);  // b = g = 0.5 sign(p)
  EXPECT_DOUBLE_EQ(s.value(0)[0], 1.0 - 0.1 * 0.5);
  EXPECT_DOUBLE_EQ(s.value(0)[1], -1.0 + 0.1 * 0.5);
  sgd.step(s);  // b = 0.9 b + 0.5 sign(p), the signs unchanged
  EXPECT_DOUBLE_EQ(s.value(0)[0], 1.0 - 0.1 * 0.5 - 0.1 * (0.9 * 0.5 + 0.5));
  EXPECT_DOUBLE_EQ(s.value(0)[1], -1.0 + 0.1 * 0.5 + 0.1 * (0.9 * 0.5 + 0.5));
}

TEST(L1, AdamRmspropAndAdagradAddTheTermBeforeTheirMoments) {
  // Adam, first step: g = 1 + 0.5 * 2 + 0.25 = 2.25, and the update is lr g / (|g| + eps).
  ParameterStore<double> a = store_with(2.0, -3.0);
  set_grad(a, 1.0, 0.0);
  Adam<double>({.learning_rate = 0.1, .weight_decay = 0.5, .l1 = 0.25}).step(a);
  EXPECT_NEAR(a.value(0)[0], 2.0 - 0.1 * 2.25 / (2.25 + 1e-8), 1e-15);
  const double g1 = 0.5 * -3.0 - 0.25;
  EXPECT_NEAR(a.value(0)[1], -3.0 - 0.1 * g1 / (-g1 + 1e-8), 1e-15);

  // AdamW: p *= 1 - lr wd first, then g = 1 + 0.25 sign(p) (the shrunk p, still positive).
  ParameterStore<double> w = store_with(2.0, 0.0);
  set_grad(w, 1.0, 0.0);
  Adam<double>({.learning_rate = 0.1, .weight_decay = 0.5, .decoupled_weight_decay = true, .l1 = 0.25}).step(w);
  EXPECT_NEAR(w.value(0)[0], 2.0 * 0.95 - 0.1 * 1.25 / (1.25 + 1e-8), 1e-15);
  EXPECT_EQ(w.value(0)[1], 0.0);

  // RMSprop, first step: a = (1 - alpha) g^2, p -= lr g / (sqrt(a) + eps), g = -1 - 0.5.
  ParameterStore<double> r = store_with(-1.0, 0.0);
  set_grad(r, -1.0, 0.0);
  Rmsprop<double>({.learning_rate = 0.01, .alpha = 0.9, .l1 = 0.5}).step(r);
  EXPECT_NEAR(r.value(0)[0], -1.0 - 0.01 * -1.5 / (std::sqrt(0.1 * 2.25) + 1e-8), 1e-15);
  EXPECT_EQ(r.value(0)[1], 0.0);

  // Adagrad, first step: s = g^2, p -= lr g / (|g| + eps), g = 0.5 + 0.125.
  ParameterStore<double> d = store_with(4.0, 0.0);
  set_grad(d, 0.5, 0.0);
  Adagrad<double>({.learning_rate = 0.1, .l1 = 0.125}).step(d);
  EXPECT_NEAR(d.value(0)[0], 4.0 - 0.1 * 0.625 / (0.625 + 1e-10), 1e-15);
  EXPECT_EQ(d.value(0)[1], 0.0);
}

// l1_penalty is the term whose subgradient the update adds: its central difference at p (away
// from 0) is l1 sign(p), and a step of SGD with no loss gradient moves p by -lr times it.
TEST(L1, ThePenaltyIsTheTermTheUpdateIsTheGradientOf) {
  ParameterStore<double> s;
  s.add("0.weight", Shape{3}, Initializer::zeros());
  s.add("0.bias", Shape{1}, Initializer::zeros());
  const double start[] = {0.75, -0.5, 0.0, 2.0};
  std::copy(std::begin(start), std::end(start), s.values().data());
  s.set_frozen("0.bias");
  Sgd<double> sgd({.learning_rate = 0.1, .l1 = 0.3});
  EXPECT_NEAR(l1_penalty(s, sgd), 0.3 * (0.75 + 0.5 + 0.0), 1e-15);  // the frozen bias not counted
  EXPECT_EQ(l1_penalty(s, Sgd<double>({.learning_rate = 0.1})), 0.0);

  const double h = 1e-6;
  for (std::size_t i = 0; i < 2; ++i) {
    const double p = s.values()[i];
    s.values()[i] = p + h;
    const double up = l1_penalty(s, sgd);
    s.values()[i] = p - h;
    const double down = l1_penalty(s, sgd);
    s.values()[i] = p;
    const double slope = (up - down) / (2 * h);
    EXPECT_NEAR(slope, 0.3 * (p > 0 ? 1 : -1), 1e-8) << i;
  }
  s.zero_grad();
  sgd.step(s);
  EXPECT_DOUBLE_EQ(s.values()[0], 0.75 - 0.1 * 0.3);
  EXPECT_DOUBLE_EQ(s.values()[1], -0.5 + 0.1 * 0.3);
  EXPECT_EQ(s.values()[2], 0.0);
  EXPECT_EQ(s.values()[3], 2.0);  // frozen
}

// The trainer fuses plain SGD into back-propagation; with L1 it must not, or the term is lost.
TEST(L1, TheTrainerAppliesItAfterBackPropagation) {
  Sgd<float> plain({.learning_rate = 0.1}), with_l1({.learning_rate = 0.1, .l1 = 0.01});
  EXPECT_EQ(plain.plain_sgd_learning_rate(), 0.1);
  EXPECT_EQ(with_l1.plain_sgd_learning_rate(), 0.0);
  auto make = [] {
    Sequential<double> model(Shape{3});
    model.add(Dense<double>({.units = 2}));
    model.add(Activation<double>("tanh"));
    model.add(Dense<double>({.units = 1}));
    Rng rng(3);
    model.initialize(rng);
    return model;
  };
  const Tensor<double> x(Shape{2, 3}, {0.5, -1, 2, 1, 0.25, -0.5}), t(Shape{2, 1}, {1, -1});
  Mse<double> loss;
  Sequential<double> trained = make(), by_hand = make();
  Sgd<double> sgd({.learning_rate = 0.1, .l1 = 0.05});
  Trainer<double> trainer(trained, loss, sgd);
  trainer.step(x, t);

  by_hand.parameters().zero_grad();
  const TensorView<const double> y = by_hand.forward(x.view(), Mode::train);
  Tensor<double> grad(y.shape()), input_grad(x.shape());
  loss.value_and_gradient(by_hand.backend(), y, t.view(), grad.view());
  by_hand.backward(grad.view(), input_grad.view());
  const auto p = by_hand.parameters().values();
  const auto g = by_hand.parameters().grads();
  for (std::size_t i = 0; i < p.size(); ++i) {
    const double expected = p[i] - 0.1 * (g[i] + (p[i] > 0 ? 0.05 : p[i] < 0 ? -0.05 : 0.0));
    EXPECT_DOUBLE_EQ(trained.parameters().values()[i], expected) << i;
  }
}

TEST(L1, TheFactoryTakesItWhereWeightDecayGoesAndRefusesItElse) {
  for (const char* name : {"sgd", "momentum", "adam", "adamw", "rmsprop", "adagrad"}) {
    EXPECT_EQ(make_optimizer<float>({.name = name, .l1 = 0.125})->l1(), 0.125) << name;
    EXPECT_EQ(make_optimizer<float>({.name = name})->l1(), 0.0) << name;
  }
  OptimizerSpec spec{.name = "adam"};
  spec.set("l1", 0.5);
  EXPECT_EQ(make_optimizer<double>(spec)->l1(), 0.5);
  testing::expect_error([] { make_optimizer<float>({.name = "rprop", .l1 = 0.1}); },
                        {"optimizer 'rprop' has no l1 option"});
  testing::expect_error([] { Sgd<float>({.l1 = -1}); }, {"l1 must be >= 0"});
  testing::expect_error([] { Adam<float>({.l1 = -1}); }, {"l1 must be >= 0"});
  testing::expect_error([] { Rmsprop<float>({.l1 = -1}); }, {"l1 must be >= 0"});
  testing::expect_error([] { Adagrad<float>({.l1 = -1}); }, {"l1 must be >= 0"});
}

TEST(L1, EveryBackendAndThreadCountGivesTheSameBits) {
  EXPECT_EQ(testing::differences_between_backends([](auto zero) {
              return make_optimizer<decltype(zero)>({.name = "momentum", .weight_decay = 0.01, .l1 = 0.001});
            }),
            "");
  EXPECT_EQ(testing::differences_between_backends(
                [](auto zero) { return make_optimizer<decltype(zero)>({.name = "sgd", .l1 = 0.001}); }),
            "");
  EXPECT_EQ(testing::differences_between_backends(
                [](auto zero) { return make_optimizer<decltype(zero)>({.name = "adam", .l1 = 0.001}); }),
            "");
}

}  // namespace
}  // namespace bpnn
