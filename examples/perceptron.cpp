#include "perceptron.hpp"

#include "bpnn/bpnn.hpp"
#include "demo_support.hpp"

namespace bpnn::examples {
namespace {

struct Gate {
  const char* name;
  double truth[4];  // outputs for (0,0), (0,1), (1,0), (1,1)
};

}  // namespace

int run_perceptron(const PerceptronOptions& options, std::ostream& out) {
  const Gate gates[] = {{"AND", {0, 0, 0, 1}}, {"OR", {0, 1, 1, 1}}, {"NAND", {1, 1, 1, 0}},
                        {"XOR", {0, 1, 1, 0}}, {"XNOR", {1, 0, 0, 1}}};
  const Tensor<double> inputs(Shape{4, 2}, {0, 0, 0, 1, 1, 0, 1, 1});
  Trace trace(options.trace);
  out << "bpnn demo perceptron: one M-P unit, y = step(w1 x1 + w2 x2 - theta), trained with the perceptron rule\n"
      << "  w += lr (t - y) x,  theta -= lr (t - y);  lr " << options.learning_rate << ", seed " << options.seed
      << ", at most " << options.max_epochs << " epochs\n\n";
  for (const Gate& gate : gates) {
    // The unit is a dense layer of one neuron (bias = -threshold) followed by the step function.
    Sequential<double> unit(Shape{2});
    unit.add(Dense<double>({.units = 1, .weight_init = Initializer::uniform(-0.5, 0.5),
                            .bias_init = Initializer::uniform(-0.5, 0.5)}));
    unit.add(Activation<double>("step"));
    Rng rng(options.seed);
    unit.initialize(rng);
    TensorView<double> w = unit.parameters().value("0.weight");
    TensorView<double> b = unit.parameters().value("0.bias");

    int converged_after = 0;
    for (int epoch = 1; epoch <= options.max_epochs && converged_after == 0; ++epoch) {
      int mistakes = 0;
      for (std::size_t n = 0; n < 4; ++n) {
        const TensorView<const double> x = inputs.view().samples(n, 1);
        const double y = unit.forward(x)[0];
        const double error = gate.truth[n] - y;  // -1, 0 or +1: the rule needs no derivative
        if (error != 0) ++mistakes;
        w[0] += options.learning_rate * error * x[0];
        w[1] += options.learning_rate * error * x[1];
        b[0] += options.learning_rate * error;
      }
      if (mistakes == 0) converged_after = epoch;
    }
    const TensorView<const double> y = unit.forward(inputs);
    out << (std::string(gate.name) + "      ").substr(0, 6);
    if (converged_after > 0) {
      out << "learned in " << converged_after << " epochs (the last without a mistake): w1 = " << fixed(w[0], 2)
          << ", w2 = " << fixed(w[1], 2) << ", theta = " << fixed(-b[0], 2) << "\n";
    } else {
      out << "did NOT converge in " << options.max_epochs << " epochs: no line separates its 1s from its 0s "
          << "(not linearly separable)\n";
    }
    out << "        outputs for (0,0) (0,1) (1,0) (1,1): " << y[0] << " " << y[1] << " " << y[2] << " " << y[3] << "\n";
    trace.begin("gate").field("gate", std::string(gate.name)).field("converged", converged_after > 0 ? 1.0 : 0.0)
        .field("epochs", converged_after).field("w", std::vector<double>{w[0], w[1]}).field("theta", -b[0])
        .field("outputs", std::vector<double>{y[0], y[1], y[2], y[3]}).end();
  }
  out << "\nXOR and XNOR need a hidden layer: see `bpnn demo xor` and `bpnn demo xnor`.\n";
  trace.save();
  return 0;
}

}  // namespace bpnn::examples
