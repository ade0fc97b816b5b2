// The gradient checker: each element of a tensor is nudged by +-h, the objective evaluated twice,
// and the central difference compared with what back-propagation wrote for it.
#include "bpnn/train/gradient_check.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include "bpnn/core/rng.hpp"
#include "bpnn/io/network.hpp"

namespace bpnn {
namespace {

// The objective at the current values, and where the elements of one tensor live.
using Objective = std::function<double()>;

struct Checked {
  std::string name;
  TensorView<double> value;        // nudged and restored in place
  TensorView<const double> grad;   // back-propagation's dE/dvalue (less any pre-fill)
  double prefill = 0.0;
};

class Comparison {
 public:
  Comparison(const GradientCheckOptions& options, double objective) : options_(options) {
    report_.objective = objective;
  }

  // Compares every element (or max_elements of them, evenly spread) of one tensor.
  void tensor(const Checked& t, const Objective& objective) {
    TensorGradientCheck check{.name = t.name, .size = t.value.size()};
    const std::size_t n = t.value.size();
    const std::size_t stride = options_.max_elements == 0 || n <= options_.max_elements
                                   ? 1
                                   : (n + options_.max_elements - 1) / options_.max_elements;
    for (std::size_t i = 0; i < n; i += stride) element(check, i, t.grad[i] - t.prefill, t.value[i], objective);
    if (check.checked > 0 && (report_.worst.empty() || !(check.max_relative_error <= report_.max_relative_error))) {
      report_.max_relative_error = check.max_relative_error;
      report_.worst = check.name + "[" + std::to_string(check.worst) + "]";
    }
    report_.max_absolute_error = std::max(report_.max_absolute_error, check.max_absolute_error);
    report_.checked += check.checked;
    report_.skipped += check.skipped;
    report_.ok = report_.ok && check.passed;
    report_.tensors.push_back(std::move(check));
  }

  // A check that compared nothing proves nothing, so it fails (an empty input, every parameter
  // frozen): a test cannot pass by accident of its shapes.
  GradientCheckReport result() const {
    GradientCheckReport report = report_;
    if (report.checked == 0) {
      report.ok = false;
      report.report += "compared nothing: no input, prediction or trainable parameter entries to check\n";
    }
    return report;
  }

 private:
  void element(TensorGradientCheck& check, std::size_t i, double analytic, double& value, const Objective& objective) {
    const double h = options_.step, saved = value;
    value = saved + h;
    const double plus = objective();
    value = saved - h;
    const double minus = objective();
    value = saved;
    const double numeric = (plus - minus) / (2 * h);
    const double difference = std::abs(analytic - numeric);
    const double tolerance =
        options_.absolute_tolerance + options_.relative_tolerance * std::max(std::abs(analytic), std::abs(numeric));
    const double error = difference / tolerance;
    if (!(error <= 1.0) && options_.skip_kinks && at_kink(plus, minus, value, objective)) {
      ++check.skipped;
      return;
    }
    ++check.checked;
    const double floor = options_.absolute_tolerance / options_.relative_tolerance;
    const double relative = difference / (std::max(std::abs(analytic), std::abs(numeric)) + floor);
    if (!(relative <= check.max_relative_error) || check.checked == 1) {
      check.max_relative_error = std::isnan(relative) ? std::numeric_limits<double>::infinity() : relative;
      check.worst = i;
      check.worst_backprop = analytic;
      check.worst_numeric = numeric;
    }
    check.max_absolute_error = std::max(check.max_absolute_error, difference);
    report_.worst_error = std::max(report_.worst_error, std::isnan(error) ? 1e300 : error);
    if (error <= 1.0) return;
    check.passed = false;
    if (failures_++ < 20) {
      report_.report += check.name + "[" + std::to_string(i) + "]: backward " + std::to_string(analytic) +
                        ", finite difference " + std::to_string(numeric) + "\n";
    }
  }

  // Whether E has a kink at the element (relu at exactly 0, mae at its target), where its gradient
  // is not defined: its one-sided differences disagree well above rounding, and keep disagreeing
  // at h / 2, where a smooth E's disagreement (h E'') halves.
  bool at_kink(double plus, double minus, double& value, const Objective& objective) const {
    const double h = options_.step, e = report_.objective, saved = value;
    const double bend = std::abs((plus - e) / h - (e - minus) / h);
    const double noise = 16 * std::numeric_limits<double>::epsilon() * (std::abs(e) + 1) / h;
    if (!(bend > 100 * noise)) return false;
    value = saved + h / 2;
    const double half_plus = objective();
    value = saved - h / 2;
    const double half_minus = objective();
    value = saved;
    const double half_bend = std::abs((half_plus - e) / (h / 2) - (e - half_minus) / (h / 2));
    return half_bend > 0.75 * bend;
  }

  GradientCheckOptions options_;
  GradientCheckReport report_;
  int failures_ = 0;
};

// The model's values and gradients as they were, put back when the check ends (nudges restore each
// element, but a train-mode forward moves batch norm's running statistics).
class KeepParameters {
 public:
  explicit KeepParameters(ParameterStore<double>& p)
      : p_(p), values_(p.values().shape()), grads_(p.grads().shape()) {
    copy<double>(p.values(), values_.view());
    copy<double>(p.grads(), grads_.view());
  }
  ~KeepParameters() {
    copy<double>(values_.view(), p_.values());
    copy<double>(grads_.view(), p_.grads());
  }
  KeepParameters(const KeepParameters&) = delete;
  KeepParameters& operator=(const KeepParameters&) = delete;

