// The gradient checker itself must be able to fail: deliberately wrong backwards are caught.
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
class SigmoidForgetsToWrite : public Activation<double> {
 public:
  SigmoidForgetsToWrite() : Activation<double>("sigmoid") {}
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

}  // namespace
}  // namespace bpnn
