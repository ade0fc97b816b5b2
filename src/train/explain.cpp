// The numbers of one step: one forward and backward as the Trainer runs them, read back layer by
// layer and tensor by tensor, named as the tutorials name them where the network is dense layers.
#include "bpnn/train/explain.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "bpnn/core/error.hpp"

namespace bpnn {
namespace {

template <class T>
std::vector<T> values_of(TensorView<const T> v) {
  return {v.data(), v.data() + v.size()};
}

// The tutorials' names: layer 0 is the inputs (i1, i2), the last the outputs (o1, o2); with one
// hidden layer its neurons are h1, h2, with more h1.1, h2.1 (layer 2's first neuron).
std::string neuron_name(std::size_t layer, std::size_t layers, std::size_t j) {
  const std::string n = std::to_string(j + 1);
  if (layer == 0) return "i" + n;
  if (layer == layers) return "o" + n;
  return layers == 2 ? "h" + n : "h" + std::to_string(layer) + "." + n;
}

std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", v);
  return text;
}

// The store's values and gradients as they were, put back at the end of the scope (an optimizer
// step and a train-mode forward's running statistics are undone; nothing else is written).
template <class T>
class KeepStore {
 public:
  explicit KeepStore(ParameterStore<T>& p) : p_(p), values_(p.values().shape()), grads_(p.grads().shape()) {
    copy<T>(p.values(), values_.view());
    copy<T>(p.grads(), grads_.view());
  }
  ~KeepStore() {
    copy<T>(values_.view(), p_.values());
    copy<T>(grads_.view(), p_.grads());
  }
  KeepStore(const KeepStore&) = delete;
  KeepStore& operator=(const KeepStore&) = delete;

