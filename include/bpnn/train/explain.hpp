// The numbers of one step, as the tutorials show them: the forward values of every layer (net and
// out of every neuron), the loss and its terms, each neuron's delta dE/dnet, every dE/dw and dE/db
// and the update they make; and the chain rule of any one weight as named factors with values.
// Plain structs, in float or double: bpnn demo mazur, bpnn explain, Python's Model.explain and the
// playground print or show these same numbers.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bpnn/core/rng.hpp"
#include "bpnn/core/shape.hpp"
#include "bpnn/core/tensor.hpp"
#include "bpnn/layers/layer.hpp"
#include "bpnn/losses/loss.hpp"
#include "bpnn/model/sequential.hpp"
#include "bpnn/optim/optimizer.hpp"

namespace bpnn {

// One layer's output in the forward pass and dE/doutput, for a layer of any kind.
template <class T>
struct LayerNumbers {
  std::size_t index = 0;        // in the model
  std::string kind = {};             // "dense", "sigmoid", "conv2d", ...
  Shape shape = {};                  // the output's, batch first: [N, ...]
  std::vector<T> output = {};        // row-major, as shape
  std::vector<T> output_grad = {};   // dE/doutput
};

// One tensor of the parameter store: its values, dE/dvalue and the step's update.
template <class T>
struct TensorNumbers {
  std::string name = {};             // "0.weight"
  Shape shape = {};
  std::size_t offset = 0;       // its first element in the store's flat buffers
  // Each element's name where the tutorials name it (a neuron layer's weights "w1", "w2", ...,
  // biases "b(h1)", ...); empty otherwise.
  std::vector<std::string> element_names = {};
  std::vector<T> value = {};
  std::vector<T> grad = {};          // dE/dvalue summed over the batch (empty for a buffer: never trained)
  std::vector<T> update = {};        // new_value - value: empty until an update is asked for or recorded
  std::vector<T> new_value = {};
  bool frozen = false;          // keeps its gradient, never updated
  bool buffer = false;          // saved state such as batch norm's running mean: no gradient
};

// A layer of neurons as the tutorials draw it: a dense layer, net = W x + b, and the layers after
// it that keep its shape (its activation: sigmoid, relu, softmax, ...), the last of which gives out.
// Per-sample values are [N, units] row-major (input: [N, inputs]).
template <class T>
struct NeuronLayer {
  std::size_t dense = 0;             // the dense layer's index in the model
  std::size_t last = 0;              // the layer whose output is out (dense itself when none follows)
  std::string activation = {};            // the kinds after the dense layer ("sigmoid"); "" for none
  std::vector<std::string> inputs = {};   // what feeds it: i1, i2, ... or the layer below's h1, h2, ...
  std::vector<std::string> neurons = {};  // h1, h2, ... (o1, o2, ... in the last layer)
  std::size_t weight = 0;            // Explanation::parameters index of its weight [units, inputs]
  std::optional<std::size_t> bias = {};   // and of its bias [units], when it has one
  std::vector<T> input = {};              // what it received: dnet_j/dw_ji is input_i
  std::vector<T> net = {};
  std::vector<T> out = {};
  std::vector<T> out_grad = {};           // dE/dout
  std::vector<T> delta = {};              // dE/dnet, back-propagated
  // Each out_j depends on its own net_j only (every activation but softmax): then derivative holds
  // dout_j/dnet_j and delta_j = dE/dout_j * dout_j/dnet_j; otherwise derivative is empty.
  bool elementwise = true;
  std::vector<T> derivative = {};
  std::size_t units() const { return neurons.size(); }
};

template <class T>
struct Explanation {
  std::size_t samples = 0;
  Shape input_shape = {};                  // [N, ...]
  std::vector<T> input = {};
  std::vector<T> input_grad = {};          // dE/dinput
  Shape target_shape = {};
  std::vector<T> target = {};
  std::string loss_name = {};              // "mse"
  T loss = T(0);                      // E
  // E's terms, one per output element ([N, outputs], E_o1, E_o2, ...), summing to E, for a loss
  // that sums over elements (mse, mae, bce); empty for one that does not (cross-entropy). Each
  // term is the element's loss times loss_scale, the reduction's factor (1 / count or 1).
  std::vector<T> loss_terms = {};
  double loss_scale = 0.0;
  std::vector<LayerNumbers<T>> layers;       // every layer; layers.back().output is the prediction
  std::vector<TensorNumbers<T>> parameters;  // every tensor of the store, in order
  // The neurons by name, when the network is dense layers each followed by layers that keep its
  // shape; otherwise neuron_layers is empty and unnamed says why (layers and parameters still hold
  // every number).
  std::vector<std::string> input_names = {};      // i1, i2, ...
  std::vector<NeuronLayer<T>> neuron_layers;
  std::string unnamed = {};
  std::string update_rule = {};   // how the updates were made ("" when there are none)
  double learning_rate = 0.0;