 private:
  ParameterStore<double>& p_;
  Tensor<double> values_;
  Tensor<double> grads_;
};

// E of the model's output and dE/doutput: a loss against a target, or the projection sum(R * y).
struct Head {
  std::function<double(TensorView<const double>)> value;
  std::function<void(TensorView<const double>, TensorView<double>)> gradient;
};

GradientCheckReport check_through(Sequential<double>& model, Tensor<double> input, const Head& head,
                                  const GradientCheckOptions& options) {
  ParameterStore<double>& params = model.parameters();
  const KeepParameters keep(params);
  Rng rng(0);
  auto forward = [&] {
    rng = Rng(options.train_seed.value_or(0));
    return options.train_seed ? model.forward_train(input.view(), rng) : model.forward(input.view());
  };
  const Objective objective = [&] { return head.value(forward()); };

  // Back-propagation: parameter gradients pre-filled with 0.5 must come back as 0.5 + dE/dp
  // (accumulated); the input gradient poisoned with NaN must come back written (overwritten).
  constexpr double prefill = 0.5;
  for (double& g : params.grads().span()) g = prefill;
  Tensor<double> input_grad(input.shape());
  input_grad.fill(std::numeric_limits<double>::quiet_NaN());
  const TensorView<const double> y = forward();
  const double e = head.value(y);
  Tensor<double> output_grad(y.shape());
  head.gradient(y, output_grad.view());
  model.backward(output_grad.view(), input_grad.view());

  Comparison comparison(options, e);
  if (options.check_input) comparison.tensor({"input", input.view(), input_grad.view()}, objective);
  for (std::size_t k = 0; k < params.count(); ++k) {
    if (!params.entry(k).trained()) continue;
    comparison.tensor({params.entry(k).name, params.value(k), params.grad(k), prefill}, objective);
  }
  return comparison.result();
}

// A tensor of uniform values in [-1, 1) drawn from seed: the projection R.
Tensor<double> projection(const Shape& shape, std::uint64_t seed) {
  Rng rng(seed);
  Tensor<double> r(shape);
  for (std::size_t i = 0; i < r.size(); ++i) r[i] = rng.uniform(-1.0, 1.0);
  return r;
}

template <class T>
Tensor<double> in_double(TensorView<const T> v) {
  Tensor<double> t(v.shape());
  for (std::size_t i = 0; i < v.size(); ++i) t[i] = static_cast<double>(v[i]);
  return t;
}

// A double copy of a float model: the same network, values and frozen flags.
Sequential<double> in_double(const Sequential<float>& model) {
  Sequential<double> copy = build_model<double>(describe(model));
  const ParameterStore<float>& from = model.parameters();
  ParameterStore<double>& to = copy.parameters();
  for (std::size_t k = 0; k < from.count(); ++k) {
    const TensorView<const float> v = from.value(k);
    const TensorView<double> w = to.value(k);
    for (std::size_t i = 0; i < v.size(); ++i) w[i] = static_cast<double>(v[i]);
    to.set_frozen(from.entry(k).name, from.entry(k).frozen);
  }
  return copy;
}

}  // namespace

GradientCheckReport check_gradients(Sequential<double>& model, const Loss<double>& loss, TensorView<const double> input,
                                    TensorView<const double> target, const GradientCheckOptions& options) {
  const Backend<double>& backend = model.backend();
  const Head head{[&](TensorView<const double> y) { return loss.forward(backend, y, target); },
                  [&](TensorView<const double> y, TensorView<double> dy) { loss.backward(backend, y, target, dy); }};
  return check_through(model, in_double(input), head, options);
}

GradientCheckReport check_gradients(const Sequential<float>& model, const Loss<double>& loss,
                                    TensorView<const float> input, TensorView<const float> target,
                                    const GradientCheckOptions& options) {
  Sequential<double> copy = in_double(model);
  const Tensor<double> t = in_double(target);
  return check_gradients(copy, loss, in_double(input).view(), t.view(), options);
}

GradientCheckReport check_model_gradients(Sequential<double>& model, Tensor<double> input,
                                          const GradientCheckOptions& options) {
  const Tensor<double> r = projection(model.output_shape().with_batch(input.shape()[0]), options.seed);
  const Head head{[&](TensorView<const double> y) {
                    double e = 0;
                    for (std::size_t i = 0; i < y.size(); ++i) e += r[i] * y[i];
                    return e;
                  },
                  [&](TensorView<const double>, TensorView<double> dy) { copy<double>(r.view(), dy); }};
  return check_through(model, std::move(input), head, options);
}

GradientCheckReport check_layer_gradients(std::unique_ptr<Layer<double>> layer, Tensor<double> input,
                                          const GradientCheckOptions& options) {
  Sequential<double> model(input.shape().without_batch());
  model.add(std::move(layer));
  Rng rng(options.seed + 1);
  model.initialize(rng);
  return check_model_gradients(model, std::move(input), options);
}

GradientCheckReport check_loss_gradients(const Loss<double>& loss, Tensor<double> prediction,
                                         const Tensor<double>& target, const GradientCheckOptions& options) {
  Tensor<double> grad(prediction.shape());
  grad.fill(std::numeric_limits<double>::quiet_NaN());
  loss.backward(prediction.view(), target.view(), grad.view());
  const Objective objective = [&] { return loss.forward(prediction.view(), target.view()); };
  Comparison comparison(options, objective());
  comparison.tensor({"prediction", prediction.view(), grad.view()}, objective);
  return comparison.result();
}

}  // namespace bpnn
