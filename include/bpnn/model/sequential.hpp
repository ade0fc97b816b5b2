// A stack of layers applied in order, as PyTorch's nn.Sequential. It owns the layers, the
// parameter store (named "<layer index>.<tensor>") and the activation buffers of one batch size.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include "bpnn/backend/backend.hpp"
#include "bpnn/core/parameter_store.hpp"
#include "bpnn/core/rng.hpp"
#include "bpnn/core/tensor.hpp"
#include "bpnn/layers/layer.hpp"

namespace bpnn {

template <class T>
class Sequential {
 public:
  // input_shape is per sample: {784} for flat images.
  explicit Sequential(const Shape& input_shape);

  // Appends a layer, builds it for the current output shape and adds its parameters
  // (zero until initialize). Throws Error naming the layer index if it cannot take that shape.
  Layer<T>& add(std::unique_ptr<Layer<T>> layer);
  template <class L>
  L& add(L layer) {
    return static_cast<L&>(add(std::unique_ptr<Layer<T>>(std::make_unique<L>(std::move(layer)))));
  }

  std::size_t size() const { return layers_.size(); }
  Layer<T>& layer(std::size_t i) { return *layers_[i]; }
  const Layer<T>& layer(std::size_t i) const { return *layers_[i]; }
  const Shape& input_shape() const { return shapes_.front(); }
  const Shape& output_shape() const { return shapes_.back(); }

  ParameterStore<T>& parameters() { return parameters_; }
  const ParameterStore<T>& parameters() const { return parameters_; }
  // Draws every parameter from its layer's initializer, in order.
  void initialize(Rng& rng) { parameters_.initialize(rng); }

  // The backend every forward and backward of this model runs on; by default the shared
  // one-thread cpu backend (default_backend). Not to be changed while another thread uses the model.
  const Backend<T>& backend() const { return *backend_; }
  const std::shared_ptr<Backend<T>>& shared_backend() const { return backend_; }
  void set_backend(std::shared_ptr<Backend<T>> backend);

  // Runs the layers on input [N, input_shape...] in the given mode (train: stochastic layers draw
  // from rng, batch norm uses and updates batch statistics); returns the output [N, output_shape...],
  // a view valid until the next forward. backward uses input, so keep it alive and unchanged until
  // then. Throws Error naming both shapes if input does not fit. Allocates only for a new largest batch.
  TensorView<const T> forward(TensorView<const T> input, Mode mode, Rng* rng = nullptr);
  TensorView<const T> forward(TensorView<const T> input) { return forward(input, Mode::eval); }
  TensorView<const T> forward_train(TensorView<const T> input, Rng& rng) { return forward(input, Mode::train, &rng); }

  // What one caller's inference needs: every layer's output and workspace. Sized on first use and
  // reused after; give each thread its own.
  struct Workspace {
    std::vector<Tensor<T>> outputs;
    std::vector<LayerWorkspace<T>> layers;
  };
  // Inference (eval mode) that changes nothing in the model: several threads may call it at once
  // on one model, each with its own workspace (while nobody trains or loads it). Returns the
  // output [N, output_shape...], a view into workspace valid until its next use.
  TensorView<const T> infer(TensorView<const T> input, Workspace& workspace) const;

  // Back-propagates output_grad ([N, output_shape...]) through the last forward: ADDS into the
  // parameter gradients and, if input_grad is given, overwrites it with dE/dinput. Layers below
  // the first trainable one are skipped unless input_grad is wanted.
  void backward(TensorView<const T> output_grad, TensorView<T> input_grad = {});
  // The same with the parameter gradients going to sink (scale * dE/dp added at each parameter's
  // offset); sink.base = parameters().values().data() and scale -lr is plain SGD fused into
  // back-propagation, allowed only when updates_in_place().
  void backward(TensorView<const T> output_grad, TensorView<T> input_grad, GradientSink<T> sink);
  // Whether every layer's backward reads its parameters before adding into them (Layer::updates_in_place).
  bool updates_in_place() const;

  // Sharded training (distributed/sharded_step.hpp): the train-mode forward of this process's
  // shards of a global batch, stacked in input (shard j: samples [shards.rows[j], shards.rows[j + 1])).
  // Every layer runs on each shard alone, drawing from rngs[j] as forward_train would on the shard,
  // except those that reduce over the batch (batch norm): they run once on the whole stack and
  // combine over the global batch through shards. Returns the stacked output, valid until the next
  // forward. Throws Error unless the rows cover input and rngs has one generator per shard.
  TensorView<const T> forward_shards(TensorView<const T> input, const ShardedBatch<T>& shards, std::span<Rng> rngs);
  // Back-propagates the stacked output_grad through the last forward_shards, given the same
  // shards: shard j's parameter gradients are added into shards.sinks[j]. No input gradient.
  void backward_shards(TensorView<const T> output_grad, const ShardedBatch<T>& shards);

  // The output of layer i in the last forward (the hidden activations), [N, ...].
  TensorView<const T> activation(std::size_t i) const { return outputs_.outputs[i].view(); }
  // dE/d(output of layer i) in the last backward, [N, ...], for i < size() - 1 (the last layer's is
  // the output_grad backward was given); meaningful when that backward reached layer i + 1, which
  // it always does when it was given an input_grad.
  TensorView<const T> activation_grad(std::size_t i) const { return output_grads_[i].view(); }
  // What layer i's last forward left for its backward (dropout's mask, batch norm's statistics).
  const LayerWorkspace<T>& layer_workspace(std::size_t i) const { return outputs_.layers[i]; }

 private:
  // The lowest layer whose backward matters: the first owning a trainable tensor, or 0 when the
  // gradient with respect to the input is wanted. Nothing below it influences a wanted gradient.
  std::size_t lowest_needed_layer(bool want_input_grad) const;
  // Throws Error naming both shapes unless input is [N, input_shape...].
  void check_input(TensorView<const T> input) const;
  // Runs every layer forward with context, into workspace.
  TensorView<const T> run_forward(TensorView<const T> input, Context<T> context, Workspace& workspace) const;

  std::vector<std::unique_ptr<Layer<T>>> layers_;
  std::vector<Shape> shapes_;              // shapes_[i]: per-sample input of layer i; back(): output
  std::vector<std::size_t> first_parameter_;  // index in parameters_ of layer i's first tensor
  ParameterStore<T> parameters_;
  std::shared_ptr<Backend<T>> backend_;
  // The last forward (for backward): its input, mode and generator, and what it left.
  TensorView<const T> input_;
  Mode mode_ = Mode::eval;
  Rng* rng_ = nullptr;
  bool sharded_ = false;  // the last forward was forward_shards
  Workspace outputs_;
  std::vector<std::vector<LayerWorkspace<T>>> shard_layers_;  // [shard][layer]: the layers run per shard
  std::vector<Tensor<T>> output_grads_;  // output_grads_[i]: dE/d(output of layer i)
};

extern template class Sequential<float>;
extern template class Sequential<double>;

}  // namespace bpnn
