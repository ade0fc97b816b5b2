// The optimizer interface: one loop over the flat parameter list per step, with any state
// (momentum, Adam's moments) in flat buffers parallel to it. Frozen tensors are skipped.
#pragma once

#include "bpnn/core/parameter_store.hpp"

namespace bpnn {

template <class T>
class Optimizer {
 public:
  virtual ~Optimizer() = default;

  // Updates the parameters from their gradients; the gradients are left as they are. State
  // buffers are sized on the first step and must see the same parameter list after that.
  virtual void step(ParameterStore<T>& parameters) = 0;

  // The learning rate, which schedules change between epochs.
  virtual double learning_rate() const = 0;
  virtual void set_learning_rate(double learning_rate) = 0;

  // The learning rate, when the whole update is p -= lr * dE/dp (plain SGD: no momentum, no
  // decay), so it can be fused into back-propagation; 0 otherwise.
  virtual double plain_sgd_learning_rate() const { return 0.0; }
};

}  // namespace bpnn
