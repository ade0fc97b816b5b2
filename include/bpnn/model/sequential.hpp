// A stack of layers applied in order, as PyTorch's nn.Sequential. It owns the layers, the
// parameter store (named "<layer index>.<tensor>") and the activation buffers of one batch size.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

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

  // Runs the layers on input [N, input_shape...]; returns the output [N, output_shape...], a view
  // valid until the next forward. backward uses input, so keep it alive and unchanged until then.
  // Throws Error naming both shapes if input does not fit. Allocates only for a new largest batch.
  TensorView<const T> forward(TensorView<const T> input);
  // The same in training mode: stochastic layers (dropout) draw from rng.
  TensorView<const T> forward_train(TensorView<const T> input, Rng& rng);

  // What one caller's inference needs: every layer's output and a scratch buffer. Sized on first
  // use and reused after; give each thread its own.
  struct Workspace {
    std::vector<Tensor<T>> outputs;
    Tensor<T> scratch;
  };
  // Inference (eval mode) that changes nothing in the model: several threads may call it at once
  // on one model, each with its own workspace (while nobody trains or loads it). Returns the
  // output [N, output_shape...], a view into workspace valid until its next use.
  TensorView<const T> infer(TensorView<const T> input, Workspace& workspace) const;

  // Back-propagates output_grad ([N, output_shape...]) through the last forward: ADDS into the
  // parameter gradients and, if input_grad is given, overwrites it with dE/dinput. Layers below
  // the first trainable one are skipped unless input_grad is wanted.
  void backward(TensorView<const T> output_grad, TensorView<T> input_grad = {});

  // Online SGD's fast path: back-propagates output_grad through the last forward and updates every
  // parameter at once, p -= learning_rate * dE/dp, without materializing gradients. Returns false,
  // having changed nothing, when a layer has no such path or a parameter is frozen.
  bool backward_sgd(TensorView<const T> output_grad, T learning_rate);

  // The output of layer i in the last forward (the hidden activations), [N, ...].
  TensorView<const T> activation(std::size_t i) const { return outputs_[i].view(); }

 private:
  // The lowest layer whose backward matters: the first owning a trainable tensor, or 0 when the
  // gradient with respect to the input is wanted. Nothing below it influences a wanted gradient.
  std::size_t lowest_needed_layer(bool want_input_grad) const;
  // Throws Error naming both shapes unless input is [N, input_shape...].
  void check_input(TensorView<const T> input) const;
  // Runs every layer forward, in eval mode or (with rng) in training mode.
  TensorView<const T> run_forward(TensorView<const T> input, Rng* rng);
  // Runs step(i, x, dx) for layers from the top down to lowest, passing dE/dx down.
  void run_backward(TensorView<const T> output_grad, TensorView<T> input_grad, bool want_input_grad,
                    const std::function<void(std::size_t, TensorView<const T>, TensorView<const T>, TensorView<T>)>& step);

  std::vector<std::unique_ptr<Layer<T>>> layers_;
  std::vector<Shape> shapes_;              // shapes_[i]: per-sample input of layer i; back(): output
  std::vector<std::size_t> first_parameter_;  // index in parameters_ of layer i's first tensor
  ParameterStore<T> parameters_;
  TensorView<const T> input_;
  std::vector<Tensor<T>> outputs_;      // outputs_[i]: output of layer i
  std::vector<Tensor<T>> output_grads_;  // output_grads_[i]: dE/d(output of layer i)
};

extern template class Sequential<float>;
extern template class Sequential<double>;

}  // namespace bpnn
