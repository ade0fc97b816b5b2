// What a model's outputs mean: the class a row predicts (a one-output model by its 0.5 threshold),
// binary, multi-label and double-model evaluations, and class probabilities (the softmax of a
// cross-entropy model's logits, 1 - p and p for one output, the outputs themselves otherwise).
#include <gtest/gtest.h>

#include <cmath>

#include "bpnn/bpnn.hpp"
#include "support/expect_error.hpp"

namespace bpnn {
namespace {

// The identity network: its outputs are the inputs, so each test writes the outputs it scores.
template <class T>
Sequential<T> identity(std::size_t width) {
  Sequential<T> model(Shape{width});
  model.add(Identity<T>());
  return model;
}

TEST(Metrics, OneOutputPredictsClassOneFromHalfUp) {
  const float at_half = 0.5f, below = 0.49f, p = 0.9f;
  EXPECT_EQ(predicted_class(&at_half, 1), 1u);
  EXPECT_EQ(predicted_class(&below, 1), 0u);
  EXPECT_EQ(predicted_class(&p, 1), 1u);
  const double tie[3] = {0.2, 0.4, 0.4};
  EXPECT_EQ(predicted_class(tie, 3), 1u);  // several outputs: the first largest
  EXPECT_EQ(class_count(1), 2u);
  EXPECT_EQ(class_count(4), 4u);
  // A single target column is a 0/1 label.
  const Tensor<float> labels(Shape{3, 1}, {1, 0, 0.99f});
  EXPECT_EQ(target_class(labels, 0), 1u);
  EXPECT_EQ(target_class(labels, 1), 0u);
  EXPECT_EQ(target_class(labels, 2), 1u);
}

TEST(Metrics, BinaryAccuracyOfAOneOutputModel) {
  const Sequential<float> model = identity<float>(1);
  // Outputs 0.9, 0.2, 0.5, 0.49 predict 1, 0, 1, 0 against labels 1, 0, 0, 1.
  const Tensor<float> y(Shape{4, 1}, {0.9f, 0.2f, 0.5f, 0.49f});
  const Tensor<float> t(Shape{4, 1}, {1, 0, 0, 1});
  const Evaluation e = evaluate(model, Mse<float>(), y, t, 3, Task::classification);
  ASSERT_TRUE(e.classification);
  EXPECT_EQ(e.task, Task::classification);
  EXPECT_EQ(e.classes, 2u);
  EXPECT_DOUBLE_EQ(e.accuracy, 0.5);
  EXPECT_EQ(e.predicted, (std::vector<std::size_t>{1, 0, 1, 0}));
  EXPECT_EQ(e.confusion, (std::vector<std::size_t>{1, 1, 1, 1}));  // [0->0, 0->1, 1->0, 1->1]
  EXPECT_DOUBLE_EQ(e.precision(1), 0.5);
  EXPECT_DOUBLE_EQ(e.recall(0), 0.5);
  EXPECT_NEAR(e.loss, (0.01 + 0.04 + 0.25 + 0.2601) / 4, 1e-7);
  // [N] labels are classes without saying so; [N, 1] columns are regression unless told.
  const Tensor<float> indices(Shape{4}, {1, 0, 0, 1});
  EXPECT_EQ(resolve_task(indices, 1), Task::classification);
  EXPECT_EQ(resolve_task(t, 1), Task::regression);
  EXPECT_EQ(count_correct(y, t, Task::classification), 2u);
  EXPECT_FALSE(evaluate(model, Mse<float>(), y, t).classification);
}

TEST(Metrics, MultilabelAccuracyIsTheShareOfSamplesWithEveryLabelRight) {
  const Sequential<float> model = identity<float>(2);
  const Tensor<float> y(Shape{3, 2}, {0.9f, 0.1f, 0.6f, 0.7f, 0.2f, 0.3f});
  const Tensor<float> t(Shape{3, 2}, {1, 0, 1, 0, 0, 0});
  const Evaluation e = evaluate(model, Bce<float>(), y, t, 256, Task::multilabel);
  EXPECT_EQ(e.task, Task::multilabel);
  EXPECT_FALSE(e.classification);
  EXPECT_DOUBLE_EQ(e.accuracy, 2.0 / 3.0);
  EXPECT_EQ(e.predictions, (std::vector<double>{0.9f, 0.1f, 0.6f, 0.7f, 0.2f, 0.3f}));
  EXPECT_EQ(count_correct(y, t, Task::multilabel), 2u);
  EXPECT_EQ(count_correct(y, t, Task::regression), 0u);
}

TEST(Metrics, ADoubleModelIsEvaluatedInDouble) {
  const Sequential<double> model = identity<double>(3);
  const Tensor<double> x(Shape{4, 3}, {1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1});
  const Tensor<double> y(Shape{4}, {0, 1, 2, 2});
  const Evaluation e = evaluate(model, CrossEntropy<double>(), x, y, 4);
  ASSERT_TRUE(e.classification);
  EXPECT_DOUBLE_EQ(e.accuracy, 0.75);
  EXPECT_EQ(e.confusion[2 * 3 + 1], 1u);  // a 2 predicted as 1
  EXPECT_EQ(e.loss, CrossEntropy<double>().forward(x, y));
  // Regression: errors 1e-9 and -2e-9 survive in double.
  const Sequential<double> one = identity<double>(1);
  const Tensor<double> out(Shape{2, 1}, {1 + 1e-9, 2 - 2e-9}), target(Shape{2, 1}, {1, 2});
  const Evaluation r = evaluate(one, Mse<double>(), out, target);
  EXPECT_EQ(r.task, Task::regression);
  EXPECT_NEAR(r.mae, 1.5e-9, 1e-15);
  EXPECT_EQ(r.predictions, (std::vector<double>{1 + 1e-9, 2 - 2e-9}));
}

TEST(Metrics, ClassProbabilities) {
  // Cross-entropy outputs are logits: 0, ln 2, ln 3 have the softmax 1/6, 2/6, 3/6.
  const Tensor<double> logits(Shape{1, 3}, {0, std::log(2.0), std::log(3.0)});
  const Tensor<double> p = class_probabilities(*default_backend<double>(), "cross_entropy", logits);
  ASSERT_EQ(p.shape(), (Shape{1, 3}));
  EXPECT_NEAR(p[0], 1.0 / 6, 1e-15);
  EXPECT_NEAR(p[1], 2.0 / 6, 1e-15);
  EXPECT_NEAR(p[2], 3.0 / 6, 1e-15);
  EXPECT_TRUE(outputs_are_logits("cross_entropy"));
  EXPECT_FALSE(outputs_are_logits("bce"));
  // One output is class 1's probability: the columns 1 - p and p.
  const Tensor<float> one(Shape{2, 1}, {0.75f, 0.25f});
  const Tensor<float> two = class_probabilities(*default_backend<float>(), "bce", one);
  ASSERT_EQ(two.shape(), (Shape{2, 2}));
  EXPECT_EQ((std::vector<float>(two.data(), two.data() + 4)), (std::vector<float>{0.25f, 0.75f, 0.75f, 0.25f}));
  // A softmax layer's (or sigmoids') outputs are probabilities already.
  const Tensor<float> soft(Shape{1, 2}, {0.3f, 0.7f});
  const Tensor<float> same = class_probabilities(*default_backend<float>(), "mse", soft);
  EXPECT_EQ(same[0], 0.3f);
  EXPECT_EQ(same[1], 0.7f);
}

TEST(Metrics, PredictProbabilitiesRunsTheModelInBatches) {
  const Sequential<float> model = identity<float>(2);
  const Tensor<float> x(Shape{3, 2}, {0, 0, 1, 0, 0, 2});
  const Tensor<float> p = predict_probabilities(model, "cross_entropy", x, 2);
  ASSERT_EQ(p.shape(), (Shape{3, 2}));
  EXPECT_FLOAT_EQ(p[0], 0.5f);
  EXPECT_FLOAT_EQ(p[2], 1.0f / (1.0f + std::exp(-1.0f)));
  EXPECT_FLOAT_EQ(p[5], 1.0f / (1.0f + std::exp(-2.0f)));  // in the second batch
  const Sequential<double> one = identity<double>(1);
  const Tensor<double> q = predict_probabilities(one, "bce", Tensor<double>(Shape{1, 1}, {0.2}));
  EXPECT_EQ(q.shape(), (Shape{1, 2}));
  EXPECT_DOUBLE_EQ(q[0], 0.8);
  EXPECT_THROW(predict_probabilities(model, "mse", x, 0), Error);
}

// A loss that takes any shapes, so that evaluate's own check of the class indices is reached.
class AnyShapeLoss : public Loss<float> {
 public:
  std::string_view name() const override { return "any"; }
  float forward(const Backend<float>&, TensorView<const float>, TensorView<const float>) const override { return 0; }
  void backward(const Backend<float>&, TensorView<const float>, TensorView<const float>,
                TensorView<float>) const override {}
};

TEST(Metrics, AClassTheModelHasNoOutputForIsAClearError) {
  const Sequential<float> model = identity<float>(2);
  testing::expect_error(
      [&] { evaluate(model, AnyShapeLoss(), Tensor<float>(Shape{2, 2}), Tensor<float>(Shape{2}, {1, 4})); },
      {"sample 1 is of class 4", "2 classes"});
}

}  // namespace
}  // namespace bpnn