 private:
  ParameterStore<T>& p_;
  Tensor<T> values_;
  Tensor<T> grads_;
};

template <class T>
std::vector<TensorNumbers<T>> tensor_numbers(const ParameterStore<T>& p) {
  std::vector<TensorNumbers<T>> tensors;
  for (std::size_t k = 0; k < p.count(); ++k) {
    const ParameterEntry& entry = p.entry(k);
    TensorNumbers<T> t{.name = entry.name, .shape = entry.shape, .offset = entry.offset, .value = values_of(p.value(k)),
                       .frozen = entry.frozen, .buffer = entry.buffer};
    if (!entry.buffer) t.grad = values_of(p.grad(k));
    tensors.push_back(std::move(t));
  }
  return tensors;
}

// Every layer's output and dE/doutput from the model's last forward and backward.
template <class T>
std::vector<LayerNumbers<T>> layer_numbers(const Sequential<T>& model, TensorView<const T> output_grad) {
  std::vector<LayerNumbers<T>> layers;
  for (std::size_t i = 0; i < model.size(); ++i) {
    const TensorView<const T> grad = i + 1 == model.size() ? output_grad : model.activation_grad(i);
    layers.push_back({.index = i, .kind = std::string(model.layer(i).kind()), .shape = model.activation(i).shape(),
                      .output = values_of(model.activation(i)), .output_grad = values_of(grad)});
  }
  return layers;
}

template <class T>
std::optional<std::size_t> tensor_index(const std::vector<TensorNumbers<T>>& tensors, const std::string& name) {
  for (std::size_t k = 0; k < tensors.size(); ++k) {
    if (tensors[k].name == name) return k;
  }
  return std::nullopt;
}

// Why the model's neurons cannot be named, or "" when they can: dense layers, each followed only by
// layers without parameters that keep its shape (its activation).
template <class T>
std::string why_unnamed(const Sequential<T>& model) {
  const std::string what = "explain names neurons in networks of dense layers, each followed by layers "
                           "that keep its shape (its activation); ";
  if (model.size() == 0) return what + "this one has no layers";
  if (model.input_shape().rank() != 1) return what + "this one takes inputs shaped " + model.input_shape().str();
  for (std::size_t i = 0; i < model.size(); ++i) {
    const std::string layer = "layer " + std::to_string(i) + " (" + std::string(model.layer(i).kind()) + ")";
    if (model.layer(i).kind() == "dense") continue;
    if (i == 0) return what + layer + " comes first";
    if (!model.layer(i).parameter_specs().empty()) return what + layer + " has parameters and is not dense";
    if (!(model.activation(i).shape() == model.activation(i - 1).shape())) return what + layer + " changes the shape";
  }
  return "";
}

// dE/dnet given dE/dout = g: g back through layers last .. dense + 1 of the last pass (the neuron
// layer's activation), each with a copy of what its forward left.
template <class T>
Tensor<T> back_through(const Sequential<T>& model, std::size_t dense, std::size_t last, Mode mode, Tensor<T> g) {
  Rng rng(0);  // not drawn from: backward reuses what forward drew
  for (std::size_t i = last; i > dense; --i) {
    LayerWorkspace<T> workspace = model.layer_workspace(i);
    const Context<T> context{.backend = &model.backend(), .mode = mode, .rng = &rng, .workspace = &workspace};
    Tensor<T> below(model.activation(i - 1).shape());
    model.layer(i).backward(context, model.activation(i - 1), model.activation(i), g.view(), below.view());
    g = std::move(below);
  }
  return g;
}

// dout/dnet of each neuron, and whether the activation is elementwise: back-propagating ones gives
// the derivative d when it is; then a random +-1 pattern r must come back exactly as r * d (a
// product by +-1 rounds alike both ways), which a layer that mixes its neurons (softmax) does not.
template <class T>
void probe_activation(NeuronLayer<T>& n, const Sequential<T>& model, Mode mode) {
  const Shape shape = model.activation(n.last).shape();
  if (n.last == n.dense) {
    n.derivative.assign(shape.numel(), T(1));
    return;
  }
  Tensor<T> ones(shape);
  ones.fill(T(1));
  const Tensor<T> d = back_through(model, n.dense, n.last, mode, std::move(ones));
  Rng signs(1);
  for (int probe = 0; probe < 2 && n.elementwise; ++probe) {
    Tensor<T> r(shape);
    for (std::size_t i = 0; i < r.size(); ++i) r[i] = signs.below(2) == 0 ? T(1) : T(-1);
    const Tensor<T> jr = back_through(model, n.dense, n.last, mode, r);
    for (std::size_t i = 0; i < r.size() && n.elementwise; ++i) n.elementwise = jr[i] == r[i] * d[i];
  }
  if (n.elementwise) n.derivative = values_of(d.view());
}

// The neuron layers of a dense network, named, with their per-sample values and weight names.
template <class T>
void name_neurons(Explanation<T>& e, const Sequential<T>& model, TensorView<const T> input, Mode mode) {
  std::vector<std::size_t> dense;
  for (std::size_t i = 0; i < model.size(); ++i) {
    if (model.layer(i).kind() == "dense") dense.push_back(i);
  }
  const std::size_t layers = dense.size();
  for (std::size_t j = 0; j < model.input_shape().numel(); ++j) e.input_names.push_back(neuron_name(0, layers, j));
  std::size_t first_weight = 1;  // w1, w2, ... run on through the layers
  for (std::size_t k = 0; k < layers; ++k) {
    NeuronLayer<T> n{.dense = dense[k], .last = k + 1 < layers ? dense[k + 1] - 1 : model.size() - 1};
    for (std::size_t i = n.dense + 1; i <= n.last; ++i) {
      n.activation += (n.activation.empty() ? "" : ", ") + std::string(model.layer(i).kind());
    }
    n.inputs = k == 0 ? e.input_names : e.neuron_layers[k - 1].neurons;
    const std::size_t units = model.activation(n.dense).shape().numel() / e.samples;
    for (std::size_t j = 0; j < units; ++j) n.neurons.push_back(neuron_name(k + 1, layers, j));
    n.input = k == 0 ? values_of(input) : e.neuron_layers[k - 1].out;
    n.net = e.layers[n.dense].output;
    n.out = e.layers[n.last].output;
    n.out_grad = e.layers[n.last].output_grad;
    n.delta = e.layers[n.dense].output_grad;
    probe_activation(n, model, mode);
    const std::string prefix = std::to_string(n.dense) + ".";
    n.weight = *tensor_index(e.parameters, prefix + "weight");
    n.bias = tensor_index(e.parameters, prefix + "bias");
    const std::size_t in = n.inputs.size();
    for (std::size_t w = 0; w < units * in; ++w) {
      std::string name = "w";  // appended, not "w" + ...: GCC 12 warns falsely (-Wrestrict) on that
      name += std::to_string(first_weight + w);
      e.parameters[n.weight].element_names.push_back(name);
    }
    first_weight += units * in;
    if (n.bias) {
      for (const std::string& neuron : n.neurons) e.parameters[*n.bias].element_names.push_back("b(" + neuron + ")");
    }
    e.neuron_layers.push_back(std::move(n));
  }
}

// E's terms for a loss that sums over elements: each element's own loss (a one-element batch),
// times the reduction's factor, 1 / count or 1, whichever makes them sum to E. A loss of another
// form (cross-entropy) matches neither and gets no terms.
template <class T>
void fill_loss_terms(Explanation<T>& e, const Loss<T>& loss, const Backend<T>& backend, TensorView<const T> output,
                     TensorView<const T> target) {
  if (!(output.shape() == target.shape()) || output.size() == 0) return;
  std::vector<T> own(output.size());
  double sum = 0;
  try {
    for (std::size_t i = 0; i < output.size(); ++i) {
      const Tensor<T> p(Shape{1, 1}, {output[i]}), t(Shape{1, 1}, {target[i]});
      own[i] = loss.forward(backend, p.view(), t.view());
      sum += static_cast<double>(own[i]);
    }
  } catch (const Error&) {
    return;
  }
  const double tolerance = 1e-4 * std::abs(static_cast<double>(e.loss)) + 1e-30;
  for (const double scale : {1.0 / static_cast<double>(output.size()), 1.0}) {
    if (std::abs(sum * scale - static_cast<double>(e.loss)) > tolerance) continue;
    e.loss_scale = scale;
    for (const T term : own) e.loss_terms.push_back(static_cast<T>(term * static_cast<T>(scale)));
    return;
  }
}

// The update optimizer's step makes from the explained gradients (the store is put back after).
template <class T>
void take_update(Explanation<T>& e, Sequential<T>& model, Optimizer<T>& optimizer) {
  ParameterStore<T>& p = model.parameters();
  const OptimizerState<T> state = optimizer.state();
  optimizer.step(p, model.backend());
  for (std::size_t k = 0; k < p.count(); ++k) {
    TensorNumbers<T>& t = e.parameters[k];
    t.new_value = values_of(TensorView<const T>(p.value(k)));
    t.update.resize(t.value.size());
    for (std::size_t i = 0; i < t.value.size(); ++i) t.update[i] = t.new_value[i] - t.value[i];
  }
  optimizer.set_state(state, p.values().size());
  e.learning_rate = optimizer.learning_rate();
  e.update_rule = optimizer.plain_sgd_learning_rate() > 0
                      ? "w_new = w - lr * dE/dw, lr " + number(e.learning_rate)
                      : "the " + state.kind + " optimizer's step (lr " + number(e.learning_rate) +
                            ", with its momentum, moments or weight decay)";
}

std::string over(std::size_t n) { return n == 1 ? "" : " / " + std::to_string(n); }

// dE/dout of output neuron o as its loss writes it (the value is the loss's own backward).
template <class T>
std::string loss_gradient_formula(const Explanation<T>& e, const std::string& o) {
  const std::string out = "out_" + o, t = "target_" + o;
  const std::size_t n = e.loss_scale > 0 ? static_cast<std::size_t>(std::llround(1.0 / e.loss_scale)) : 0;
  if (e.loss_name == "mse" && n > 0) return n == 2 ? out + " - " + t : "2 (" + out + " - " + t + ")" + over(n);
  if (e.loss_name == "mae" && n > 0) return "sign(" + out + " - " + t + ")" + over(n);
  if (e.loss_name == "bce" && n > 0) return "(" + out + " - " + t + ") / (" + out + " (1 - " + out + "))" + over(n);
  if (e.loss_name == "cross_entropy") return "softmax(out)_" + o + " - " + t + ", over the batch size for the mean";
  return e.loss_name + "'s gradient, from its backward";
}

// dout/dnet of neuron o as its activation writes it (the value is the activation's own backward).
std::string derivative_formula(const std::string& activation, const std::string& o) {
  const std::string out = "out_" + o, net = "net_" + o;
  if (activation.empty()) return "1 (no activation)";
  if (activation == "sigmoid") return out + " (1 - " + out + ")";
  if (activation == "tanh") return "1 - " + out + "^2";
  if (activation == "relu") return "1 if " + net + " > 0, else 0";
  if (activation == "leaky_relu") return "1 if " + net + " > 0, else the slope";
  if (activation == "identity") return "1";
  return activation + "'s derivative, from its backward";
}

// dE/dout_j of neuron j of neuron layer k for sample s: the loss's gradient at the outputs; below
// them the sum over the paths through the layer above, delta_m * w_mj.
template <class T>
Factor<T> out_grad_factor(const Explanation<T>& e, std::size_t k, std::size_t j, std::size_t s) {
  const NeuronLayer<T>& n = e.neuron_layers[k];
  const std::size_t units = n.units();
  Factor<T> f{.name = "dE/dout_" + n.neurons[j]};
  if (k + 1 == e.neuron_layers.size()) {
    f.formula = loss_gradient_formula(e, n.neurons[j]);
    f.value = n.out_grad[s * units + j];
    return f;
  }
  const NeuronLayer<T>& above = e.neuron_layers[k + 1];
  const TensorNumbers<T>& w = e.parameters[above.weight];
  T sum = T(0);
  for (std::size_t m = 0; m < above.units(); ++m) {
    PathTerm<T> term{.neuron = above.neurons[m], .delta = above.delta[s * above.units() + m],
                     .weight = w.element_names[m * units + j], .weight_value = w.value[m * units + j]};
    term.product = term.delta * term.weight_value;
    sum += term.product;
    if (m < 3 || m + 1 == above.units()) {
      f.formula += (m == 0 ? "" : m < 3 ? " + " : " + ... + ") + ("delta_" + term.neuron + " " + term.weight);
    }
    f.terms.push_back(std::move(term));
  }
  f.value = sum;
  return f;
}

// The chain rule's factors for one sample: dE/dout, dout/dnet (or dE/dnet where the activation
// mixes its neurons), dnet/dw.
template <class T>
std::vector<Factor<T>> factors_of(const Explanation<T>& e, const WeightAt& at, const std::string& name, std::size_t s) {
  const NeuronLayer<T>& n = e.neuron_layers[at.layer];
  const std::size_t i = s * n.units() + at.to;
  const std::string& to = n.neurons[at.to];
  std::vector<Factor<T>> factors;
  if (n.elementwise) {
    factors.push_back(out_grad_factor(e, at.layer, at.to, s));
    factors.push_back({.name = "dout_" + to + "/dnet_" + to, .formula = derivative_formula(n.activation, to),
                       .value = n.derivative[i]});
  } else {
    factors.push_back({.name = "dE/dnet_" + to,
                       .formula = n.activation + " mixes its neurons: the sum over k of dE/dout_k dout_k/dnet_" + to +
                                  ", from its backward",
                       .value = n.delta[i]});
  }
  if (!at.from) {
    factors.push_back({.name = "dnet_" + to + "/d" + name, .formula = "1", .value = T(1)});
  } else {
    const std::string& from = n.inputs[*at.from];
    factors.push_back({.name = "dnet_" + to + "/d" + name, .formula = at.layer == 0 ? from : "out_" + from,
                       .value = n.input[s * n.inputs.size() + *at.from]});
  }
  return factors;
}

// Throws Error unless at names a weight or bias of e's neurons and sample is one of its samples.
template <class T>
void check_place(const Explanation<T>& e, const WeightAt& at, std::size_t sample) {
  if (e.neuron_layers.empty()) {
    throw Error("chain rule: " + (e.unnamed.empty() ? std::string("the explanation has no neurons") : e.unnamed));
  }
  const std::string where = "chain rule: ";
  if (at.layer >= e.neuron_layers.size()) {
    throw Error(where + "layer " + std::to_string(at.layer) + " of " + std::to_string(e.neuron_layers.size()));
  }
  const NeuronLayer<T>& n = e.neuron_layers[at.layer];
  if (at.to >= n.units()) throw Error(where + "neuron " + std::to_string(at.to) + " of " + std::to_string(n.units()));
  if (at.from && *at.from >= n.inputs.size()) {
    throw Error(where + "input " + std::to_string(*at.from) + " of " + std::to_string(n.inputs.size()));
  }
  if (!at.from && !n.bias) throw Error(where + "neuron layer " + std::to_string(at.layer) + " has no bias");
  if (sample >= e.samples) {
    throw Error(where + "sample " + std::to_string(sample) + " of " + std::to_string(e.samples));
  }
}

}  // namespace

