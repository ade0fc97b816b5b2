// The gradient checker itself must be able to fail: deliberately wrong backwards are caught (with
// its default of skipping kinks: a wrong gradient of a smooth E is never taken for one).
#include <gtest/gtest.h>

#include "bpnn/bpnn.hpp"
#include "support/gradcheck.hpp"

namespace bpnn {
namespace {

using testing::check_layer_gradients;
using testing::check_loss_gradients;
using testing::random_tensor;

// MSE whose gradient forgets the factor 2 of d(p - t)^2/dp (tiny-dnn's bug).
class MseMissingFactorTwo : public Mse<double> {
 public:
  void backward(const Backend<double>& backend, TensorView<const double> p, TensorView<const double> t,
                TensorView<double> dp) const override {
    Mse<double>::backward(backend, p, t, dp);
    for (double& g : dp.span()) g /= 2;
  }
};

// A square dense layer whose backward multiplies by W^T instead of W for the input gradient.
class DenseTransposedBackward : public Dense<double> {
 public:
  DenseTransposedBackward() : Dense<double>({.units = 3, .bias = false}) {}
  void bind(ParameterStore<double>& store, std::size_t first) override {
    Dense<double>::bind(store, first);
    weight_ = store.value(first);
  }
  void backward(const Context<double>& ctx, TensorView<const double> x, TensorView<const double> y,
                TensorView<const double> dy, TensorView<double> dx) const override {
    Dense<double>::backward(ctx, x, y, dy, TensorView<double>{});  // the weight gradient stays right
    const std::size_t N = x.batch();
    for (std::size_t n = 0; n < N; ++n) {
      for (std::size_t i = 0; i < 3; ++i) {
        double sum = 0;
        for (std::size_t o = 0; o < 3; ++o) sum += dy[n * 3 + o] * weight_[i * 3 + o];  // W[i,o]: transposed
        dx[n * 3 + i] = sum;
      }
    }
  }

 private:
  TensorView<double> weight_;
};

// A sigmoid whose backward overwrites nothing: the input gradient keeps its poison.
class SigmoidForgetsToWrite : public Sigmoid<double> {
 public:
  void backward(const Context<double>&, TensorView<const double>, TensorView<const double>, TensorView<const double>,
                TensorView<double>) const override {}
};

// A dense layer that overwrites its weight gradient instead of adding to it.
class DenseOverwritesWeightGrad : public Dense<double> {
 public:
  DenseOverwritesWeightGrad() : Dense<double>({.units = 2}) {}
  void bind(ParameterStore<double>& store, std::size_t first) override {
    Dense<double>::bind(store, first);
    weight_grad_ = store.grad(first);
  }
  void backward(const Context<double>& ctx, TensorView<const double> x, TensorView<const double> y,
                TensorView<const double> dy, TensorView<double> dx) const override {
    for (double& g : weight_grad_.span()) g = 0;
    Dense<double>::backward(ctx, x, y, dy, dx);
  }

