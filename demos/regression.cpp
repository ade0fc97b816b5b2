#include "regression.hpp"

#include <cmath>

#include "bpnn/bpnn.hpp"
#include "demo_support.hpp"

namespace bpnn::examples {

int run_regression(const RegressionOptions& options, std::ostream& out) {
  constexpr std::size_t kSamples = 1000, kTrain = 800;
  Rng rng(options.seed);
  Tensor<double> x(Shape{kSamples, 3}), y(Shape{kSamples, 1});
  for (std::size_t n = 0; n < kSamples; ++n) {
    for (std::size_t k = 0; k < 3; ++k) x(n, k) = rng.uniform(-1, 1);
    y[n] = x(n, 0) * x(n, 0) + std::sin(2 * x(n, 1)) + 0.5 * x(n, 0) * x(n, 2);
  }
  const TensorView<const double> x_train = x.view().samples(0, kTrain), y_train = y.view().samples(0, kTrain);
  const TensorView<const double> x_test = x.view().samples(kTrain, kSamples - kTrain);
  const TensorView<const double> y_test = y.view().samples(kTrain, kSamples - kTrain);

  const Initializer standard_normal = Initializer::normal(0, 1);
  Sequential<double> net(Shape{3});
  const std::pair<std::size_t, const char*> layers[] = {{30, "sigmoid"}, {10, "sigmoid"}, {3, "relu"}, {1, "identity"}};
  for (const auto& [units, activation] : layers) {
    net.add(Dense<double>({.units = units, .weight_init = standard_normal, .bias_init = standard_normal}));
    net.add(Activation<double>(activation));
  }
  net.set_backend(make_cpu_backend<double>({.arithmetic = options.arithmetic}));
  net.initialize(rng);
  const Mse<double> loss;
  Sgd<double> sgd({.learning_rate = options.learning_rate});
  Trainer<double> trainer(net, loss, sgd);
  Trace trace(options.trace);

  out << "bpnn demo regression: 3-30-10-3-1 (sigmoid, sigmoid, relu, identity), MSE, full-batch gradient descent\n"
      << "  y = x1^2 + sin(2 x2) + 0.5 x1 x3, x uniform in [-1, 1)^3; " << kTrain << " training and "
      << kSamples - kTrain << " held-out samples\n  seed " << options.seed << ", learning rate "
      << options.learning_rate << ", weights and biases from normal(0, 1), " << options.epochs
      << " epochs\n\n  epoch   train MSE\n";
  for (int epoch = 1; epoch <= options.epochs; ++epoch) {
    const double train_mse = trainer.step(x_train, y_train);
    if (epoch == 1 || epoch % options.every == 0) {
      out << "  " << epoch << std::string(epoch < 10 ? 7 : epoch < 100 ? 6 : epoch < 1000 ? 5 : 4, ' ')
          << fixed(train_mse, 6) << "\n";
      trace.begin("epoch").field("epoch", epoch).field("train_mse", train_mse).end();
    }
  }
  const double train_mse = loss.forward(net.forward(x_train), y_train);
  const double test_mse = loss.forward(net.forward(x_test), y_test);
  double mean = 0;
  for (std::size_t n = 0; n < kTrain; ++n) mean += y_train[n];
  mean /= kTrain;
  double baseline = 0;
  for (std::size_t n = 0; n < y_test.size(); ++n) baseline += (y_test[n] - mean) * (y_test[n] - mean);
  baseline /= static_cast<double>(y_test.size());
  out << "\nfinal train MSE:                     " << fixed(train_mse, 6)
      << "\nfinal test MSE:                      " << fixed(test_mse, 6)
      << "\ntest MSE of always predicting the mean: " << fixed(baseline, 6) << "\n";
  trace.begin("final").field("train_mse", train_mse).field("test_mse", test_mse).field("baseline_mse", baseline).end();
  trace.save();
  return 0;
}

}  // namespace bpnn::examples