template <class T>
ChainRule<T> chain_rule(const Explanation<T>& e, const WeightAt& at, std::size_t sample) {
  check_place(e, at, sample);
  const NeuronLayer<T>& n = e.neuron_layers[at.layer];
  const TensorNumbers<T>& t = e.parameters[at.from ? n.weight : *n.bias];
  ChainRule<T> c{.tensor = t.name, .layer = at.layer, .to = n.neurons[at.to], .bias = !at.from, .sample = sample};
  c.element = at.from ? at.to * n.inputs.size() + *at.from : at.to;
  c.name = t.element_names[c.element];
  if (at.from) c.from = n.inputs[*at.from];
  c.value = t.value[c.element];
  c.backprop = t.grad[c.element];
  if (!t.update.empty()) {
    c.update = t.update[c.element];
    c.new_value = t.new_value[c.element];
  }
  for (std::size_t s = 0; s < e.samples; ++s) {
    std::vector<Factor<T>> factors = factors_of(e, at, c.name, s);
    T product = T(1);
    for (const Factor<T>& f : factors) product *= f.value;
    c.sample_products.push_back(product);
    c.sum += product;
    if (s != sample) continue;
    c.product = product;
    c.factors = std::move(factors);
  }
  c.equation = "dE/d" + c.name + " =";
  for (std::size_t f = 0; f < c.factors.size(); ++f) c.equation += (f == 0 ? " " : " * ") + c.factors[f].name;
  return c;
}

