// SGD's update rule, as torch.optim.SGD: p -= lr * (g + weight_decay * p), frozen tensors untouched.
#include <gtest/gtest.h>

#include "bpnn/bpnn.hpp"
#include "support/optimizer_check.hpp"

namespace bpnn {
namespace {

TEST(Sgd, UpdatesEveryUnfrozenParameter) {
  ParameterStore<double> store;
  store.add("0.weight", Shape{2}, Initializer::zeros());
  store.add("0.bias", Shape{1}, Initializer::zeros());
  copy<double>(Tensor<double>(Shape{2}, {1.0, -2.0}), store.value(0));
  store.value(1)[0] = 3.0;
  copy<double>(Tensor<double>(Shape{2}, {0.5, 0.25}), store.grad(0));
  store.grad(1)[0] = 1.0;
  store.set_frozen("0.bias");

  Sgd<double>({.learning_rate = 0.1, .weight_decay = 0.01}).step(store);
  EXPECT_DOUBLE_EQ(store.value(0)[0], 1.0 - 0.1 * (0.5 + 0.01 * 1.0));
  EXPECT_DOUBLE_EQ(store.value(0)[1], -2.0 - 0.1 * (0.25 + 0.01 * -2.0));
  EXPECT_EQ(store.value(1)[0], 3.0);
  EXPECT_EQ(store.grad(0)[0], 0.5);  // gradients are left for inspection

  store.zero_grad();
  for (double g : store.grads().span()) EXPECT_EQ(g, 0.0);
}

TEST(Sgd, MiniBatchStepLowersTheLoss) {
  Sequential<double> model(Shape{2});
  model.add(Dense<double>({.units = 4}));
  model.add(Tanh<double>());
  model.add(Dense<double>({.units = 1}));
  Rng rng(5);
  model.initialize(rng);
  const Tensor<double> x(Shape{4, 2}, {0, 0, 0, 1, 1, 0, 1, 1});
  const Tensor<double> t(Shape{4, 1}, {0, 1, 1, 0});
  Mse<double> loss;
  Sgd<double> sgd({.learning_rate = 0.1});
  Trainer<double> trainer(model, loss, sgd);
  const double first = trainer.step(x, t);
  double last = first;
  for (int i = 0; i < 50; ++i) last = trainer.step(x, t);
  EXPECT_LT(last, first);
}

}  // namespace
}  // namespace bpnn

namespace bpnn {
namespace {

// SGD's fused path must do the same arithmetic as backward + Sgd::step, online and in batches.
class FusedSgd : public ::testing::TestWithParam<std::size_t> {};

TEST_P(FusedSgd, EqualsBackwardThenStep) {
  const std::size_t batch = GetParam();
  auto make = [] {
    Sequential<double> model(Shape{5});
    model.add(Dense<double>({.units = 7}));
    model.add(Sigmoid<double>());
    model.add(Dense<double>({.units = 4, .bias = false}));
    model.add(Relu<double>());
    model.add(Dense<double>({.units = 3}));
    Rng rng(21);
    model.initialize(rng);
    return model;
  };
  Sequential<double> fused = make(), plain = make();
  Rng data(22);
  Tensor<double> x(Shape{batch, 5}), t(Shape{batch});
  CrossEntropy<double> loss;
  Sgd<double> sgd({.learning_rate = 0.3});
  Trainer<double> fused_trainer(fused, loss, sgd), plain_trainer(plain, loss, sgd);
  for (int step = 0; step < 50; ++step) {
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = data.uniform(-1, 1);
    for (std::size_t n = 0; n < batch; ++n) t[n] = static_cast<double>(data.below(3));
    const double a = fused_trainer.step(x, t);
    const double b = plain_trainer.compute_gradients(x, t);
    sgd.step(plain.parameters());
    EXPECT_NEAR(a, b, 1e-12);
  }
  const auto pf = fused.parameters().values().span(), pp = plain.parameters().values().span();
  for (std::size_t i = 0; i < pf.size(); ++i) EXPECT_NEAR(pf[i], pp[i], 1e-12) << "parameter " << i;
}

INSTANTIATE_TEST_SUITE_P(Batches, FusedSgd, ::testing::Values(1, 8));

// Each branch of the update (plain, decay, momentum from its first step on, Nesterov) leaves the
// same bits on every backend and thread count that shares it out.
TEST(Sgd, StepsTheSameBitsOnEveryBackend) {
  for (const double weight_decay : {0.0, 0.01}) {
    for (const double momentum : {0.0, 0.9}) {
      for (const bool nesterov : {false, true}) {
        if (nesterov && momentum == 0) continue;
        const SgdOptions options{
            .learning_rate = 0.1, .momentum = momentum, .nesterov = nesterov, .weight_decay = weight_decay};
        EXPECT_EQ(testing::differences_between_backends([&](auto t) {
                    return std::make_unique<Sgd<decltype(t)>>(options);
                  }),
                  "")
            << "momentum " << momentum << " nesterov " << nesterov << " weight_decay " << weight_decay;
      }
    }
  }
}

}  // namespace
}  // namespace bpnn
