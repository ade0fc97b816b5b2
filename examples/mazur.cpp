#include "mazur.hpp"

#include <cstdio>
#include <string>

#include "bpnn/bpnn.hpp"

namespace bpnn::examples {
namespace {

std::string fixed(double value, int digits = 9) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
  return buffer;
}

}  // namespace

int run_mazur(const MazurOptions& options, std::ostream& out) {
  // 2 inputs -> 2 sigmoid hidden units -> 2 sigmoid outputs. Dense weights are [out, in], so the
  // hidden weight's first row holds w1, w2 (into h1) and the output weight's first row w5, w6 (into o1).
  Sequential<double> net(Shape{2});
  net.add(Dense<double>({.units = 2}));
  net.add(Sigmoid<double>());
  net.add(Dense<double>({.units = 2}));
  net.add(Sigmoid<double>());
  ParameterStore<double>& params = net.parameters();
  copy<double>(Tensor<double>(Shape{2, 2}, {0.15, 0.20, 0.25, 0.30}), params.value("0.weight"));
  copy<double>(Tensor<double>(Shape{2}, {0.35, 0.35}), params.value("0.bias"));
  copy<double>(Tensor<double>(Shape{2, 2}, {0.40, 0.45, 0.50, 0.55}), params.value("2.weight"));
  copy<double>(Tensor<double>(Shape{2}, {0.60, 0.60}), params.value("2.bias"));
  // The example keeps its biases b1 = 0.35 and b2 = 0.60 fixed.
  params.set_frozen("0.bias");
  params.set_frozen("2.bias");

  const Tensor<double> input(Shape{1, 2}, {0.05, 0.10});
  const Tensor<double> target(Shape{1, 2}, {0.01, 0.99});
  // mse over two outputs is 1/2 sum (t - o)^2, the example's E.
  const Mse<double> loss;
  Sgd<double> sgd({.learning_rate = 0.5});
  Trainer<double> trainer(net, loss, sgd);

  const double error = trainer.compute_gradients(input, target);
  const TensorView<const double> hidden = net.activation(1);
  const TensorView<const double> output = net.activation(3);
  out << "2-2-2 network, sigmoid everywhere, E = 1/2 sum (target - out)^2, learning rate 0.5\n\n"
      << "forward pass\n"
      << "  out_h1 = " << fixed(hidden[0]) << "   out_h2 = " << fixed(hidden[1]) << "\n"
      << "  out_o1 = " << fixed(output[0]) << "   out_o2 = " << fixed(output[1]) << "\n"
      << "  E      = " << fixed(error) << "\n\n"
      << "gradients dE/dw\n";
  const TensorView<const double> hidden_grad = params.grad("0.weight");
  const TensorView<const double> output_grad = params.grad("2.weight");
  for (int i = 0; i < 4; ++i) out << "  w" << i + 1 << ": " << fixed(hidden_grad[i]) << "\n";
  for (int i = 0; i < 4; ++i) out << "  w" << i + 5 << ": " << fixed(output_grad[i]) << "\n";

  sgd.step(params);
  out << "\nweights after one step (w -= 0.5 dE/dw)\n";
  for (int i = 0; i < 4; ++i) out << "  w" << i + 1 << ": " << fixed(params.value("0.weight")[i]) << "\n";
  for (int i = 0; i < 4; ++i) out << "  w" << i + 5 << ": " << fixed(params.value("2.weight")[i]) << "\n";

  double after = loss.forward(net.forward(input), target);
  out << "\nE after 1 step: " << fixed(after) << "\n";
  for (int i = 1; i < options.iterations; ++i) after = trainer.step(input, target);
  if (options.iterations > 1) {
    after = loss.forward(net.forward(input), target);
    out << "E after " << options.iterations << " steps: " << fixed(after) << "\n";
  }
  return 0;
}

}  // namespace bpnn::examples
