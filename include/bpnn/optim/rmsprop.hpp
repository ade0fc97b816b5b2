// RMSprop, as PyTorch's torch.optim.RMSprop:
//   g = dE/dp + weight_decay p (+ l1 sign(p), bpnn's L1 term);  a = alpha a + (1 - alpha) g^2;
//   centered: ga = alpha ga + (1 - alpha) g, d = sqrt(a - ga^2) + eps;  else d = sqrt(a) + eps;
//   momentum > 0: b = momentum b + g / d, p -= lr b;  else p -= lr g / d.
#pragma once

#include <cstdint>

#include "bpnn/core/tensor.hpp"
#include "bpnn/optim/optimizer.hpp"

namespace bpnn {

struct RmspropOptions {
  double learning_rate = 0.01;
  double alpha = 0.99;         // decay of the running mean of g^2 (and of g when centered)
  double eps = 1e-8;           // added to the root, not under it, as PyTorch
  double weight_decay = 0.0;   // L2 penalty: adds weight_decay * p to each gradient
  double momentum = 0.0;       // 0: no momentum buffer
  bool centered = false;       // divide by an estimate of the variance instead of the raw second moment
  double l1 = 0.0;             // L1 penalty: adds l1 * sign(p) to each gradient (PyTorch has none)
};

template <class T>
class Rmsprop : public Optimizer<T> {
 public:
  // Throws Error for alpha outside [0, 1), a negative rate, eps, decay, momentum or l1.
  explicit Rmsprop(RmspropOptions options);

  using Optimizer<T>::step;
  void step(ParameterStore<T>& parameters, const Backend<T>& backend) override;
  double learning_rate() const override { return options_.learning_rate; }
  void set_learning_rate(double learning_rate) override { options_.learning_rate = learning_rate; }
  // Buffers "square_avg", and "momentum_buffer" (momentum > 0) and "grad_avg" (centered) when used.
  OptimizerState<T> state() const override;
  void set_state(const OptimizerState<T>& state, std::size_t parameter_count) override;
  double coupled_weight_decay() const override { return options_.weight_decay; }
  double l1() const override { return options_.l1; }

  const RmspropOptions& options() const { return options_; }
  std::uint64_t steps() const { return t_; }

 private:
  RmspropOptions options_;
  // a, b and ga, parallel to the flat parameter buffer; b and ga stay empty when not used.
  Tensor<T> square_avg_, momentum_buffer_, grad_avg_;
  std::uint64_t t_ = 0;
};

extern template class Rmsprop<float>;
extern template class Rmsprop<double>;

}  // namespace bpnn
