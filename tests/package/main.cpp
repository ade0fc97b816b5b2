// A program outside bpnn's tree, built against an installed bpnn through find_package(bpnn): the
// 2-2-2 worked example (Matt Mazur's), one forward pass and one SGD step, checked against the
// tutorial's figures. Exits non-zero when a figure is off.
#include <cmath>
#include <cstdio>

#include "bpnn/bpnn.hpp"

namespace {

// A figure printed with 9 decimals is right to every digit when it is within half a unit of the last.
constexpr double kNineDigits = 0.5e-9;

bool expect(const char* name, double value, double expected, double tolerance) {
  const bool ok = std::abs(value - expected) <= tolerance;
  std::printf("%s %s = %.9f (expected %.9f)\n", ok ? "ok  " : "FAIL", name, value, expected);
  return ok;
}

}  // namespace

int main() {
  using namespace bpnn;
  // 2 inputs -> 2 sigmoid hidden units -> 2 sigmoid outputs. Dense weights are [out, in]: row 0 of
  // "0.weight" is w1, w2 (into h1); row 0 of "2.weight" is w5, w6 (into o1).
  Sequential<double> net(Shape{2});
  net.add(Dense<double>({.units = 2}));
  net.add(Activation<double>("sigmoid"));
  net.add(Dense<double>({.units = 2}));
  net.add(Activation<double>("sigmoid"));
  ParameterStore<double>& p = net.parameters();
  copy<double>(Tensor<double>(Shape{2, 2}, {0.15, 0.20, 0.25, 0.30}), p.value("0.weight"));
  copy<double>(Tensor<double>(Shape{2}, {0.35, 0.35}), p.value("0.bias"));
  copy<double>(Tensor<double>(Shape{2, 2}, {0.40, 0.45, 0.50, 0.55}), p.value("2.weight"));
  copy<double>(Tensor<double>(Shape{2}, {0.60, 0.60}), p.value("2.bias"));
  p.set_frozen("0.bias");  // the example keeps b1 = 0.35 and b2 = 0.60 fixed
  p.set_frozen("2.bias");

  const Tensor<double> input(Shape{1, 2}, {0.05, 0.10});
  const Tensor<double> target(Shape{1, 2}, {0.01, 0.99});
  // bpnn's MSE is the mean over the two outputs, 1/2 sum (t - o)^2: the tutorial's E, so the
  // tutorial's learning rate 0.5 is used as it is.
  const Mse<double> loss;
  Sgd<double> sgd({.learning_rate = 0.5});
  Trainer<double> trainer(net, loss, sgd);

  bool ok = true;
  const double e_total = trainer.compute_gradients(input, target);
  ok &= expect("E_total", e_total, 0.298371109, kNineDigits);
  ok &= expect("dE/dw5 ", p.grad("2.weight")[0], 0.082167041, kNineDigits);
  sgd.step(p);
  ok &= expect("w5     ", p.value("2.weight")[0], 0.358916480, kNineDigits);
  ok &= expect("w1     ", p.value("0.weight")[0], 0.149780716, kNineDigits);
  std::printf("%s\n", ok ? "bpnn package: the installed library reproduces the worked example"
                         : "bpnn package: figures differ from the worked example");
  return ok ? 0 : 1;
}
