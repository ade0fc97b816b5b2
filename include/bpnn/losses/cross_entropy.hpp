// Cross-entropy on logits with the softmax fused in, as PyTorch's CrossEntropyLoss:
// E_n = -sum_c t[n,c] log softmax(z_n)_c, averaged over the batch (mean) or summed (sum).
// The target is either class indices, shaped [N] (each a whole number in [0, C), stored in T), or
// class probabilities (one-hot or soft), shaped [N, C] like the logits — PyTorch's two forms.
#pragma once

#include "bpnn/losses/loss.hpp"

namespace bpnn {

struct CrossEntropyOptions {
  Reduction reduction = Reduction::mean;
};

// prediction: logits [N, C]; target: [N] class indices or [N, C] probabilities.
template <class T>
class CrossEntropy : public Loss<T> {
 public:
  explicit CrossEntropy(CrossEntropyOptions options = {}) : options_(options) {}

  std::string_view name() const override { return "cross_entropy"; }
  // Throws Error for a target of another shape or a class index that is not a whole number in [0, C).
  using Loss<T>::forward;
  using Loss<T>::backward;
  T forward(const Backend<T>& backend, TensorView<const T> prediction, TensorView<const T> target) const override;
  void backward(const Backend<T>& backend, TensorView<const T> prediction, TensorView<const T> target,
                TensorView<T> prediction_grad) const override;
  // One pass: the softmax's exponentials serve both the value and the gradient.
  T value_and_gradient(const Backend<T>& backend, TensorView<const T> prediction, TensorView<const T> target,
                       TensorView<T> prediction_grad) const override;

 private:
  CrossEntropyOptions options_;
};

extern template class CrossEntropy<float>;
extern template class CrossEntropy<double>;

}  // namespace bpnn
