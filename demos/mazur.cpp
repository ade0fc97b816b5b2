#include "mazur.hpp"

#include "bpnn/bpnn.hpp"
#include "demo_support.hpp"

namespace bpnn::examples {
namespace {

constexpr double kLearningRate = 0.5;

// 2 inputs -> 2 sigmoid hidden units -> 2 sigmoid outputs, weights as in the example. Dense weights
// are [out, in]: row 0 of "0.weight" holds w1, w2 (into h1); row 0 of "2.weight" holds w5, w6 (into o1).
Sequential<double> build_network() {
  Sequential<double> net(Shape{2});
  net.add(Dense<double>({.units = 2}));
  net.add(Activation<double>("sigmoid"));
  net.add(Dense<double>({.units = 2}));
  net.add(Activation<double>("sigmoid"));
  set_worked_example_weights(net.parameters());
  return net;
}

// The tutorial's order: compute every gradient, update w5..w8, then back-propagate the output
// error again, now through the updated w5..w8, and update w1..w4 with those hidden gradients.
void tutorial_step(Sequential<double>& net, Trainer<double>& trainer, const Mse<double>& loss,
                   const Tensor<double>& input, const Tensor<double>& target, Tensor<double>& output_grad) {
  ParameterStore<double>& p = net.parameters();
  trainer.compute_gradients(input, target);
  TensorView<double> w_out = p.value("2.weight");
  TensorView<const double> g_out = p.grad("2.weight");
  for (std::size_t i = 0; i < w_out.size(); ++i) w_out[i] -= kLearningRate * g_out[i];
  const TensorView<const double> output = net.activation(3);
  output_grad.resize(output.shape());
  loss.backward(output, target, output_grad.view());
  p.zero_grad();
  net.backward(output_grad.view());
  TensorView<double> w_hidden = p.value("0.weight");
  TensorView<const double> g_hidden = p.grad("0.weight");
  for (std::size_t i = 0; i < w_hidden.size(); ++i) w_hidden[i] -= kLearningRate * g_hidden[i];
}

std::vector<double> values(TensorView<const double> v) { return {v.data(), v.data() + v.size()}; }

std::string pad(const std::string& text, std::size_t width) {
  return text + std::string(width > text.size() ? width - text.size() : 0, ' ');
}

// One line of a chain rule: a factor's name, its formula and its value.
void factor_line(std::ostream& out, const std::string& name, const std::string& formula, double value) {
  out << "  " << pad(name, 15) << " = " << pad(formula, 22) << " = " << fixed(value) << "\n";
}

// The forward pass: net and out of every neuron, and E's terms.
void print_forward(std::ostream& out, const Explanation<double>& e) {
  out << "forward pass\n";
  for (const NeuronLayer<double>& n : e.neuron_layers) {
    for (std::size_t j = 0; j < n.units(); ++j) {
      const std::string& name = n.neurons[j];
      out << "  net_" << name << " = " << fixed(n.net[j]) << "   out_" << name << " = " << fixed(n.out[j]) << "\n";
    }
  }
  const NeuronLayer<double>& o = e.neuron_layers.back();
  out << " ";
  for (std::size_t j = 0; j < o.units(); ++j) out << " E_" << o.neurons[j] << " = " << fixed(e.loss_terms[j]) << "  ";
  out << " E_total = " << fixed(e.loss) << "\n\n";
}

// The chain rule of an output weight, factor by factor, and of a hidden one through every path.
void print_chain_rules(std::ostream& out, const Explanation<double>& e) {
  const ChainRule<double> w5 = chain_rule(e, "w5");
  out << "chain rule for w5 (" << w5.from << " -> " << w5.to << "): " << w5.equation << "\n";
  for (const Factor<double>& f : w5.factors) factor_line(out, f.name, f.formula, f.value);
  factor_line(out, "dE/dw5", "product", w5.product);
  out << "  (back-propagation: " << fixed(w5.backprop) << ")\n\n";

  const ChainRule<double> w1 = chain_rule(e, "w1");
  out << "chain rule for w1 (" << w1.from << " -> " << w1.to << "), through both outputs: " << w1.equation << "\n";
  const Factor<double>& paths = w1.factors[0];
  for (const PathTerm<double>& t : paths.terms) {
    const std::string delta = "dE_" + t.neuron + "/dnet_" + t.neuron, part = "dE_" + t.neuron + "/dout_" + w1.to;
    out << "  " << pad(delta, 15) << " = " << fixed(t.delta) << "   " << part << " = " << delta << " * " << t.weight
        << " = " << fixed(t.product) << "\n";
  }
  factor_line(out, paths.name, paths.formula, paths.value);
  for (std::size_t f = 1; f < w1.factors.size(); ++f) {
    factor_line(out, w1.factors[f].name, w1.factors[f].formula, w1.factors[f].value);
  }
  factor_line(out, "dE/dw1", "product", w1.product);
  out << "  (back-propagation: " << fixed(w1.backprop) << ")\n\n";
}

// Two tensors of the example side by side (w1..w4 beside w5..w8), one of their vectors each.
void print_pairs(std::ostream& out, const Explanation<double>& e, const std::string& prefix,
                 std::vector<double> TensorNumbers<double>::*field) {
  const TensorNumbers<double>& hidden = e.tensor("0.weight");
  const TensorNumbers<double>& output = e.tensor("2.weight");
  for (std::size_t i = 0; i < hidden.value.size(); ++i) {
    out << "  " << prefix << hidden.element_names[i] << " = " << fixed((hidden.*field)[i]) << "   " << prefix
        << output.element_names[i] << " = " << fixed((output.*field)[i]) << "\n";
  }
}

}  // namespace

template <class T>
void set_worked_example_weights(ParameterStore<T>& p) {
  copy<T>(Tensor<T>(Shape{2, 2}, {T(0.15), T(0.20), T(0.25), T(0.30)}), p.value("0.weight"));
  copy<T>(Tensor<T>(Shape{2}, {T(0.35), T(0.35)}), p.value("0.bias"));
  copy<T>(Tensor<T>(Shape{2, 2}, {T(0.40), T(0.45), T(0.50), T(0.55)}), p.value("2.weight"));
  copy<T>(Tensor<T>(Shape{2}, {T(0.60), T(0.60)}), p.value("2.bias"));
  p.set_frozen("0.bias");  // the example keeps b1 = 0.35 and b2 = 0.60 fixed
  p.set_frozen("2.bias");
}

template void set_worked_example_weights(ParameterStore<double>&);
template void set_worked_example_weights(ParameterStore<float>&);

int run_mazur(const MazurOptions& options, std::ostream& out) {
  Sequential<double> net = build_network();
  net.set_backend(make_cpu_backend<double>({.arithmetic = options.arithmetic}));
  ParameterStore<double>& p = net.parameters();
  const Tensor<double> input(Shape{1, 2}, {0.05, 0.10});
  const Tensor<double> target(Shape{1, 2}, {0.01, 0.99});
  const Mse<double> loss;  // mean over two outputs = 1/2 sum (t - o)^2, the example's E
  Sgd<double> sgd({.learning_rate = kLearningRate});
  Trainer<double> trainer(net, loss, sgd);
  Trace trace(options.trace);
  // The network and weights as given, before any step: for `bpnn explain` to take apart again.
  // Two sigmoid outputs fitted to 0.01 and 0.99 with squared error: a regression of two values.
  if (!options.save.empty()) {
    DataRecipe meaning;
    meaning.task = Task::regression;
    meaning.loss = "mse";
    save_model(options.save, net, {{"bpnn.data", recipe_to_json(meaning)}});
  }

  out << "bpnn demo mazur: the 2-2-2 worked example (seed " << options.seed << ", unused: the weights are given)\n"
      << "inputs i1 = 0.05, i2 = 0.10; targets 0.01, 0.99; sigmoid everywhere; E = 1/2 sum (target - out)^2;\n"
      << "learning rate 0.5; biases b1 = 0.35, b2 = 0.60 fixed\n\n";

  // --- the numbers of the first iteration, every factor shown (bpnn/train/explain.hpp) ---
  Explanation<double> e = explain<double>(net, loss, input, target);
  print_forward(out, e);
  print_chain_rules(out, e);
  out << "all eight gradients, by back-propagation\n";
  print_pairs(out, e, "dE/d", &TensorNumbers<double>::grad);
  trace.begin("gradients").field("E", e.loss).field("out", e.layers.back().output)
      .field("dE_dw1_4", e.tensor("0.weight").grad).field("dE_dw5_8", e.tensor("2.weight").grad).end();

  // --- the first update, in the chosen order, read back as it was applied ---
  const std::vector<double> before = values(p.values());
  Tensor<double> output_grad;
  if (options.tutorial_order) {
    tutorial_step(net, trainer, loss, input, target, output_grad);
  } else {
    trainer.step(input, target);
  }
  record_update<double>(e, TensorView<const double>(before.data(), p.values().shape()), p.values(),
                        options.tutorial_order ? "the tutorial's order" : "gradient descent");
  out << "\nweights after the first update (w -= 0.5 dE/dw"
      << (options.tutorial_order ? ", w1..w4 with gradients through the updated w5..w8" : "") << ")\n";
  print_pairs(out, e, "", &TensorNumbers<double>::new_value);
  trace.begin("weights").field("iteration", 1).field("w1_4", e.tensor("0.weight").new_value)
      .field("w5_8", e.tensor("2.weight").new_value).end();

  // --- the error as training goes on ---
  out << "\n" << (options.tutorial_order ? "tutorial order" : "exact gradient descent")
      << ": error and outputs after each number of iterations\n";
  int done = 1;
  for (int checkpoint : {1, 10, 100, 1000, 10000}) {
    for (; done < checkpoint; ++done) {
      if (options.tutorial_order) {
        tutorial_step(net, trainer, loss, input, target, output_grad);
      } else {
        trainer.step(input, target);
      }
    }
    const TensorView<const double> o = net.forward(input);
    const double error = loss.forward(o, target);
    out << "  " << checkpoint
        << (checkpoint < 10 ? "     " : checkpoint < 100 ? "    " : checkpoint < 1000 ? "   "
            : checkpoint < 10000 ? "  " : " ")
        << "E = " << fixed(error) << "   out_o1 = " << fixed(o[0]) << "   out_o2 = " << fixed(o[1]) << "\n";
    trace.begin("error").field("iteration", checkpoint).field("E", error).field("out", values(o)).end();
  }
  out << "\nThe tutorial prints 0.291027924 after the first iteration, not the exact 0.291027774, because it "
         "back-propagates the hidden error through output weights it has already updated; "
      << (options.tutorial_order ? "this run does the same (--tutorial-order)."
                                 : "--tutorial-order reproduces its figures.")
      << "\n";
  trace.save();
  return 0;
}

}  // namespace bpnn::examples
