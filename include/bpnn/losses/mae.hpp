// Mean absolute error, as PyTorch's L1Loss: E = mean |p - t|.
#pragma once

#include "bpnn/losses/loss.hpp"

namespace bpnn {

struct MaeOptions {
  Reduction reduction = Reduction::mean;
};

// prediction and target [N, ...], the same shape.
template <class T>
class Mae : public Loss<T> {
 public:
  explicit Mae(MaeOptions options = {}) : options_(options) {}

  std::string_view name() const override { return "mae"; }
  using Loss<T>::forward;
  using Loss<T>::backward;
  T forward(const Backend<T>& backend, TensorView<const T> prediction, TensorView<const T> target) const override;
  void backward(const Backend<T>& backend, TensorView<const T> prediction, TensorView<const T> target,
                TensorView<T> prediction_grad) const override;

 private:
  MaeOptions options_;
};

extern template class Mae<float>;
extern template class Mae<double>;

}  // namespace bpnn
