// The loss interface: a scalar E from a batch of predictions and targets, and dE/dprediction.
// Reductions are PyTorch's: mean (the default) divides the summed loss by the number of elements
// (mse, mae, bce) or by the batch size (cross_entropy); sum does not divide.
#pragma once

#include <string_view>

#include "bpnn/core/tensor.hpp"

namespace bpnn {

enum class Reduction { mean, sum };

template <class T>
class Loss {
 public:
  virtual ~Loss() = default;

  // The loss's name as the command line spells it: "mse", "cross_entropy", ...
  virtual std::string_view name() const = 0;

  // E for prediction [N, ...] against target; throws Error naming both shapes if they do not fit.
  virtual T forward(TensorView<const T> prediction, TensorView<const T> target) const = 0;

  // dE/dprediction, overwriting prediction_grad (the shape of prediction).
  virtual void backward(TensorView<const T> prediction, TensorView<const T> target,
                        TensorView<T> prediction_grad) const = 0;
};

// Throws Error unless prediction and target have the same shape; loss names the loss.
template <class T>
void check_same_shape(std::string_view loss, TensorView<const T> prediction, TensorView<const T> target);

// 1 for sum, 1 / count for mean: the factor the reduction applies to the summed loss.
template <class T>
T reduction_scale(Reduction reduction, std::size_t count);

}  // namespace bpnn
