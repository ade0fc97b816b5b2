// RPROP, as PyTorch's torch.optim.Rprop and FANN's FANN_TRAIN_RPROP (iRPROP-): each parameter has
// a step size of its own, started at the learning rate; per element, with d = sign(g prev):
//   step = clamp(step * (d > 0 ? eta_plus : d < 0 ? eta_minus : 1), step_min, step_max)
//   g = 0 where d < 0;   p -= sign(g) step;   prev = g
// Only the gradient's sign is used, so it is a full-batch method: minibatch gradients change sign
// from batch to batch by noise and shrink every step (train with the whole set as one batch).
#pragma once

#include <cstdint>

#include "bpnn/core/tensor.hpp"
#include "bpnn/optim/optimizer.hpp"

namespace bpnn {

struct RpropOptions {
  double learning_rate = 0.01;  // the initial step size (PyTorch's lr; FANN's delta0 is 0.1)
  double eta_minus = 0.5;       // the step's factor after a sign change
  double eta_plus = 1.2;        // the step's factor after the same sign twice
  double step_min = 1e-6;       // the step's bounds (FANN's delta_min 0, delta_max 50)
  double step_max = 50.0;
};

template <class T>
class Rprop : public Optimizer<T> {
 public:
  // Throws Error unless 0 < eta_minus < 1 < eta_plus, 0 <= step_min <= step_max and the rate >= 0.
  explicit Rprop(RpropOptions options);

  using Optimizer<T>::step;
  void step(ParameterStore<T>& parameters, const Backend<T>& backend) override;
  // The learning rate is the step size each parameter starts from; after the first step each
  // parameter's step follows its own gradient, so setting it (a schedule) changes nothing already
  // started, as in PyTorch. It still sets the start of a parameter list sized afresh.
  double learning_rate() const override { return options_.learning_rate; }
  void set_learning_rate(double learning_rate) override { options_.learning_rate = learning_rate; }
  OptimizerState<T> state() const override;
  void set_state(const OptimizerState<T>& state, std::size_t parameter_count) override;

  const RpropOptions& options() const { return options_; }
  std::uint64_t steps() const { return t_; }

 private:
  RpropOptions options_;
  Tensor<T> prev_, step_;  // the previous (zeroed after a sign change) gradient and the step sizes
  std::uint64_t t_ = 0;
};

extern template class Rprop<float>;
extern template class Rprop<double>;

}  // namespace bpnn