template <class T>
ChainRule<T> chain_rule(const Explanation<T>& e, std::string_view name, std::size_t sample) {
  for (std::size_t k = 0; k < e.neuron_layers.size(); ++k) {
    const NeuronLayer<T>& n = e.neuron_layers[k];
    const std::vector<std::string>& weights = e.parameters[n.weight].element_names;
    for (std::size_t w = 0; w < weights.size(); ++w) {
      if (weights[w] == name) return chain_rule(e, WeightAt{k, w / n.inputs.size(), w % n.inputs.size()}, sample);
    }
    if (!n.bias) continue;
    const std::vector<std::string>& biases = e.parameters[*n.bias].element_names;
    for (std::size_t b = 0; b < biases.size(); ++b) {
      if (biases[b] == name) return chain_rule(e, WeightAt{k, b, std::nullopt}, sample);
    }
  }
  if (e.neuron_layers.empty()) check_place(e, WeightAt{}, sample);
  throw Error("chain rule: no weight or bias named '" + std::string(name) + "': the weights are w1 .. " +
              e.parameters[e.neuron_layers.back().weight].element_names.back() + ", the biases b(" +
              e.neuron_layers.front().neurons.front() + ") .. b(" + e.neuron_layers.back().neurons.back() + ")");
}

template <class T>
const TensorNumbers<T>& Explanation<T>::tensor(std::string_view name) const {
  std::string known;
  for (const TensorNumbers<T>& t : parameters) {
    if (t.name == name) return t;
    known += (known.empty() ? "" : ", ") + t.name;
  }
  throw Error("explain: no tensor '" + std::string(name) + "'; the model has " + (known.empty() ? "none" : known));
}

