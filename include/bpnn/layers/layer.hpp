// The one layer interface. A layer maps an input batch [N, in...] to an output batch [N, out...]
// and back-propagates: given dE/doutput it writes dE/dinput and adds into its parameter gradients.
//
// The contract, for every layer:
//   - forward overwrites output; backward overwrites input_grad and ADDS scale * dE/dparameter
//     into the gradient buffer the context names (zeroing it is the caller's explicit step).
//   - backward receives the context, input and output of the matching forward, so layers keep no
//     copies; what forward saves for backward (dropout's mask, batch norm's statistics) goes into
//     the context's workspace, never into the layer. Layers keep no mode and no state: forward
//     and backward are const, and forward in eval mode is safe from several threads at once,
//     each with its own workspace.
//   - an empty input_grad view means "not wanted" (the first layer of a model): skip that work.
//   - neither allocates once its workspace is sized for a batch.
// Shapes passed to build are per sample (no batch dimension); views passed to forward/backward
// carry the batch first. The model checks shapes once at its entry; layers trust them.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "bpnn/backend/backend.hpp"
#include "bpnn/core/parameter_store.hpp"
#include "bpnn/core/rng.hpp"
#include "bpnn/core/shape.hpp"
#include "bpnn/core/tensor.hpp"
#include "bpnn/model/layer_config.hpp"

namespace bpnn {

enum class Mode { eval, train };

// What one layer's forward leaves for its backward, and its scratch space: the caller's, one per
// layer and per thread.
template <class T>
struct LayerWorkspace {
  Tensor<T> saved;    // from forward to backward: dropout's mask, batch norm's mean and 1/std
  Tensor<T> scratch;  // within one call: conv2d's im2col columns
};

// Where backward adds parameter gradients: element `offset` of the flat buffer `base` (parallel
// to the parameter store's values) receives scale * dE/dp. Usually the store's gradients with
// scale 1; for fused plain SGD the parameter values themselves with scale -learning_rate.
template <class T>
struct GradientSink {
  T* base = nullptr;
  T scale = T(1);
  T* at(std::size_t offset) const { return base + offset; }
};

// Everything a forward or backward call needs besides its tensors.
template <class T>
struct Context {
  const Backend<T>* backend = nullptr;
  Mode mode = Mode::eval;
  Rng* rng = nullptr;                          // train mode: stochastic layers (dropout) draw from it
  LayerWorkspace<T>* workspace = nullptr;      // this layer's
  GradientSink<T> gradients = {};              // backward only
  bool training() const { return mode == Mode::train; }
};

template <class T>
class Layer {
 public:
  virtual ~Layer() = default;

  // The layer's kind as network files name it: "dense", "sigmoid", ...
  virtual std::string_view kind() const = 0;
  // The options it was made with, as the one factory (model/layer_factory.hpp) takes them back:
  // the layer described by itself, so a model saves without a separate description.
  virtual LayerConfig config() const { return {std::string(kind()), {}}; }

  // Checks the per-sample input shape and returns the per-sample output shape. Called once, when
  // the layer joins a model; throws Error if the layer cannot take that input.
  virtual Shape build(const Shape& input_shape) = 0;

  // The parameters the layer needs (valid after build), with names local to the layer.
  virtual std::vector<ParameterSpec> parameter_specs() const { return {}; }

  // Points the layer at its parameters: entries first .. first + parameter_specs().size() - 1 of
  // store, in the order parameter_specs() gave them. Called again whenever the store grows.
  virtual void bind(ParameterStore<T>& /*store*/, std::size_t /*first*/) {}

  virtual void forward(const Context<T>& context, TensorView<const T> input, TensorView<T> output) const = 0;
  virtual void backward(const Context<T>& context, TensorView<const T> input, TensorView<const T> output,
                        TensorView<const T> output_grad, TensorView<T> input_grad) const = 0;

  // Whether backward reads its parameters only before it adds the first gradient into them, so
  // that the gradient sink may be the parameters themselves (fused plain SGD). True for layers
  // without parameters.
  virtual bool updates_in_place() const { return parameter_specs().empty(); }
};

}  // namespace bpnn
