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
    unit.set_backend(make_cpu_backend<double>({.arithmetic = options.arithmetic}));
    Rng rng(options.seed);
    unit.initialize(rng);
    const TensorView<double> w = unit.parameters().value("0.weight");
    const TensorView<double> b = unit.parameters().value("0.bias");

    // The library's perceptron rule, sample by sample in file order, until an epoch without a
    // mistake or the epoch limit. It takes the learning rate from the optimizer (nothing else) and
    // reports the loss as well (not used here).
    const Tensor<double> targets(Shape{4, 1}, {gate.truth[0], gate.truth[1], gate.truth[2], gate.truth[3]});
    Sgd<double> rate({.learning_rate = options.learning_rate});
    Mse<double> loss;
    TrainingRun<double> run(unit, loss, rate, inputs, targets, rng,
                            {.batch_size = 1, .shuffle = false, .rule = UpdateRule::perceptron});
    run.run({.unit = StepUnit::epoch, .count = static_cast<std::size_t>(options.max_epochs)});
    const std::size_t converged_after = run.converged_epoch();
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
