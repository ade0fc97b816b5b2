// Adam and AdamW, as PyTorch's torch.optim.Adam and AdamW (amsgrad off), at step t:
//   Adam:  g = dE/dp + weight_decay p            AdamW: p *= 1 - lr weight_decay;  g = dE/dp
//   (either: g += l1 sign(p), bpnn's L1 term, which PyTorch has not)
//   m = beta1 m + (1 - beta1) g;   v = beta2 v + (1 - beta2) g^2
//   p -= lr (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps)
#pragma once

#include <cstdint>

#include "bpnn/core/tensor.hpp"
#include "bpnn/optim/optimizer.hpp"

namespace bpnn {

struct AdamOptions {
  double learning_rate = 0.001;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;            // PyTorch's AdamW defaults to 0.01
  bool decoupled_weight_decay = false;  // true: AdamW
  double l1 = 0.0;                      // L1 penalty: adds l1 * sign(p) to each gradient
};

template <class T>
class Adam : public Optimizer<T> {
 public:
  // Throws Error for betas outside [0, 1), a negative rate, eps, decay or l1.
  explicit Adam(AdamOptions options);

  using Optimizer<T>::step;
  void step(ParameterStore<T>& parameters, const Backend<T>& backend) override;
  double learning_rate() const override { return options_.learning_rate; }
  void set_learning_rate(double learning_rate) override { options_.learning_rate = learning_rate; }
  OptimizerState<T> state() const override;
  void set_state(const OptimizerState<T>& state, std::size_t parameter_count) override;
  double coupled_weight_decay() const override {
    return options_.decoupled_weight_decay ? 0.0 : options_.weight_decay;
  }
  double l1() const override { return options_.l1; }

  const AdamOptions& options() const { return options_; }
  std::uint64_t steps() const { return t_; }

 private:
  AdamOptions options_;
  Tensor<T> m_, v_;  // first and second moments, parallel to the flat parameter buffer
  std::uint64_t t_ = 0;
};

extern template class Adam<float>;
extern template class Adam<double>;

}  // namespace bpnn
