#include "bpnn/model/sequential.hpp"

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
Sequential<T>::Sequential(const Shape& input_shape) : shapes_{input_shape} {}

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
  outputs_.emplace_back();
  output_grads_.emplace_back();
  // The store's buffers may have moved: point every layer at its tensors again.
  for (std::size_t k = 0; k < layers_.size(); ++k) layers_[k]->bind(parameters_, first_parameter_[k]);
  return *layers_.back();
}

template <class T>
TensorView<const T> Sequential<T>::forward(TensorView<const T> input) {
  return run_forward(input, nullptr);
}

template <class T>
TensorView<const T> Sequential<T>::forward_train(TensorView<const T> input, Rng& rng) {
  return run_forward(input, &rng);
}

template <class T>
void Sequential<T>::check_input(TensorView<const T> input) const {
  if (input.shape().rank() == 0 || !(input.shape().without_batch() == input_shape())) {
    throw Error("model: expected input [N, " + input_shape().str().substr(1) + ", got " + input.shape().str());
  }
}

template <class T>
TensorView<const T> Sequential<T>::infer(TensorView<const T> input, Workspace& workspace) const {
  check_input(input);
  workspace.outputs.resize(layers_.size());
  TensorView<const T> x = input;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    workspace.outputs[i].resize(shapes_[i + 1].with_batch(input.batch()));
    try {
      layers_[i]->infer(x, workspace.outputs[i].view(), workspace.scratch);
    } catch (const Error& e) {
      throw Error(where(i, *layers_[i]) + e.what());
    }
    x = workspace.outputs[i].view();
  }
  return x;
}

template <class T>
TensorView<const T> Sequential<T>::run_forward(TensorView<const T> input, Rng* rng) {
  check_input(input);
  const std::size_t N = input.batch();
  input_ = input;
  TensorView<const T> x = input;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    outputs_[i].resize(shapes_[i + 1].with_batch(N));
    try {
      if (rng != nullptr) {
        layers_[i]->forward_train(x, outputs_[i].view(), *rng);
      } else {
        layers_[i]->forward(x, outputs_[i].view());
      }
    } catch (const Error& e) {
      throw Error(where(i, *layers_[i]) + e.what());
    }
    x = outputs_[i].view();
  }
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
void Sequential<T>::run_backward(
    TensorView<const T> output_grad, TensorView<T> input_grad, bool want_input_grad,
    const std::function<void(std::size_t, TensorView<const T>, TensorView<const T>, TensorView<T>)>& step) {
  const Shape expected = output_shape().with_batch(input_.empty() ? 0 : input_.batch());
  if (input_.empty() || !(output_grad.shape() == expected)) {
    throw Error("model: backward expects a gradient " + expected.str() + " for the last forward, got " +
                output_grad.shape().str());
  }
  const std::size_t lowest = lowest_needed_layer(want_input_grad);
  TensorView<const T> dy = output_grad;
  for (std::size_t i = layers_.size(); i-- > lowest;) {
    TensorView<const T> x = i == 0 ? input_ : outputs_[i - 1].view();
    TensorView<T> dx = input_grad;
    if (i > lowest) {
      output_grads_[i - 1].resize(x.shape());
      dx = output_grads_[i - 1].view();
    }
    try {
      step(i, x, dy, dx);
    } catch (const Error& e) {
      throw Error(where(i, *layers_[i]) + e.what());
    }
    dy = dx;
  }
}

template <class T>
void Sequential<T>::backward(TensorView<const T> output_grad, TensorView<T> input_grad) {
  run_backward(output_grad, input_grad, !input_grad.empty(),
               [&](std::size_t i, TensorView<const T> x, TensorView<const T> dy, TensorView<T> dx) {
                 layers_[i]->backward(x, outputs_[i].view(), dy, dx);
               });
}

template <class T>
bool Sequential<T>::backward_sgd(TensorView<const T> output_grad, T learning_rate) {
  // Layers update as they go, so every one must take the path before the first one does.
  for (std::size_t p = 0; p < parameters_.count(); ++p) {
    if (parameters_.entry(p).frozen) return false;
  }
  for (const auto& layer : layers_) {
    if (!layer->fuses_sgd()) return false;
  }
  run_backward(output_grad, {}, false,
               [&](std::size_t i, TensorView<const T> x, TensorView<const T> dy, TensorView<T> dx) {
                 layers_[i]->backward_sgd(x, outputs_[i].view(), dy, dx, learning_rate);
               });
  return true;
}

template class Sequential<float>;
template class Sequential<double>;

}  // namespace bpnn