template <class T>
Explanation<T> explain(Sequential<T>& model, const Loss<T>& loss, TensorView<const T> input,
                       TensorView<const T> target, const ExplainOptions<T>& options) {
  ParameterStore<T>& p = model.parameters();
  const KeepStore<T> keep(p);
  Rng rng = options.rng != nullptr ? *options.rng : Rng(0);
  const TensorView<const T> output = model.forward(input, options.mode, &rng);
  Tensor<T> output_grad(output.shape());
  Explanation<T> e;
  e.loss = loss.value_and_gradient(model.backend(), output, target, output_grad.view());
  p.zero_grad();
  Tensor<T> input_grad(input.shape());
  model.backward(output_grad.view(), input_grad.view());

  e.samples = input.batch();
  e.input_shape = input.shape();
  e.input = values_of(input);
  e.input_grad = values_of(TensorView<const T>(input_grad.view()));
  e.target_shape = target.shape();
  e.target = values_of(target);
  e.loss_name = std::string(loss.name());
  fill_loss_terms(e, loss, model.backend(), output, target);
  e.layers = layer_numbers(model, TensorView<const T>(output_grad.view()));
  e.parameters = tensor_numbers(p);
  e.unnamed = why_unnamed(model);
  if (e.unnamed.empty() && e.samples > 0) name_neurons(e, model, input, options.mode);
  if (options.optimizer != nullptr) take_update(e, model, *options.optimizer);
  return e;
}

