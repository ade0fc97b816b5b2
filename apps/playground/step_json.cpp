// The library's structs of one step as JSON (step_json.hpp).
#include "step_json.hpp"

namespace bpnn::serve {
namespace {

constexpr std::size_t kShownSamples = 16;  // a step's per-sample numbers: its first 16 samples'
// A step's weights listed: the first 512 (a large network's tens of thousands would take the page
// seconds to lay out; any weight's numbers are its chain rule's).
constexpr std::size_t kShownWeights = 512;

}  // namespace

template <class T>
json explanation_json(const Explanation<T>& e) {
  const std::size_t shown = std::min(e.samples, kShownSamples), n = std::max<std::size_t>(e.samples, 1);
  json layers = json::array(), weights = json::array();
  std::size_t weights_total = 0;
  for (std::size_t k = 0; k < e.neuron_layers.size(); ++k) {
    const NeuronLayer<T>& l = e.neuron_layers[k];
    const std::size_t units = l.units(), in = l.inputs.size();
    layers.push_back({{"neurons", l.neurons}, {"activation", l.activation}, {"net", matrix(l.net, units, shown)},
                      {"out", matrix(l.out, units, shown)}, {"delta", matrix(l.delta, units, shown)}});
    for (const std::optional<std::size_t> tensor : {std::optional<std::size_t>(l.weight), l.bias}) {
      if (!tensor) continue;
      const TensorNumbers<T>& t = e.parameters[*tensor];
      const bool bias = *tensor != l.weight;
      weights_total += t.value.size();
      for (std::size_t i = 0; i < t.value.size() && weights.size() < kShownWeights; ++i) {
        const bool updated = !t.update.empty();
        weights.push_back({{"name", t.element_names[i]}, {"layer", k}, {"to", bias ? i : i / in},
                           {"from", bias ? json(nullptr) : json(i % in)}, {"value", t.value[i]}, {"grad", t.grad[i]},
                           {"update", updated ? json(t.update[i]) : json(nullptr)},
                           {"new_value", updated ? json(t.new_value[i]) : json(nullptr)}, {"frozen", t.frozen}});
      }
    }
  }
  return {{"samples", e.samples}, {"shown_samples", shown}, {"input_names", e.input_names},
          {"input", matrix(e.input, e.input.size() / n, shown)},
          {"target", matrix(e.target, e.target.size() / n, shown)},
          {"loss", e.loss}, {"loss_name", e.loss_name}, {"update_rule", e.update_rule},
          {"learning_rate", e.learning_rate}, {"unnamed", e.unnamed}, {"layers", layers}, {"weights", weights},
          {"weights_total", weights_total}};
}

template <class T>
json chain_json(const ChainRule<T>& c) {
  json factors = json::array();
  for (const Factor<T>& f : c.factors) {
    json terms = json::array();
    for (const PathTerm<T>& t : f.terms) {
      terms.push_back({{"neuron", t.neuron}, {"delta", t.delta}, {"weight", t.weight},
                       {"weight_value", t.weight_value}, {"product", t.product}});
    }
    factors.push_back({{"name", f.name}, {"formula", f.formula}, {"value", f.value}, {"terms", terms}});
  }
  auto maybe = [](const std::optional<T>& v) { return v ? json(*v) : json(nullptr); };
  return {{"name", c.name}, {"from", c.from}, {"to", c.to}, {"layer", c.layer}, {"bias", c.bias},
          {"value", c.value}, {"equation", c.equation}, {"factors", factors}, {"product", c.product},
          {"samples", c.sample_products.size()}, {"sum", c.sum}, {"backprop", c.backprop},
          {"update", maybe(c.update)}, {"new_value", maybe(c.new_value)}};
}

template <class T>
json predict_json(Run<T>& r, const std::vector<double>& x, const std::string& loss) {
  const Tensor<T> input = tensor_of<T>(x, Shape{1, x.size()});
  const TensorView<const T> y = r.model.infer(input.view(), r.workspace);
  const Tensor<double> out = tensor_of<double>(y.span(), y.shape());
  // The class probabilities by the library, in double (a float model's outputs are exact in it).
  const Tensor<double> p = class_probabilities(*default_backend<double>(), loss, out.view());
  json layers = json::array();
  for (std::size_t i = 0; i < r.model.size(); ++i) {
    layers.push_back({{"index", i}, {"kind", std::string(r.model.layer(i).kind())},
                      {"out", values(r.workspace.outputs[i].view().span())}});
  }
  return {{"output", values(out.view().span())}, {"probabilities", values(p.view().span())},
          {"class", predicted_class(out.data(), out.size())}, {"layers", layers}};
}


template json explanation_json(const Explanation<float>&);
template json explanation_json(const Explanation<double>&);
template json chain_json(const ChainRule<float>&);
template json chain_json(const ChainRule<double>&);
template json predict_json(Run<float>&, const std::vector<double>&, const std::string&);
template json predict_json(Run<double>&, const std::vector<double>&, const std::string&);

}  // namespace bpnn::serve
