// Adagrad, as PyTorch's torch.optim.Adagrad: each parameter's step shrinks with the root of the
// sum of its squared gradients so far.
//   g = dE/dp + weight_decay p;  s += g^2;  p -= lr / (1 + (t - 1) lr_decay) g / (sqrt(s) + eps)
//   (and g += l1 sign(p), bpnn's L1 term, which PyTorch has not)
#pragma once

#include <cstdint>

#include "bpnn/core/tensor.hpp"
#include "bpnn/optim/optimizer.hpp"

namespace bpnn {

struct AdagradOptions {
  double learning_rate = 0.01;
  double lr_decay = 0.0;                   // step t uses learning_rate / (1 + (t - 1) lr_decay)
  double weight_decay = 0.0;               // L2 penalty: adds weight_decay * p to each gradient
  double initial_accumulator_value = 0.0;  // where every sum s starts
  double eps = 1e-10;                      // added to the root, not under it, as PyTorch
  double l1 = 0.0;                         // L1 penalty: adds l1 * sign(p) to each gradient
};

template <class T>
class Adagrad : public Optimizer<T> {
 public:
  // Throws Error for a negative option (or NaN).
  explicit Adagrad(AdagradOptions options);

  using Optimizer<T>::step;
  void step(ParameterStore<T>& parameters, const Backend<T>& backend) override;
  double learning_rate() const override { return options_.learning_rate; }
  void set_learning_rate(double learning_rate) override { options_.learning_rate = learning_rate; }
  double coupled_weight_decay() const override { return options_.weight_decay; }
  double l1() const override { return options_.l1; }
  // The buffer "sum" (PyTorch's name), after the first step.
  OptimizerState<T> state() const override;
  void set_state(const OptimizerState<T>& state, std::size_t parameter_count) override;

  const AdagradOptions& options() const { return options_; }
  std::uint64_t steps() const { return t_; }

 private:
  AdagradOptions options_;
  Tensor<T> sum_;  // s, parallel to the flat parameter buffer
  std::uint64_t t_ = 0;
};

extern template class Adagrad<float>;
extern template class Adagrad<double>;

}  // namespace bpnn
