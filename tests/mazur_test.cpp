// The 2-2-2 worked example (acceptance of the core engine): every printed figure, in double to
// every digit shown and in float to the tolerance float32 meets.
#include <gtest/gtest.h>

#include "bpnn/bpnn.hpp"

namespace bpnn {
namespace {

template <class T>
struct Mazur {
  Sequential<T> net{Shape{2}};
  Tensor<T> input{Shape{1, 2}, {T(0.05), T(0.10)}};
  Tensor<T> target{Shape{1, 2}, {T(0.01), T(0.99)}};
  Mse<T> loss;
  Sgd<T> sgd{{.learning_rate = 0.5}};

  Mazur() {
    net.add(Dense<T>({.units = 2}));
    net.add(Activation<T>("sigmoid"));
    net.add(Dense<T>({.units = 2}));
    net.add(Activation<T>("sigmoid"));
    ParameterStore<T>& p = net.parameters();
    copy<T>(Tensor<T>(Shape{2, 2}, {T(0.15), T(0.20), T(0.25), T(0.30)}), p.value("0.weight"));
    copy<T>(Tensor<T>(Shape{2}, {T(0.35), T(0.35)}), p.value("0.bias"));
    copy<T>(Tensor<T>(Shape{2, 2}, {T(0.40), T(0.45), T(0.50), T(0.55)}), p.value("2.weight"));
    copy<T>(Tensor<T>(Shape{2}, {T(0.60), T(0.60)}), p.value("2.bias"));
    p.set_frozen("0.bias");
    p.set_frozen("2.bias");
  }
};

// A figure printed with 9 decimals is right to every digit when it is within half a unit of the last.
constexpr double kNineDigits = 0.5e-9;

TEST(Mazur, DoubleMatchesEveryPrintedDigit) {
  Mazur<double> m;
  Trainer<double> trainer(m.net, m.loss, m.sgd);
  const double e = trainer.compute_gradients(m.input, m.target);
  TensorView<const double> out = m.net.activation(3);
  EXPECT_NEAR(out[0], 0.751365070, kNineDigits);
  EXPECT_NEAR(out[1], 0.772928465, kNineDigits);
  EXPECT_NEAR(e, 0.298371109, kNineDigits);
  EXPECT_NEAR(m.net.parameters().grad("2.weight")[0], 0.082167041, kNineDigits);  // dE/dw5
  EXPECT_NEAR(m.net.parameters().grad("0.weight")[0], 0.000438568, kNineDigits);  // dE/dw1

  m.sgd.step(m.net.parameters());
  EXPECT_NEAR(m.net.parameters().value("2.weight")[0], 0.35891648, 0.5e-8);   // w5
  EXPECT_NEAR(m.net.parameters().value("0.weight")[0], 0.149780716, kNineDigits);  // w1
  EXPECT_NEAR(m.loss.forward(m.net.forward(m.input), m.target), 0.291027774, kNineDigits);
  // Frozen biases stayed put.
  EXPECT_EQ(m.net.parameters().value("0.bias")[0], 0.35);
  EXPECT_EQ(m.net.parameters().value("2.bias")[1], 0.60);
}

// float32 carries about 7 significant digits (epsilon 1.19e-7), and the gradient of w1 is a product of
// five rounded factors. Measured on this engine, the float figures are off by at most 4.3 epsilons
// relative (dE/dw1); 8 epsilons relative is the tolerance float32 genuinely meets for every figure.
constexpr double kFloatRelative = 8 * 1.1920929e-7;

void expect_float_near(float value, double expected) {
  EXPECT_NEAR(value, expected, kFloatRelative * expected) << "expected " << expected;
}

TEST(Mazur, FloatMeetsFloat32Tolerance) {
  Mazur<float> m;
  Trainer<float> trainer(m.net, m.loss, m.sgd);
  const float e = trainer.compute_gradients(m.input, m.target);
  TensorView<const float> out = m.net.activation(3);
  expect_float_near(out[0], 0.751365070);
  expect_float_near(out[1], 0.772928465);
  expect_float_near(e, 0.298371109);
  expect_float_near(m.net.parameters().grad("2.weight")[0], 0.082167041);
  expect_float_near(m.net.parameters().grad("0.weight")[0], 0.000438568);
  m.sgd.step(m.net.parameters());
  expect_float_near(m.net.parameters().value("2.weight")[0], 0.35891648);
  expect_float_near(m.net.parameters().value("0.weight")[0], 0.149780716);
  expect_float_near(m.loss.forward(m.net.forward(m.input), m.target), 0.291027774);
}

TEST(Mazur, TrainerStepReturnsTheLossBeforeTheUpdate) {
  Mazur<double> m;
  Trainer<double> trainer(m.net, m.loss, m.sgd);
  EXPECT_NEAR(trainer.step(m.input, m.target), 0.298371109, kNineDigits);
  EXPECT_NEAR(trainer.step(m.input, m.target), 0.291027774, kNineDigits);
}

}  // namespace
}  // namespace bpnn
