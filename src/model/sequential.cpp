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
  return y;
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
  if (input_.empty() || !(output_grad.shape() == expected)) {
    throw Error("model: backward expects a gradient " + expected.str() + " for the last forward, got " +
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

template class Sequential<float>;
template class Sequential<double>;

}  // namespace bpnn