  // The tensor called name ("2.weight"); throws Error listing the names for another.
  const TensorNumbers<T>& tensor(std::string_view name) const;
};

template <class T>
struct ExplainOptions {
  // The optimizer whose update is shown: its step is taken from the explained gradients and then
  // undone, its state included. Null: no update (record_update fills one in after a real step).
  Optimizer<T>* optimizer = nullptr;
  Mode mode = Mode::train;   // as a training step runs its forward
  // Train mode: stochastic layers (dropout) draw from a copy of this generator, so the caller's
  // does not move and the draws are the ones its next step makes. Null: a generator seeded with 0.
  const Rng* rng = nullptr;
};

// The numbers of one step of model on input [N, ...] against target: forward, loss, backward
// (the Trainer's arithmetic) and, with an optimizer, its update. Leaves the model as it found it
// (values, buffers, gradients; only its last forward's activations change) and the optimizer too.
// Throws Error where back-propagation cannot go (a step layer) or the shapes do not fit.
template <class T>
Explanation<T> explain(Sequential<T>& model, const Loss<T>& loss, TensorView<const T> input,
                       TensorView<const T> target, const ExplainOptions<T>& options = {});

// Fills in the update a step really applied, from the store's flat values before and after it
// (a training run's step): update = after - before, new_value = after; rule describes the step.
// Throws Error unless both hold every parameter.
template <class T>
void record_update(Explanation<T>& explanation, TensorView<const T> before, TensorView<const T> after,
                   std::string rule);

// One path of a hidden neuron's error through the layer above: the delta of neuron m there times
// the weight from this neuron to m.
template <class T>
struct PathTerm {
  std::string neuron = {};      // o1
  T delta = T(0);          // dE/dnet_o1
  std::string weight = {};      // w5
  T weight_value = T(0);
  T product = T(0);        // delta * weight_value
};

template <class T>
struct Factor {
  std::string name = {};        // "dE/dout_o1"
  std::string formula = {};     // "out_o1 - target_o1"
  T value = T(0);
  std::vector<PathTerm<T>> terms = {};  // a hidden neuron's dE/dout: the sum of these paths
};

// dE/dw of one weight or bias as the chain rule writes it for one sample, beside back-propagation's.
template <class T>
struct ChainRule {
  std::string name = {};            // "w5", "b(o1)"
  std::string tensor = {};          // "2.weight"
  std::size_t element = 0;     // in the tensor
  std::size_t layer = 0;       // the neuron layer (Explanation::neuron_layers index)
  std::string from = {};            // "h1" ("" for a bias)
  std::string to = {};              // "o1"
  bool bias = false;
  T value = T(0);              // the weight's value
  std::size_t sample = 0;      // whose factors these are
  std::string equation = {};        // "dE/dw5 = dE/dout_o1 * dout_o1/dnet_o1 * dnet_o1/dw5"
  std::vector<Factor<T>> factors = {};
  T product = T(0);            // of the factors: this sample's share of dE/dw
  std::vector<T> sample_products = {};  // every sample's
  T sum = T(0);                // their sum: dE/dw by the chain rule
  T backprop = T(0);           // dE/dw by back-propagation: equal to sum up to rounding
  std::optional<T> update = {};     // the explanation's update of this weight, when it has one
  std::optional<T> new_value = {};
};

// A weight of neuron layer `layer`: into its neuron `to` from its input `from`, or (from unset)
// the bias of `to`.
struct WeightAt {
  std::size_t layer = 0;
  std::size_t to = 0;
  std::optional<std::size_t> from = std::nullopt;
};

// The chain rule of a weight given by its name ("w5", "b(o1)") or place, for one sample. Throws
// Error naming what is missing: no named neurons (Explanation::unnamed), no such weight or sample.
template <class T>
ChainRule<T> chain_rule(const Explanation<T>& explanation, std::string_view name, std::size_t sample = 0);
template <class T>
ChainRule<T> chain_rule(const Explanation<T>& explanation, const WeightAt& at, std::size_t sample = 0);

}  // namespace bpnn
