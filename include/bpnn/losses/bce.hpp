// Binary cross-entropy on probabilities, as PyTorch's BCELoss:
// E = mean -(t log p + (1 - t) log(1 - p)), each log clamped at -100 so p = 0 or 1 gives a finite loss.
// Predictions must lie in [0, 1] (put a sigmoid before it).
#pragma once

#include "bpnn/losses/loss.hpp"

namespace bpnn {

struct BceOptions {
  Reduction reduction = Reduction::mean;
};

// prediction and target [N, ...], the same shape; prediction in [0, 1].
template <class T>
class Bce : public Loss<T> {
 public:
  explicit Bce(BceOptions options = {}) : options_(options) {}

  std::string_view name() const override { return "bce"; }
  // Throws Error naming the element if a prediction is outside [0, 1].
  using Loss<T>::forward;
  using Loss<T>::backward;
  T forward(const Backend<T>& backend, TensorView<const T> prediction, TensorView<const T> target) const override;
  void backward(const Backend<T>& backend, TensorView<const T> prediction, TensorView<const T> target,
                TensorView<T> prediction_grad) const override;

 private:
  BceOptions options_;
};

extern template class Bce<float>;
extern template class Bce<double>;

}  // namespace bpnn
