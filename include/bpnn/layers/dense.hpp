// Fully connected layer, as PyTorch's nn.Linear: y = x W^T + b.
// Each output unit is the M-P neuron's weighted sum; its bias is minus the neuron's threshold.
#pragma once

#include <cstddef>
#include <optional>

#include "bpnn/init/initializer.hpp"
#include "bpnn/layers/layer.hpp"

namespace bpnn {

struct DenseOptions {
  std::size_t units = 0;  // output features
  bool bias = true;
  // Defaults, as PyTorch's Linear: weight and bias both U(-1/sqrt(in), 1/sqrt(in)). A fan-based
  // bias_init (xavier_*, he_*) takes the weight's fans (bias_initializer in init/initializer.hpp).
  std::optional<Initializer> weight_init = std::nullopt;
  std::optional<Initializer> bias_init = std::nullopt;
};

// input [N, in], output [N, units]; parameters "weight" [units, in] and "bias" [units].
template <class T>
class Dense : public Layer<T> {
 public:
  explicit Dense(DenseOptions options);

  std::string_view kind() const override { return "dense"; }
  Shape build(const Shape& input_shape) override;
  std::vector<ParameterSpec> parameter_specs() const override;
  void bind(ParameterStore<T>& store, std::size_t first) override;
  LayerConfig config() const override;
  void forward(const Context<T>& context, TensorView<const T> input, TensorView<T> output) const override;
  void backward(const Context<T>& context, TensorView<const T> input, TensorView<const T> output,
                TensorView<const T> output_grad, TensorView<T> input_grad) const override;
  bool updates_in_place() const override { return true; }

  const DenseOptions& options() const { return options_; }
  std::size_t in_features() const { return in_; }

 private:
  DenseOptions options_;
  std::size_t in_ = 0;
  TensorView<T> weight_, bias_;
  std::size_t weight_offset_ = 0, bias_offset_ = 0;  // in the flat parameter buffer
};

extern template class Dense<float>;
extern template class Dense<double>;

}  // namespace bpnn
