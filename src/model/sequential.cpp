#include "bpnn/model/sequential.hpp"

#include <algorithm>
#include <string>

#include "bpnn/core/error.hpp"

namespace bpnn {
namespace {

template <class T>
std::string where(std::size_t i, const Layer<T>& layer) {
  return "layer " + std::to_string(i) + " (" + std::string(layer.kind()) + "): ";
}

}  // namespace

template <class T>
Sequential<T>::Sequential(const Shape& input_shape) : shapes_{input_shape}, backend_(default_backend<T>()) {}

template <class T>
void Sequential<T>::set_backend(std::shared_ptr<Backend<T>> backend) {
  if (!backend) throw Error("model: set_backend needs a backend");
  backend_ = std::move(backend);
}

template <class T>
Layer<T>& Sequential<T>::add(std::unique_ptr<Layer<T>> layer) {
  const std::size_t i = layers_.size();
  Shape output_shape;
  try {
    output_shape = layer->build(shapes_.back());
  } catch (const Error& e) {
    throw Error(where(i, *layer) + e.what());
  }
  first_parameter_.push_back(parameters_.count());
  for (const ParameterSpec& spec : layer->parameter_specs()) {
    parameters_.add(std::to_string(i) + "." + spec.name, spec.shape, spec.init, spec.buffer, spec.integer);
  }
  shapes_.push_back(output_shape);
  layers_.push_back(std::move(layer));
  outputs_.outputs.emplace_back();
  outputs_.layers.emplace_back();
  output_grads_.emplace_back();
  // The store's buffers may have moved: point every layer at its tensors again.
  for (std::size_t k = 0; k < layers_.size(); ++k) layers_[k]->bind(parameters_, first_parameter_[k]);
  return *layers_.back();
}

template <class T>
void Sequential<T>::check_input(TensorView<const T> input) const {
  if (input.shape().rank() == 0 || !(input.shape().without_batch() == input_shape())) {
    throw Error("model: expected input [N, " + input_shape().str().substr(1) + ", got " + input.shape().str());
  }
}

template <class T>
TensorView<const T> Sequential<T>::run_forward(TensorView<const T> input, Context<T> context,
                                               Workspace& workspace) const {
  check_input(input);
  workspace.outputs.resize(layers_.size());
  workspace.layers.resize(layers_.size());
  TensorView<const T> x = input;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    workspace.outputs[i].resize(shapes_[i + 1].with_batch(input.batch()));
    context.workspace = &workspace.layers[i];
    try {
      layers_[i]->forward(context, x, workspace.outputs[i].view());
    } catch (const Error& e) {
      throw Error(where(i, *layers_[i]) + e.what());
    }
    x = workspace.outputs[i].view();
  }
  return x;
}

template <class T>
TensorView<const T> Sequential<T>::infer(TensorView<const T> input, Workspace& workspace) const {
  return run_forward(input, {.backend = backend_.get(), .mode = Mode::eval}, workspace);
}

template <class T>
TensorView<const T> Sequential<T>::forward(TensorView<const T> input, Mode mode, Rng* rng) {
  input_ = {};  // a failed forward leaves nothing for backward
  const TensorView<const T> y = run_forward(input, {.backend = backend_.get(), .mode = mode, .rng = rng}, outputs_);
  input_ = input;
  mode_ = mode;
  rng_ = rng;
  sharded_ = false;
  return y;
}

template <class T>
TensorView<const T> Sequential<T>::forward_shards(TensorView<const T> input, const ShardedBatch<T>& shards,
                                                  std::span<Rng> rngs) {
  input_ = {};
  check_input(input);
  const std::span<const std::size_t> rows = shards.rows;
  if (rows.size() != rngs.size() + 1 || rows.front() != 0 || rows.back() != input.batch() ||
      !std::is_sorted(rows.begin(), rows.end())) {
    throw Error("model: forward_shards needs " + std::to_string(rngs.size() + 1) +
                " ascending shard offsets from 0 to the batch size " + std::to_string(input.batch()));
  }
  shard_layers_.resize(rngs.size());
  for (auto& workspaces : shard_layers_) workspaces.resize(layers_.size());
  TensorView<const T> x = input;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    outputs_.outputs[i].resize(shapes_[i + 1].with_batch(input.batch()));
    const TensorView<T> y = outputs_.outputs[i].view();
    try {
      if (layers_[i]->reduces_over_batch()) {
        layers_[i]->forward({.backend = backend_.get(), .mode = Mode::train, .workspace = &outputs_.layers[i],
                             .shards = &shards},
                            x, y);
      } else {
        for (std::size_t j = 0; j < rngs.size(); ++j) {
          const std::size_t n = rows[j + 1] - rows[j];
          if (n == 0) continue;
          layers_[i]->forward({.backend = backend_.get(), .mode = Mode::train, .rng = &rngs[j],
                               .workspace = &shard_layers_[j][i]},
                              x.samples(rows[j], n), y.samples(rows[j], n));
        }
      }
    } catch (const Error& e) {
      throw Error(where(i, *layers_[i]) + e.what());
    }
    x = y;
  }
  input_ = input;
  mode_ = Mode::train;
  rng_ = nullptr;
  sharded_ = true;
  return x;
}

