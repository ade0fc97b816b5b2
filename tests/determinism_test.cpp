// The same seed gives bit-identical weights and losses across two runs.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "bpnn/bpnn.hpp"

namespace bpnn {
namespace {

struct TrainingRun {
  std::vector<float> weights;
  std::vector<float> losses;
};

TrainingRun train(std::uint64_t seed) {
  Rng rng(seed);
  Sequential<float> model(Shape{20});
  model.add(Dense<float>({.units = 32, .weight_init = Initializer::he_normal()}));
  model.add(Activation<float>("relu"));
  model.add(Dense<float>({.units = 16, .weight_init = Initializer::xavier_uniform()}));
  model.add(Activation<float>("sigmoid"));
  model.add(Dense<float>({.units = 5}));
  model.initialize(rng);
  Tensor<float> x(Shape{64, 20});
  Tensor<float> t(Shape{64});
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(rng.normal(0, 1));
  for (std::size_t i = 0; i < t.size(); ++i) t[i] = static_cast<float>(rng.below(5));
  CrossEntropy<float> loss;
  Sgd<float> sgd({.learning_rate = 0.05});
  Trainer<float> trainer(model, loss, sgd);
  TrainingRun run;
  for (int step = 0; step < 20; ++step) run.losses.push_back(trainer.step(x, t));
  auto values = model.parameters().values().span();
  run.weights.assign(values.begin(), values.end());
  return run;
}

bool bit_identical(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST(Determinism, SameSeedGivesBitIdenticalWeightsAndLosses) {
  const TrainingRun a = train(1234), b = train(1234);
  EXPECT_TRUE(bit_identical(a.weights, b.weights));
  EXPECT_TRUE(bit_identical(a.losses, b.losses));
  EXPECT_LT(a.losses.back(), a.losses.front());  // it did learn something
}

TEST(Determinism, AnotherSeedGivesOtherWeights) {
  EXPECT_FALSE(bit_identical(train(1).weights, train(2).weights));
}

}  // namespace
}  // namespace bpnn
