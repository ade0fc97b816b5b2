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
#include <functional>
#include <span>
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
  std::vector<double> partials;  // sharded training: batch norm's per-shard sums, then every shard's
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

// Sharded training (distributed/sharded_step.hpp): a layer that reduces over the batch (batch norm,
// Layer::reduces_over_batch) is called once on this process's L shards of a global batch of K,
// one after another, and combines its per-shard sums over all K shards in shard order, so that
// its statistics are those of the global batch whatever the process count. Every other layer is
// called once per shard, without this.
template <class T>
struct ShardedBatch {
  std::span<const std::size_t> rows;       // L + 1 offsets: local shard j is samples [rows[j], rows[j + 1])
  std::span<const GradientSink<T>> sinks;  // where local shard j's parameter gradients go
  std::size_t shards = 0;                  // K
  // local holds n values for each local shard (L n); all receives every shard's n values in shard
  // order (K n), the same bytes on every process. Moves bytes only: the sums are the layer's own.
  std::function<void(const double* local, std::size_t n, double* all)> gather;
  std::size_t local_shards() const { return rows.size() - 1; }
};

// Everything a forward or backward call needs besides its tensors.
template <class T>
struct Context {
  const Backend<T>* backend = nullptr;
  Mode mode = Mode::eval;
  Rng* rng = nullptr;                          // train mode: stochastic layers (dropout) draw from it
  LayerWorkspace<T>* workspace = nullptr;      // this layer's
  GradientSink<T> gradients = {};              // backward only
  const ShardedBatch<T>* shards = nullptr;     // sharded training, layers that reduce over the batch only
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

  // Whether a train-mode forward mixes the samples of its batch (batch norm's statistics), so that
  // sharded training calls it once on all local shards with Context::shards set (see ShardedBatch).
  virtual bool reduces_over_batch() const { return false; }
};

}  // namespace bpnn
