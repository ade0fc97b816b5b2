// One gradient-descent step over one batch: the loop every training mode (online, mini-batch,
// full-batch) is made of. Online training is a batch of 1; full-batch is a batch of the whole set.
#pragma once

#include "bpnn/core/tensor.hpp"
#include "bpnn/losses/loss.hpp"
#include "bpnn/model/sequential.hpp"
#include "bpnn/optim/optimizer.hpp"

namespace bpnn {

struct TrainerOptions {
  // Rescales the gradients when their total L2 norm exceeds this, as PyTorch's
  // clip_grad_norm_: g *= max_grad_norm / (norm + 1e-6). 0: no clipping.
  double max_grad_norm = 0.0;
  // The generator stochastic layers (dropout) draw from while training; null: the trainer's own,
  // seeded with 0.
  Rng* rng = nullptr;
};

template <class T>
class Trainer {
 public:
  // Keeps references: model, loss and optimizer must outlive the trainer.
  Trainer(Sequential<T>& model, const Loss<T>& loss, Optimizer<T>& optimizer, TrainerOptions options = {});

  // Forward runs in training mode. Zeroes the gradients, runs forward, the loss and backward, then updates the parameters.
  // Returns the batch's loss as it was before the update. With plain SGD (no momentum, no weight decay) and no
  // frozen parameters the update is fused into back-propagation (Sequential::backward_sgd) and the
  // gradients are not materialized (not with gradient clipping either); use compute_gradients to
  // inspect them.
  T step(TensorView<const T> input, TensorView<const T> target);

  // Only forward, the loss and backward: fills the gradients without updating. Returns the loss.
  T compute_gradients(TensorView<const T> input, TensorView<const T> target);

 private:
  // Forward and the loss; leaves dE/doutput in loss_grad_. Returns the loss.
  T forward_and_loss_gradient(TensorView<const T> input, TensorView<const T> target);

  Sequential<T>& model_;
  const Loss<T>& loss_;
  Optimizer<T>& optimizer_;
  TrainerOptions options_;
  Rng own_rng_{0};
  Tensor<T> loss_grad_;  // dE/doutput, sized once per batch size
};

extern template class Trainer<float>;
extern template class Trainer<double>;

}  // namespace bpnn
