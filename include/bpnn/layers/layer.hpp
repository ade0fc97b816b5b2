// The one layer interface. A layer maps an input batch [N, in...] to an output batch [N, out...]
// and back-propagates: given dE/doutput it writes dE/dinput and adds into its parameter gradients.
//
// The contract, for every layer:
//   - forward overwrites output; backward overwrites input_grad and ADDS into the parameter
//     gradients (zeroing them is the caller's explicit step, ParameterStore::zero_grad).
//   - backward receives the input and output of the matching forward, so layers keep no copies.
//   - an empty input_grad view means "not wanted" (the first layer of a model): skip that work.
//   - forward and backward allocate nothing once sized for a batch; infer is const (thread-safe).
// Shapes passed to build are per sample (no batch dimension); views passed to forward/backward
// carry the batch first. The model checks shapes once at its entry; layers trust them.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "bpnn/core/parameter_store.hpp"
#include "bpnn/core/rng.hpp"
#include "bpnn/core/shape.hpp"
#include "bpnn/core/tensor.hpp"

namespace bpnn {

template <class T>
class Layer {
 public:
  virtual ~Layer() = default;

  // The layer's kind as network files name it: "dense", "sigmoid", ...
  virtual std::string_view kind() const = 0;

  // Checks the per-sample input shape and returns the per-sample output shape. Called once, when
  // the layer joins a model; throws Error if the layer cannot take that input.
  virtual Shape build(const Shape& input_shape) = 0;

  // The parameters the layer needs (valid after build), with names local to the layer.
  virtual std::vector<ParameterSpec> parameter_specs() const { return {}; }

  // Points the layer at its parameters: entries first .. first + parameter_specs().size() - 1 of
  // store, in the order parameter_specs() gave them. Called again whenever the store grows.
  virtual void bind(ParameterStore<T>& /*store*/, std::size_t /*first*/) {}

  // Inference (eval mode): deterministic, const, and safe to call on one layer from several threads
  // at once; scratch is the caller's per-call workspace, which the layer may resize (conv2d's
  // im2col columns).
  virtual void infer(TensorView<const T> input, TensorView<T> output, Tensor<T>& scratch) const = 0;

  // Eval-mode forward as the first half of a backward pass: layers that behave differently while
  // training (dropout, batch norm) note here which forward backward follows. By default: infer.
  virtual void forward(TensorView<const T> input, TensorView<T> output) { infer(input, output, scratch_); }

  // Training mode, for the layers that behave differently while training (dropout draws its mask
  // from rng). The mode is passed, never stored globally; by default the same as forward.
  virtual void forward_train(TensorView<const T> input, TensorView<T> output, Rng& /*rng*/) { forward(input, output); }

  virtual void backward(TensorView<const T> input, TensorView<const T> output,
                        TensorView<const T> output_grad, TensorView<T> input_grad) = 0;

  // Online SGD's fast path (the tutorials' w -= lr * dE/dw after every sample): like backward, but
  // instead of adding dE/dp into the parameter gradients it applies p -= learning_rate * dE/dp at
  // once, after input_grad was computed with the old parameters. Only called when fuses_sgd().
  virtual bool fuses_sgd() const { return parameter_specs().empty(); }
  virtual void backward_sgd(TensorView<const T> input, TensorView<const T> output, TensorView<const T> output_grad,
                            TensorView<T> input_grad, T /*learning_rate*/) {
    backward(input, output, output_grad, input_grad);
  }

 protected:
  Tensor<T> scratch_;  // the workspace of forward's call to infer
};

}  // namespace bpnn
