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
  ParameterStore<double>& p = net.parameters();
  const Tensor<double> input(Shape{1, 2}, {0.05, 0.10});
  const Tensor<double> target(Shape{1, 2}, {0.01, 0.99});
  const Mse<double> loss;  // mean over two outputs = 1/2 sum (t - o)^2, the example's E
  Sgd<double> sgd({.learning_rate = kLearningRate});
  Trainer<double> trainer(net, loss, sgd);
  Trace trace(options.trace);

  out << "bpnn demo mazur: the 2-2-2 worked example (seed " << options.seed << ", unused: the weights are given)\n"
      << "inputs i1 = 0.05, i2 = 0.10; targets 0.01, 0.99; sigmoid everywhere; E = 1/2 sum (target - out)^2;\n"
      << "learning rate 0.5; biases b1 = 0.35, b2 = 0.60 fixed\n\n";

  // --- forward pass and gradients of the first iteration, every factor shown ---
  const double E = trainer.compute_gradients(input, target);
  const TensorView<const double> net_h = net.activation(0), out_h = net.activation(1);
  const TensorView<const double> net_o = net.activation(2), out_o = net.activation(3);
  const double t1 = target[0], t2 = target[1], i1 = input[0];
  const TensorView<const double> w = p.value("2.weight");
  out << "forward pass\n";
  out << "  net_h1 = " << fixed(net_h[0]) << "   out_h1 = " << fixed(out_h[0]) << "\n";
  out << "  net_h2 = " << fixed(net_h[1]) << "   out_h2 = " << fixed(out_h[1]) << "\n";
  out << "  net_o1 = " << fixed(net_o[0]) << "   out_o1 = " << fixed(out_o[0]) << "\n";
  out << "  net_o2 = " << fixed(net_o[1]) << "   out_o2 = " << fixed(out_o[1]) << "\n";
  const double E_o1 = 0.5 * (t1 - out_o[0]) * (t1 - out_o[0]), E_o2 = 0.5 * (t2 - out_o[1]) * (t2 - out_o[1]);
  out << "  E_o1 = " << fixed(E_o1) << "   E_o2 = " << fixed(E_o2) << "   E_total = " << fixed(E) << "\n\n";

  // The chain rule by hand, from the activations, beside what back-propagation computed.
  const double dE_dout_o1 = out_o[0] - t1, dout_dnet_o1 = out_o[0] * (1 - out_o[0]);
  const double dE_dout_o2 = out_o[1] - t2, dout_dnet_o2 = out_o[1] * (1 - out_o[1]);
  out << "chain rule for w5 (h1 -> o1): dE/dw5 = dE/dout_o1 * dout_o1/dnet_o1 * dnet_o1/dw5\n"
      << "  dE/dout_o1      = out_o1 - target1       = " << fixed(dE_dout_o1, 8) << "\n"
      << "  dout_o1/dnet_o1 = out_o1 (1 - out_o1)    = " << fixed(dout_dnet_o1) << "\n"
      << "  dnet_o1/dw5     = out_h1                 = " << fixed(out_h[0]) << "\n"
      << "  dE/dw5          = product                = " << fixed(dE_dout_o1 * dout_dnet_o1 * out_h[0]) << "\n\n";
  const double delta_o1 = dE_dout_o1 * dout_dnet_o1, delta_o2 = dE_dout_o2 * dout_dnet_o2;
  const double dE_dout_h1 = delta_o1 * w[0] + delta_o2 * w[2];
  const double dout_dnet_h1 = out_h[0] * (1 - out_h[0]);
  out << "chain rule for w1 (i1 -> h1), through both outputs: dE/dw1 = dE/dout_h1 * dout_h1/dnet_h1 * dnet_h1/dw1\n"
      << "  dE_o1/dnet_o1   = " << fixed(delta_o1) << "   dE_o1/dout_h1 = dE_o1/dnet_o1 * w5 = " << fixed(delta_o1 * w[0]) << "\n"
      << "  dE_o2/dnet_o2   = " << fixed(delta_o2) << "   dE_o2/dout_h1 = dE_o2/dnet_o2 * w7 = " << fixed(delta_o2 * w[2]) << "\n"
      << "  dE/dout_h1      = sum of both            = " << fixed(dE_dout_h1) << "\n"
      << "  dout_h1/dnet_h1 = out_h1 (1 - out_h1)    = " << fixed(dout_dnet_h1) << "\n"
      << "  dnet_h1/dw1     = i1                     = " << fixed(i1, 2) << "\n"
      << "  dE/dw1          = product                = " << fixed(dE_dout_h1 * dout_dnet_h1 * i1) << "\n\n";

  const TensorView<const double> g_hidden = p.grad("0.weight"), g_out = p.grad("2.weight");
  out << "all eight gradients, by back-propagation\n";
  for (int i = 0; i < 4; ++i) out << "  dE/dw" << i + 1 << " = " << fixed(g_hidden[i]) << "   dE/dw" << i + 5 << " = " << fixed(g_out[i]) << "\n";
  trace.begin("gradients").field("E", E).field("out", values(out_o)).field("dE_dw1_4", values(g_hidden))
      .field("dE_dw5_8", values(g_out)).end();

  // --- the first update, in the chosen order ---
  Tensor<double> output_grad;
  if (options.tutorial_order) {
    tutorial_step(net, trainer, loss, input, target, output_grad);
  } else {
    sgd.step(p);
  }
  out << "\nweights after the first update (w -= 0.5 dE/dw"
      << (options.tutorial_order ? ", w1..w4 with gradients through the updated w5..w8" : "") << ")\n";
  const TensorView<const double> w_hidden = p.value("0.weight"), w_out = p.value("2.weight");
  for (int i = 0; i < 4; ++i) out << "  w" << i + 1 << " = " << fixed(w_hidden[i]) << "   w" << i + 5 << " = " << fixed(w_out[i]) << "\n";
  trace.begin("weights").field("iteration", 1).field("w1_4", values(w_hidden)).field("w5_8", values(w_out)).end();

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
    out << "  " << checkpoint << (checkpoint < 10 ? "     " : checkpoint < 100 ? "    " : checkpoint < 1000 ? "   " : checkpoint < 10000 ? "  " : " ")
        << "E = " << fixed(error) << "   out_o1 = " << fixed(o[0]) << "   out_o2 = " << fixed(o[1]) << "\n";
    trace.begin("error").field("iteration", checkpoint).field("E", error).field("out", values(o)).end();
  }
  out << "\nThe tutorial prints 0.291027924 after the first iteration, not the exact 0.291027774, because it "
         "back-propagates the hidden error through output weights it has already updated; "
      << (options.tutorial_order ? "this run does the same (--tutorial-order)." : "--tutorial-order reproduces its figures.")
      << "\n";
  trace.save();
  return 0;
}

}  // namespace bpnn::examples
