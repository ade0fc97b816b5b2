#include "support/gradcheck.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <sstream>

namespace bpnn::testing {
namespace {

class Comparison {
 public:
  explicit Comparison(const GradCheckOptions& options) : options_(options) {}

  void compare(const std::string& what, double analytic, double numeric) {
    ++result_.checked;
    const double scale = options_.absolute_tolerance +
                         options_.relative_tolerance * std::max(std::abs(analytic), std::abs(numeric));
    const double error = std::abs(analytic - numeric) / scale;
    result_.worst_error = std::max(result_.worst_error, std::isnan(error) ? 1e300 : error);
    if (!(error <= 1.0)) fail(what + ": backward " + std::to_string(analytic) + ", finite difference " +
                              std::to_string(numeric));
  }

  void fail(const std::string& line) {
    if (failures_ < 20) result_.report += line + "\n";
    result_.ok = false;
    ++failures_;
  }

  // A check that compared nothing proves nothing, so it fails (an empty input, every parameter
  // frozen): a test cannot pass by accident of its shapes.
  GradCheckResult result() const {
    GradCheckResult result = result_;
    if (result.checked == 0) {
      result.ok = false;
      result.report += "compared nothing: no input, prediction or trainable parameter entries to check\n";
    }
    return result;
  }

 private:
  GradCheckOptions options_;
  GradCheckResult result_;
  int failures_ = 0;
};

// Central difference of objective with respect to value, which is nudged and restored.
double central_difference(double& value, double h, const std::function<double()>& objective) {
  const double saved = value;
  value = saved + h;
  const double plus = objective();
  value = saved - h;
  const double minus = objective();
  value = saved;
  return (plus - minus) / (2 * h);
}

}  // namespace

Tensor<double> random_tensor(const Shape& shape, std::uint64_t seed, double low, double high,
                             double min_magnitude) {
  Rng rng(seed);
  Tensor<double> t(shape);
  for (std::size_t i = 0; i < t.size(); ++i) {
    double v = rng.uniform(low, high);
    while (std::abs(v) < min_magnitude) v = rng.uniform(low, high);
    t[i] = v;
  }
  return t;
}

GradCheckResult check_model_gradients(Sequential<double>& model, Tensor<double> input,
                                      const GradCheckOptions& options) {
  const Tensor<double> projection =
      random_tensor(model.output_shape().with_batch(input.shape()[0]), options.seed);
  auto objective = [&] {
    Rng rng(options.train_seed.value_or(0));
    TensorView<const double> y = options.train_seed ? model.forward_train(input.view(), rng) : model.forward(input.view());
    double e = 0;
    for (std::size_t i = 0; i < y.size(); ++i) e += projection[i] * y[i];
    return e;
  };

  // Analytic: parameter gradients pre-filled with 0.5 must come back as 0.5 + dE/dp (accumulate);
  // the input gradient poisoned with NaN must come back finite (overwrite).
  ParameterStore<double>& params = model.parameters();
  constexpr double prefill = 0.5;
  for (double& g : params.grads().span()) g = prefill;
  Tensor<double> input_grad(input.shape());
  input_grad.fill(std::numeric_limits<double>::quiet_NaN());
  objective();
  model.backward(projection.view(), input_grad.view());

  Comparison comparison(options);
  for (std::size_t i = 0; i < input.size(); ++i) {
    const double numeric = central_difference(input[i], options.step, objective);
    comparison.compare("input[" + std::to_string(i) + "]", input_grad[i], numeric);
  }
  for (std::size_t k = 0; k < params.count(); ++k) {
    if (!params.entry(k).trained()) continue;
    TensorView<double> value = params.value(k);
    TensorView<const double> grad = params.grad(k);
    for (std::size_t i = 0; i < value.size(); ++i) {
      const double numeric = central_difference(value[i], options.step, objective);
      comparison.compare(params.entry(k).name + "[" + std::to_string(i) + "]", grad[i] - prefill, numeric);
    }
  }
  return comparison.result();
}

GradCheckResult check_layer_gradients(std::unique_ptr<Layer<double>> layer, Tensor<double> input,
                                      const GradCheckOptions& options) {
  Sequential<double> model(input.shape().without_batch());
  model.add(std::move(layer));
  Rng rng(options.seed + 1);
  model.initialize(rng);
  return check_model_gradients(model, std::move(input), options);
}

GradCheckResult check_loss_gradients(const Loss<double>& loss, Tensor<double> prediction,
                                     const Tensor<double>& target, const GradCheckOptions& options) {
  Tensor<double> grad(prediction.shape());
  grad.fill(std::numeric_limits<double>::quiet_NaN());
  loss.backward(prediction.view(), target.view(), grad.view());
  auto objective = [&] { return loss.forward(prediction.view(), target.view()); };
  Comparison comparison(options);
  for (std::size_t i = 0; i < prediction.size(); ++i) {
    const double numeric = central_difference(prediction[i], options.step, objective);
    comparison.compare("prediction[" + std::to_string(i) + "]", grad[i], numeric);
  }
  return comparison.result();
}

}  // namespace bpnn::testing
