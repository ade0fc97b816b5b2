// Stochastic gradient descent, as PyTorch's torch.optim.SGD without momentum:
// p -= lr * (dE/dp + weight_decay * p), over every parameter that is not frozen.
#pragma once

#include "bpnn/core/parameter_store.hpp"

namespace bpnn {

struct SgdOptions {
  double learning_rate = 0.01;
  double weight_decay = 0.0;  // L2 penalty: adds weight_decay * p to each gradient
};

template <class T>
class Sgd {
 public:
  explicit Sgd(SgdOptions options) : options_(options) {}

  // Updates the parameters from their gradients; the gradients are left as they are.
  void step(ParameterStore<T>& parameters) const;

  const SgdOptions& options() const { return options_; }

 private:
  SgdOptions options_;
};

extern template class Sgd<float>;
extern template class Sgd<double>;

}  // namespace bpnn