template <class T>
std::size_t Sequential<T>::lowest_needed_layer(bool want_input_grad) const {
  if (want_input_grad) return 0;
  std::size_t lowest = layers_.size();
  for (std::size_t i = layers_.size(); i-- > 0;) {
    const std::size_t end = i + 1 < layers_.size() ? first_parameter_[i + 1] : parameters_.count();
    for (std::size_t p = first_parameter_[i]; p < end; ++p) {
      if (parameters_.entry(p).trained()) lowest = i;
    }
  }
  return lowest;
}

template <class T>
bool Sequential<T>::updates_in_place() const {
  for (const auto& layer : layers_) {
    if (!layer->updates_in_place()) return false;
  }
  return true;
}

template <class T>
void Sequential<T>::backward(TensorView<const T> output_grad, TensorView<T> input_grad) {
  backward(output_grad, input_grad, {.base = parameters_.grads().data(), .scale = T(1)});
}

template <class T>
void Sequential<T>::backward(TensorView<const T> output_grad, TensorView<T> input_grad, GradientSink<T> sink) {
  const Shape expected = output_shape().with_batch(input_.empty() ? 0 : input_.batch());
  if (input_.empty() || sharded_ || !(output_grad.shape() == expected)) {
    throw Error("model: backward expects a gradient " + expected.str() + " for the last forward" +
                (sharded_ ? " (which was forward_shards: call backward_shards)" : "") + ", got " +
                output_grad.shape().str());
  }
  Context<T> context{.backend = backend_.get(), .mode = mode_, .rng = rng_, .gradients = sink};
  const std::size_t lowest = lowest_needed_layer(!input_grad.empty());
  TensorView<const T> dy = output_grad;
  for (std::size_t i = layers_.size(); i-- > lowest;) {
    TensorView<const T> x = i == 0 ? input_ : outputs_.outputs[i - 1].view();
    TensorView<T> dx = input_grad;
    if (i > lowest) {
      output_grads_[i - 1].resize(x.shape());
      dx = output_grads_[i - 1].view();
    }
    context.workspace = &outputs_.layers[i];
    try {
      layers_[i]->backward(context, x, outputs_.outputs[i].view(), dy, dx);
    } catch (const Error& e) {
      throw Error(where(i, *layers_[i]) + e.what());
    }
    dy = dx;
  }
}

template <class T>
void Sequential<T>::backward_shards(TensorView<const T> output_grad, const ShardedBatch<T>& shards) {
  const Shape expected = output_shape().with_batch(input_.empty() ? 0 : input_.batch());
  if (input_.empty() || !sharded_ || !(output_grad.shape() == expected) ||
      shards.rows.size() != shard_layers_.size() + 1 || shards.sinks.size() != shard_layers_.size()) {
    throw Error("model: backward_shards expects a gradient " + expected.str() +
                " and the shards of the last forward_shards, got " + output_grad.shape().str());
  }
  const std::span<const std::size_t> rows = shards.rows;
  const std::size_t lowest = lowest_needed_layer(false);
  TensorView<const T> dy = output_grad;
  for (std::size_t i = layers_.size(); i-- > lowest;) {
    const TensorView<const T> x = i == 0 ? input_ : outputs_.outputs[i - 1].view();
    const TensorView<const T> y = outputs_.outputs[i].view();
    TensorView<T> dx;
    if (i > lowest) {
      output_grads_[i - 1].resize(x.shape());
      dx = output_grads_[i - 1].view();
    }
    try {
      if (layers_[i]->reduces_over_batch()) {
        layers_[i]->backward({.backend = backend_.get(), .mode = Mode::train, .workspace = &outputs_.layers[i],
                              .shards = &shards},
                             x, y, dy, dx);
      } else {
        for (std::size_t j = 0; j + 1 < rows.size(); ++j) {
          const std::size_t first = rows[j], n = rows[j + 1] - first;
          if (n == 0) continue;
          layers_[i]->backward({.backend = backend_.get(), .mode = Mode::train, .workspace = &shard_layers_[j][i],
                                .gradients = shards.sinks[j]},
                               x.samples(first, n), y.samples(first, n), dy.samples(first, n),
                               dx.empty() ? dx : dx.samples(first, n));
        }
      }
    } catch (const Error& e) {
      throw Error(where(i, *layers_[i]) + e.what());
    }
    dy = dx;
  }
}

template class Sequential<float>;
template class Sequential<double>;

}  // namespace bpnn
