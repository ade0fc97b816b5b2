// The loss interface: a scalar E from a batch of predictions and targets, and dE/dprediction.
// The backend does the arithmetic where a loss has a backend op (cross-entropy); the others are
// plain loops on the host. Reductions are PyTorch's: mean (the default) divides the summed loss by
// the number of elements (mse, mae, bce) or by the batch size (cross_entropy); sum does not divide.
#pragma once

#include <string_view>

#include "bpnn/backend/backend.hpp"
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
  virtual T forward(const Backend<T>& backend, TensorView<const T> prediction, TensorView<const T> target) const = 0;
  T forward(TensorView<const T> prediction, TensorView<const T> target) const {
    return forward(*default_backend<T>(), prediction, target);
  }

  // dE/dprediction, overwriting prediction_grad (the shape of prediction).
  virtual void backward(const Backend<T>& backend, TensorView<const T> prediction, TensorView<const T> target,
                        TensorView<T> prediction_grad) const = 0;
  void backward(TensorView<const T> prediction, TensorView<const T> target, TensorView<T> prediction_grad) const {
    backward(*default_backend<T>(), prediction, target, prediction_grad);
  }

  // E and dE/dprediction together, as a training step needs them: forward then backward, unless a
  // loss shares the work between the two (cross-entropy's softmax).
  virtual T value_and_gradient(const Backend<T>& backend, TensorView<const T> prediction, TensorView<const T> target,
                               TensorView<T> prediction_grad) const {
    const T value = forward(backend, prediction, target);
    backward(backend, prediction, target, prediction_grad);
    return value;
  }
};

// Throws Error unless prediction and target have the same shape; loss names the loss.
template <class T>
void check_same_shape(std::string_view loss, TensorView<const T> prediction, TensorView<const T> target);

// 1 for sum, 1 / count for mean: the factor the reduction applies to the summed loss.
template <class T>
T reduction_scale(Reduction reduction, std::size_t count);

// The options of a loss that has only a reduction (mse, mae, bce).
struct ReductionOptions {
  Reduction reduction = Reduction::mean;
};

// A loss that is the reduction of one term per element: E = s sum_i e(p_i, t_i), s being 1/count
// for mean and 1 for sum, over prediction and target [N, ...] of the same shape. Term
// (losses/elementwise.hpp: MseTerm, MaeTerm, BceTerm) names the loss and gives, side by side:
//   value(p, t): e(p, t);  gradient(p, t, s): dE/dp = s de/dp;  and, if the loss takes only some
//   predictions, check(p), which throws for one it does not (bce: probabilities).
template <class T, class Term>
class ElementwiseLoss : public Loss<T> {
 public:
  explicit ElementwiseLoss(ReductionOptions options = {}) : options_(options) {}

  std::string_view name() const override { return Term::name; }
  using Loss<T>::forward;
  using Loss<T>::backward;
  T forward(const Backend<T>& /*backend*/, TensorView<const T> p, TensorView<const T> t) const override {
    check_same_shape(name(), p, t);
    check(p);
    T sum = 0;
    for (std::size_t i = 0; i < p.size(); ++i) sum += Term::value(p[i], t[i]);
    return sum * reduction_scale<T>(options_.reduction, p.size());
  }
  void backward(const Backend<T>& /*backend*/, TensorView<const T> p, TensorView<const T> t,
                TensorView<T> dp) const override {
    check_same_shape(name(), p, t);
    check(p);
    const T s = reduction_scale<T>(options_.reduction, p.size());
    for (std::size_t i = 0; i < p.size(); ++i) dp[i] = Term::gradient(p[i], t[i], s);
  }
  const ReductionOptions& options() const { return options_; }

 private:
  static void check(TensorView<const T> p) {
    if constexpr (requires { Term::check(p); }) Term::check(p);
  }
  ReductionOptions options_;
};

}  // namespace bpnn
