// `bpnn explain`: the numbers of one step of a model on one sample, as the library gives them
// (bpnn/train/explain.hpp), the chain rule of chosen weights, and a gradient check, printed.
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "bpnn/bpnn.hpp"
#include "bpnn/io/model_file.hpp"
#include "checks.hpp"
#include "data_flags.hpp"
#include "exit_status.hpp"
#include "use.hpp"

namespace bpnn::cli {
namespace {

struct ExplainFlags {
  std::string model, input, target, loss;
  double learning_rate = 0.1;
  std::vector<std::string> weights;
  bool check_gradients = false;
};

// The gradient check looks at this many elements of each tensor at most, evenly spread: two
// forwards each, so a large model is checked in seconds.
constexpr std::size_t kCheckedElements = 512;

std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.9f", v);
  return text;
}

// "0.05,0.1" -> {0.05, 0.1}; throws UsageError naming the flag for anything else.
std::vector<double> parse_numbers(const std::string& text, const std::string& flag) {
  std::vector<double> values;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find(',', start), text.size());
    const std::string field = text.substr(start, end - start);
    std::size_t used = 0;
    double v = 0;
    try {
      v = std::stod(field, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (field.empty() || used != field.size() || !std::isfinite(v)) {
      throw UsageError(flag + ": '" + field + "' is not a number; give numbers separated by commas, as 0.05,0.1");
    }
    values.push_back(v);
    start = end + 1;
  }
  return values;
}

// The sample as the model takes it, [1, input...], scaled as the model's training data was.
Tensor<double> sample_of(const std::vector<double>& values, const Sequential<double>& model, const DataRecipe& recipe) {
  const Shape shape = model.input_shape().with_batch(1);
  if (values.size() != shape.numel()) {
    throw Error("--input: the model takes " + std::to_string(shape.numel()) + " numbers, got " +
                std::to_string(values.size()));
  }
  Tensor<double> x(shape, values);
  if (recipe.scaling.kind == InputScaling::Kind::none) return x;
  Tensor<float> scaled(Shape{1, shape.numel()});
  for (std::size_t i = 0; i < x.size(); ++i) scaled[i] = static_cast<float>(x[i]);
  apply_scaling(recipe.scaling, scaled, "--input");
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = scaled[i];
  return x;
}

// The target as the loss takes it: one value per output, or for cross-entropy a class index.
Tensor<double> target_of(const std::vector<double>& values, const Sequential<double>& model, const std::string& loss) {
  const std::size_t outputs = model.output_shape().numel();
  if (loss == "cross_entropy" && values.size() == 1 && outputs > 1) return Tensor<double>(Shape{1}, values);
  if (values.size() != outputs) {
    const std::string or_class = loss == "cross_entropy" ? " (or give one class index)" : "";
    throw Error("--target: the model has " + std::to_string(outputs) + " outputs, got " +
                std::to_string(values.size()) + " numbers" + or_class);
  }
  return Tensor<double>(model.output_shape().with_batch(1), values);
}

// Up to 8 values of a list, then how many there are.
std::string some(const std::vector<double>& values) {
  std::string text;
  for (std::size_t i = 0; i < values.size() && i < 8; ++i) text += (i ? " " : "") + number(values[i]);
  if (values.size() > 8) text += " ... (" + std::to_string(values.size()) + ")";
  return text;
}

void print_neurons(const Explanation<double>& e) {
  std::printf("\nforward (net = the weighted sum into a neuron, out = after its activation)\n");
  for (std::size_t i = 0; i < e.input_names.size(); ++i) {
    std::printf("  %-6s %16s  out %12s\n", e.input_names[i].c_str(), "", number(e.input[i]).c_str());
  }
  for (const NeuronLayer<double>& n : e.neuron_layers) {
    const bool output = &n == &e.neuron_layers.back();
    for (std::size_t j = 0; j < n.units(); ++j) {
      const char* name = n.neurons[j].c_str();
      std::printf("  %-6s net %12s  out %12s", name, number(n.net[j]).c_str(), number(n.out[j]).c_str());
      if (output && e.target.size() == n.units()) std::printf("  target %s", number(e.target[j]).c_str());
      if (output && !e.loss_terms.empty()) {
        std::printf("  E_%s %s", n.neurons[j].c_str(), number(e.loss_terms[j]).c_str());
      }
      std::printf("\n");
    }
  }
  std::printf("E = %s (%s)\n\nbackward (delta = dE/dnet)\n", number(e.loss).c_str(), e.loss_name.c_str());
  for (auto n = e.neuron_layers.rbegin(); n != e.neuron_layers.rend(); ++n) {
    for (std::size_t j = 0; j < n->units(); ++j) {
      std::printf("  %-6s dE/dout %12s", n->neurons[j].c_str(), number(n->out_grad[j]).c_str());
      if (n->elementwise) std::printf("  dout/dnet %12s", number(n->derivative[j]).c_str());
      std::printf("  delta %12s\n", number(n->delta[j]).c_str());
    }
  }
}

void print_weights(const Explanation<double>& e) {
  std::printf("\nweights and biases: value, dE/dw, update (%s), new value\n", e.update_rule.c_str());
  for (const NeuronLayer<double>& n : e.neuron_layers) {
    const TensorNumbers<double>& w = e.parameters[n.weight];
    for (std::size_t k = 0; k < w.value.size(); ++k) {
      const std::string path = n.inputs[k % n.inputs.size()] + " -> " + n.neurons[k / n.inputs.size()];
      std::printf("  %-7s %-14s %12s %12s %12s %12s\n", w.element_names[k].c_str(), path.c_str(),
                  number(w.value[k]).c_str(), number(w.grad[k]).c_str(), number(w.update[k]).c_str(),
                  number(w.new_value[k]).c_str());
    }
    if (!n.bias) continue;
    const TensorNumbers<double>& b = e.parameters[*n.bias];
    for (std::size_t k = 0; k < b.value.size(); ++k) {
      std::printf("  %-22s %12s %12s %12s %12s\n", b.element_names[k].c_str(), number(b.value[k]).c_str(),
                  number(b.grad[k]).c_str(), number(b.update[k]).c_str(), number(b.new_value[k]).c_str());
    }
  }
}

void print_chain_rule(const ChainRule<double>& c) {
  std::printf("\nchain rule for %s (%s%s): %s\n", c.name.c_str(), c.bias ? "bias of " : (c.from + " -> ").c_str(),
              c.to.c_str(), c.equation.c_str());
  for (const Factor<double>& f : c.factors) {
    std::printf("  %s = %s = %s\n", f.name.c_str(), f.formula.c_str(), number(f.value).c_str());
    for (const PathTerm<double>& t : f.terms) {
      std::printf("      through %s: delta_%s %s * %s %s = %s\n", t.neuron.c_str(), t.neuron.c_str(),
                  number(t.delta).c_str(), t.weight.c_str(), number(t.weight_value).c_str(), number(t.product).c_str());
    }
  }
  std::printf("  product %s; back-propagation %s\n", number(c.product).c_str(), number(c.backprop).c_str());
}

// A model whose neurons have no names (convolutions, ...): every layer's output and gradient, and
// every tensor's gradient and update, a few values of each.
void print_layers(const Explanation<double>& e) {
  std::printf("\n(%s)\n\nlayers\n", e.unnamed.c_str());
  for (const LayerNumbers<double>& l : e.layers) {
    std::printf("  %zu %s %s\n    output     %s\n    dE/doutput %s\n", l.index, l.kind.c_str(), l.shape.str().c_str(),
                some(l.output).c_str(), some(l.output_grad).c_str());
  }
  std::printf("E = %s (%s)\n\ntensors (update: %s)\n", number(e.loss).c_str(), e.loss_name.c_str(),
              e.update_rule.c_str());
  for (const TensorNumbers<double>& t : e.parameters) {
    if (t.buffer) continue;
    std::printf("  %s %s\n    dE/dvalue  %s\n    update     %s\n", t.name.c_str(), t.shape.str().c_str(),
                some(t.grad).c_str(), some(t.update).c_str());
  }
}

void print_check(const GradientCheckReport& r, double step) {
  std::printf("\ngradient check: central differences (E(v + h) - E(v - h)) / 2h, h %g, in double, at most %zu "
              "elements a tensor\n  %-12s %8s %8s %14s  %s\n",
              step, kCheckedElements, "tensor", "checked", "skipped", "max rel error", "worst element");
  for (const TensorGradientCheck& t : r.tensors) {
    std::printf("  %-12s %8zu %8zu %14.3g  [%zu] back-propagation %.9g, finite difference %.9g\n", t.name.c_str(),
                t.checked, t.skipped, t.max_relative_error, t.worst, t.worst_backprop, t.worst_numeric);
  }
  if (!r.ok) throw Error("gradient check failed:\n" + r.report);
  std::printf("passed: %zu elements agree to a relative error of 1e-6 (kinks skipped: %zu)\n", r.checked, r.skipped);
}

void run_explain(const ExplainFlags& f) {
  const std::vector<double> input = parse_numbers(f.input, "--input"), target = parse_numbers(f.target, "--target");
  LoadedModel<double> loaded = load_model<double>(f.model);
  Sequential<double>& model = loaded.model;
  const DataRecipe& recipe = loaded.recipe;
  const std::string loss_name = f.loss.empty() ? recipe.loss : f.loss;
  // A training step: cross_entropy after a softmax would apply softmax twice (an imported model's
  // inferred loss can be that: it reads its probabilities, but cannot train through them).
  check_loss(loss_name, recipe.task, output_layer_kind(model));
  const std::unique_ptr<Loss<double>> loss = make_loss<double>(loss_name);
  const Tensor<double> x = sample_of(input, model, recipe);
  const Tensor<double> y = target_of(target, model, loss_name);
  Sgd<double> sgd({.learning_rate = f.learning_rate});
  const Explanation<double> e = explain<double>(model, *loss, x, y, {.optimizer = &sgd});
  std::vector<ChainRule<double>> rules;  // first, so that a name it does not know stops all output
  for (const std::string& name : f.weights) rules.push_back(chain_rule(e, name));
  std::printf("model: %s\nnetwork: %s\n", f.model.c_str(), loaded.network.json.c_str());
  if (e.neuron_layers.empty()) {
    print_layers(e);
  } else {
    print_neurons(e);
    print_weights(e);
    for (const ChainRule<double>& c : rules) print_chain_rule(c);
  }
  if (!f.check_gradients) return;
  const GradientCheckOptions options{.max_elements = kCheckedElements};
  print_check(check_gradients(model, *loss, x, y, options), options.step);
}

}  // namespace

