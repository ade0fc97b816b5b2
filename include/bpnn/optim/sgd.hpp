// Stochastic gradient descent, as PyTorch's torch.optim.SGD (dampening 0):
//   g = dE/dp + weight_decay p (+ l1 sign(p), bpnn's L1 term);  b = momentum b + g (b = g at the first step);
//   p -= lr (g + momentum b) with Nesterov, p -= lr b without; p -= lr g when momentum is 0.
#pragma once

#include "bpnn/core/tensor.hpp"
#include "bpnn/optim/optimizer.hpp"

namespace bpnn {

struct SgdOptions {
  double learning_rate = 0.01;
  double momentum = 0.0;
  bool nesterov = false;
  double weight_decay = 0.0;  // L2 penalty: adds weight_decay * p to each gradient
  double l1 = 0.0;            // L1 penalty: adds l1 * sign(p) to each gradient (PyTorch has none)
};

template <class T>
class Sgd : public Optimizer<T> {
 public:
  // Throws Error for a negative rate, momentum, decay or l1, or Nesterov without momentum.
  explicit Sgd(SgdOptions options);

  using Optimizer<T>::step;
  void step(ParameterStore<T>& parameters, const Backend<T>& backend) override;
  double learning_rate() const override { return options_.learning_rate; }
  void set_learning_rate(double learning_rate) override { options_.learning_rate = learning_rate; }
  OptimizerState<T> state() const override;
  void set_state(const OptimizerState<T>& state, std::size_t parameter_count) override;
  double plain_sgd_learning_rate() const override;
  double coupled_weight_decay() const override { return options_.weight_decay; }
  double l1() const override { return options_.l1; }

  const SgdOptions& options() const { return options_; }

 private:
  SgdOptions options_;
  Tensor<T> velocity_;  // b, parallel to the flat parameter buffer
  bool started_ = false;
};

extern template class Sgd<float>;
extern template class Sgd<double>;

}  // namespace bpnn