 private:
  TensorView<double> weight_grad_;
};

TEST(GradCheck, CatchesMissingFactorOfTwo) {
  const Tensor<double> p = random_tensor(Shape{2, 3}, 1);
  const Tensor<double> t = random_tensor(Shape{2, 3}, 2);
  auto right = check_loss_gradients(Mse<double>(), p, t);
  EXPECT_TRUE(right.ok) << right.report;
  auto wrong = check_loss_gradients(MseMissingFactorTwo(), p, t);
  EXPECT_FALSE(wrong.ok);
  EXPECT_NE(wrong.report.find("prediction[0]"), std::string::npos) << wrong.report;
}

TEST(GradCheck, CatchesTransposedWeight) {
  auto wrong = check_layer_gradients(std::make_unique<DenseTransposedBackward>(), random_tensor(Shape{2, 3}, 3));
  EXPECT_FALSE(wrong.ok);
  EXPECT_NE(wrong.report.find("input["), std::string::npos) << wrong.report;
  EXPECT_EQ(wrong.report.find("0.weight"), std::string::npos) << "only the input gradient is wrong:\n"
                                                               << wrong.report;
}

TEST(GradCheck, CatchesAnInputGradientLeftUnwritten) {
  auto wrong = check_layer_gradients(std::make_unique<SigmoidForgetsToWrite>(), random_tensor(Shape{2, 3}, 4));
  EXPECT_FALSE(wrong.ok);
}

TEST(GradCheck, CatchesParameterGradientsOverwrittenInsteadOfAccumulated) {
  auto wrong = check_layer_gradients(std::make_unique<DenseOverwritesWeightGrad>(), random_tensor(Shape{2, 3}, 5));
  EXPECT_FALSE(wrong.ok);
  EXPECT_NE(wrong.report.find("0.weight"), std::string::npos) << wrong.report;
}

// An empty batch gives the loss nothing to differentiate: a check that compared nothing fails.
TEST(GradCheck, FailsWhenItComparesNothing) {
  const Tensor<double> empty(Shape{0, 3});
  auto r = check_loss_gradients(Mse<double>(), empty, empty);
  EXPECT_EQ(r.checked, 0u);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.report.find("compared nothing"), std::string::npos) << r.report;
}

// The library's check of a whole model against its loss: a report per tensor, the model left as it was.
TEST(GradCheck, ChecksAModelAgainstItsLossTensorByTensor) {
  Sequential<double> model = build_model<double>(parse_network("3-4tanh-2sigmoid", "test"));
  Rng rng(1);
  model.initialize(rng);
  const Tensor<double> x = random_tensor(Shape{5, 3}, 2), y = random_tensor(Shape{5, 2}, 3, 0, 1);
  ParameterStore<double>& p = model.parameters();
  for (double& g : p.grads().span()) g = 0.25;
  const std::vector<double> values(p.values().data(), p.values().data() + p.values().size());
  const GradientCheckReport r = check_gradients(model, Mse<double>(), x, y);
  EXPECT_TRUE(r.ok) << r.report;
  EXPECT_EQ(r.skipped, 0u);
  EXPECT_DOUBLE_EQ(r.objective, Mse<double>().forward(model.forward(x), y));
  const std::vector<std::pair<std::string, std::size_t>> expected = {
      {"input", 15}, {"0.weight", 12}, {"0.bias", 4}, {"2.weight", 8}, {"2.bias", 2}};
  ASSERT_EQ(r.tensors.size(), expected.size());
  for (std::size_t k = 0; k < expected.size(); ++k) {
    EXPECT_EQ(r.tensors[k].name, expected[k].first);
    EXPECT_EQ(r.tensors[k].checked, expected[k].second);
    EXPECT_TRUE(r.tensors[k].passed);
    EXPECT_LE(r.tensors[k].max_relative_error, 1e-6);
    EXPECT_LT(r.tensors[k].worst, expected[k].second);
  }
  EXPECT_EQ(r.checked, 41u);
  double largest = 0;
  for (const TensorGradientCheck& t : r.tensors) largest = std::max(largest, t.max_relative_error);
  EXPECT_EQ(r.max_relative_error, largest);
  EXPECT_NE(r.worst.find("["), std::string::npos);
  EXPECT_EQ(std::vector<double>(p.values().data(), p.values().data() + p.values().size()), values);
  for (double g : p.grads().span()) EXPECT_EQ(g, 0.25);
  // At most 3 elements of each tensor, evenly spread.
  const GradientCheckReport few = check_gradients(model, Mse<double>(), x, y, {.max_elements = 3});
  EXPECT_TRUE(few.ok) << few.report;
  EXPECT_EQ(few.tensors[1].checked, 3u);  // 0.weight: elements 0, 4, 8
  EXPECT_EQ(few.tensors[4].checked, 2u);
}

// A float model is checked through a double copy of itself.
TEST(GradCheck, ChecksAFloatModelInDouble) {
  Sequential<float> model = build_model<float>(parse_network("3-4sigmoid-2", "test"));
  Rng rng(4);
  model.initialize(rng);
  const Tensor<float> x(Shape{2, 3}, {0.1f, -0.5f, 0.9f, 0.3f, 0.2f, -0.7f});
  const Tensor<float> classes(Shape{2}, {1, 0});
  const GradientCheckReport r = check_gradients(model, CrossEntropy<double>(), x, classes);
  EXPECT_TRUE(r.ok) << r.report;
  EXPECT_EQ(r.checked, 6u + 12 + 4 + 8 + 2);
}

// relu at exactly 0 (weights and biases 0): E has a kink at every first-layer parameter, where
// back-propagation takes relu's left side. Those elements are skipped, not failed, unless asked.
TEST(GradCheck, AKinkIsSkippedNotFailed) {
  Sequential<double> model = build_model<double>(parse_network("3-2relu-1", "test"));
  Rng rng(5);
  model.initialize(rng);
  for (const char* name : {"0.weight", "0.bias"}) {
    for (double& v : model.parameters().value(name).span()) v = 0.0;
  }
  const Tensor<double> x = random_tensor(Shape{4, 3}, 6), y = random_tensor(Shape{4, 1}, 7);
  const GradientCheckReport r = check_gradients(model, Mse<double>(), x, y);
  EXPECT_TRUE(r.ok) << r.report;
  EXPECT_EQ(r.skipped, 6u + 2);
  EXPECT_EQ(r.tensors[1].skipped, 6u);
  EXPECT_EQ(r.tensors[2].skipped, 2u);
  const GradientCheckReport strict = check_gradients(model, Mse<double>(), x, y, {.skip_kinks = false});
  EXPECT_FALSE(strict.ok);
  EXPECT_EQ(strict.skipped, 0u);
  EXPECT_NE(strict.report.find("0.bias["), std::string::npos) << strict.report;
}

}  // namespace
}  // namespace bpnn
