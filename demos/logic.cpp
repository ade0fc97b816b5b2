#include "logic.hpp"

#include <chrono>
#include <cmath>

#include "bpnn/bpnn.hpp"
#include "demo_support.hpp"

namespace bpnn::examples {
namespace {

const Tensor<double> kCases(Shape{4, 2}, {0, 0, 0, 1, 1, 0, 1, 1});

Sequential<double> sigmoid_network(std::size_t hidden, const Initializer& init) {
  Sequential<double> net(Shape{2});
  net.add(Dense<double>({.units = hidden, .weight_init = init, .bias_init = init}));
  net.add(Activation<double>("sigmoid"));
  net.add(Dense<double>({.units = 1, .weight_init = init, .bias_init = init}));
  net.add(Activation<double>("sigmoid"));
  return net;
}

std::vector<double> values(TensorView<const double> v) { return {v.data(), v.data() + v.size()}; }

void print_truth_table(std::ostream& out, Sequential<double>& net, const Tensor<double>& targets) {
  const TensorView<const double> y = net.forward(kCases);
  out << "  x1 x2  target  output\n";
  for (std::size_t n = 0; n < 4; ++n) {
    out << "   " << kCases(n, 0) << "  " << kCases(n, 1) << "    " << targets[n] << "     " << fixed(y[n], 4) << "\n";
  }
}

}  // namespace

int run_xor(const XorOptions& options, std::ostream& out) {
  const Tensor<double> targets(Shape{4, 1}, {0, 1, 1, 0});
  Rng rng(options.seed);
  Sequential<double> net = sigmoid_network(5, Initializer::uniform(-1, 1));
  net.set_backend(make_cpu_backend<double>({.arithmetic = options.arithmetic}));
  net.initialize(rng);
  const Mse<double> loss;
  Sgd<double> sgd({.learning_rate = options.learning_rate});
  Trainer<double> trainer(net, loss, sgd);
  Trace trace(options.trace);
  out << "bpnn demo xor: 2-5-1 sigmoid network, MSE, online training (one random case per iteration)\n"
      << "  seed " << options.seed << ", learning rate " << options.learning_rate << ", " << options.iterations
      << " iterations, initial weights uniform in [-1, 1)\n\n  iteration  MSE over the four cases\n";
  for (int i = 1; i <= options.iterations; ++i) {
    const std::size_t n = rng.below(4);
    trainer.step(kCases.view().samples(n, 1), targets.view().samples(n, 1));
    if (i % 1000 == 0 || i == options.iterations) {
      const double mse = loss.forward(net.forward(kCases), targets);
      out << "  " << i << (i < 10000 ? "       " : "      ") << fixed(mse, 6) << "\n";
      trace.begin("loss").field("iteration", i).field("mse", mse).end();
    }
  }
  out << "\ntruth table after training\n";
  print_truth_table(out, net, targets);
  trace.begin("final").field("outputs", values(net.forward(kCases))).end();
  trace.save();
  return 0;
}

int run_xnor(const XnorOptions& options, std::ostream& out) {
  const auto start = std::chrono::steady_clock::now();
  const Tensor<double> targets(Shape{4, 1}, {1, 0, 0, 1});
  Rng rng(options.seed);
  const double learning_rate = rng.uniform(kXnorRateLow, kXnorRateHigh);
  Sequential<double> net = sigmoid_network(3, Initializer::uniform(-1, 1));
  net.set_backend(make_cpu_backend<double>({.arithmetic = options.arithmetic}));
  net.initialize(rng);
  const Mse<double> loss;
  Sgd<double> sgd({.learning_rate = learning_rate});
  Trainer<double> trainer(net, loss, sgd);
  Trace trace(options.trace);
  const ParameterStore<double>& p = net.parameters();
  out << "bpnn demo xnor: 2-3-1 sigmoid network learns XNOR, full-batch gradient descent on MSE\n"
      << "  seed " << options.seed << "; learning rate " << fixed(learning_rate, 6) << ", drawn uniformly from ["
      << kXnorRateLow << ", " << kXnorRateHigh << "); initial weights and biases drawn uniformly from [-1, 1)\n"
      << "  hidden weights W1 [3, 2] and biases b1 [3]; output weights W2 [1, 3] and bias b2 [1]\n"
      << "  stops when every output is within 0.05 of its target, or after " << options.max_iterations
      << " iterations\n\n";

  auto report = [&](int iteration, TensorView<const double> y) {
    out << "iteration " << iteration << "\n  W1 =";
    for (double v : p.value(0).span()) out << " " << fixed(v, 6);
    out << "\n  b1 =";
    for (double v : p.value(1).span()) out << " " << fixed(v, 6);
    out << "\n  W2 =";
    for (double v : p.value(2).span()) out << " " << fixed(v, 6);
    out << "\n  b2 = " << fixed(p.value(3)[0], 6) << "\n  outputs for (0,0) (0,1) (1,0) (1,1): " << fixed(y[0], 6)
        << " " << fixed(y[1], 6) << " " << fixed(y[2], 6) << " " << fixed(y[3], 6) << "\n";
    trace.begin("iteration").field("iteration", iteration).field("W1", values(p.value(0)))
        .field("b1", values(p.value(1))).field("W2", values(p.value(2))).field("b2", values(p.value(3)))
        .field("outputs", values(y)).end();
  };
  auto converged = [&](TensorView<const double> y) {
    for (std::size_t n = 0; n < 4; ++n) {
      if (std::abs(y[n] - targets[n]) > 0.05) return false;
    }
    return true;
  };

  int iteration = 0;
  TensorView<const double> y = net.forward(kCases);
  report(0, y);
  while (!converged(y) && iteration < options.max_iterations) {
    trainer.step(kCases, targets);
    ++iteration;
    y = net.forward(kCases);
    if (iteration % options.every == 0 || converged(y) || iteration == options.max_iterations) report(iteration, y);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double error = loss.forward(y, targets);
  if (converged(y)) {
    out << "\nconverged: every output within 0.05 of its target after " << iteration << " iterations\n";
  } else {
    out << "\ndid NOT converge in " << iteration << " iterations: the final MSE is " << fixed(error, 6)
        << " (try another --seed, or more --max-iterations)\n";
  }
  out << "total iterations: " << iteration << "\nrun time: " << fixed(seconds, 3) << " s\n";
  trace.begin("result").field("converged", converged(y) ? 1.0 : 0.0).field("iterations", iteration)
      .field("learning_rate", learning_rate).field("mse", error).field("seconds", seconds).end();
  trace.save();
  return 0;
}

}  // namespace bpnn::examples