template <class T>
void record_update(Explanation<T>& e, TensorView<const T> before, TensorView<const T> after, std::string rule) {
  std::size_t total = 0;
  for (const TensorNumbers<T>& t : e.parameters) total = std::max(total, t.offset + t.value.size());
  if (before.size() != total || after.size() != total) {
    throw Error("record_update: the values before and after the step must hold the model's " + std::to_string(total) +
                " parameters, got " + std::to_string(before.size()) + " and " + std::to_string(after.size()));
  }
  for (TensorNumbers<T>& t : e.parameters) {
    t.new_value.assign(after.data() + t.offset, after.data() + t.offset + t.value.size());
    t.update.resize(t.value.size());
    for (std::size_t i = 0; i < t.value.size(); ++i) t.update[i] = after[t.offset + i] - before[t.offset + i];
  }
  e.update_rule = std::move(rule);
}

template struct Explanation<float>;
template struct Explanation<double>;
template Explanation<float> explain(Sequential<float>&, const Loss<float>&, TensorView<const float>,
                                    TensorView<const float>, const ExplainOptions<float>&);
template Explanation<double> explain(Sequential<double>&, const Loss<double>&, TensorView<const double>,
                                     TensorView<const double>, const ExplainOptions<double>&);
template void record_update(Explanation<float>&, TensorView<const float>, TensorView<const float>, std::string);
template void record_update(Explanation<double>&, TensorView<const double>, TensorView<const double>, std::string);
template ChainRule<float> chain_rule(const Explanation<float>&, const WeightAt&, std::size_t);
template ChainRule<double> chain_rule(const Explanation<double>&, const WeightAt&, std::size_t);
template ChainRule<float> chain_rule(const Explanation<float>&, std::string_view, std::size_t);
template ChainRule<double> chain_rule(const Explanation<double>&, std::string_view, std::size_t);

}  // namespace bpnn
