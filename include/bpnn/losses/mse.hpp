// Mean squared error, as PyTorch's MSELoss: E = mean (p - t)^2.
// For two outputs this equals the tutorials' E = 1/2 sum (t - o)^2.
#pragma once

#include "bpnn/losses/loss.hpp"

namespace bpnn {

struct MseOptions {
  Reduction reduction = Reduction::mean;
};

// prediction and target [N, ...], the same shape.
template <class T>
class Mse : public Loss<T> {
 public:
  explicit Mse(MseOptions options = {}) : options_(options) {}

  std::string_view name() const override { return "mse"; }
  using Loss<T>::forward;
  using Loss<T>::backward;
  T forward(const Backend<T>& backend, TensorView<const T> prediction, TensorView<const T> target) const override;
  void backward(const Backend<T>& backend, TensorView<const T> prediction, TensorView<const T> target,
                TensorView<T> prediction_grad) const override;

 private:
  MseOptions options_;
};

extern template class Mse<float>;
extern template class Mse<double>;

}  // namespace bpnn