void add_explain_command(CLI::App& app) {
  auto f = std::make_shared<ExplainFlags>();
  CLI::App* cmd = app.add_subcommand(
      "explain", "The numbers of one training step on one sample: forward values, loss, deltas, gradients, update");
  cmd->footer(
      "Example:\n  bpnn demo mazur --save mazur.safetensors\n"
      "  bpnn explain --model mazur.safetensors --input 0.05,0.1 --target 0.01,0.99 --lr 0.5 --weight w5 --weight w1");
  cmd->add_option("--model", f->model, "Model file (safetensors)")->required();
  cmd->add_option("--input", f->input, "One sample's inputs, separated by commas (scaled as the model's training data)")
      ->required();
  cmd->add_option("--target", f->target, "Its target: one number per output, or a class index for cross_entropy")
      ->required();
  cmd->add_option("--loss", f->loss, "Loss (default: the one the model was trained with)")
      ->check(CLI::IsMember({"mse", "mae", "bce", "cross_entropy"}));
  cmd->add_option("--lr", f->learning_rate, "Learning rate of the update shown (w_new = w - lr * dE/dw)")
      ->check(positive_number())
      ->capture_default_str();
  cmd->add_option("--weight", f->weights, "Also the chain rule of this weight or bias (w5, b(h1)); repeatable");
  cmd->add_flag("--check-gradients", f->check_gradients,
                "Also compare every gradient with central finite differences (exit status 1 if one disagrees)");
  cmd->callback([f] { run_explain(*f); });
}

}  // namespace bpnn::cli
