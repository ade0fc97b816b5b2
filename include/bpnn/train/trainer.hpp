// One gradient-descent step over one batch: the loop every training mode (online, mini-batch,
// full-batch) is made of. Online training is a batch of 1; full-batch is a batch of the whole set.
// A step is three named stages: compute the gradients (forward, loss, backward), run the gradient
// hooks (clipping, averaging across processes, accumulation), apply the optimizer's update.
#pragma once

#include <functional>
#include <vector>

#include "bpnn/core/tensor.hpp"
#include "bpnn/losses/loss.hpp"
#include "bpnn/model/sequential.hpp"
#include "bpnn/optim/optimizer.hpp"

namespace bpnn {

// Runs on the flat gradients between back-propagation and the update; may change them.
template <class T>
using GradientHook = std::function<void(ParameterStore<T>& parameters, const Backend<T>& backend)>;

// PyTorch's clip_grad_norm_ over the trainable tensors: the total L2 norm n of all gradients, and
// if n > max_norm every gradient times max_norm / (n + 1e-6).
template <class T>
void clip_gradient_norm(ParameterStore<T>& parameters, const Backend<T>& backend, double max_norm);

struct TrainerOptions {
  // Adds the clip_gradient_norm hook with this norm first. 0: no clipping.
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

  // Hooks run in the order added, after every compute_gradients of step.
  void add_gradient_hook(GradientHook<T> hook);

  // The three stages. Returns the batch's loss as it was before the update; forward runs in
  // training mode. With plain SGD (no momentum, no weight decay), no hook and no frozen tensor,
  // the update is fused into back-propagation instead: the gradient sink is the parameters
  // themselves with scale -lr, which leaves the gradient buffer untouched (use compute_gradients
  // to inspect gradients).
  T step(TensorView<const T> input, TensorView<const T> target);

  // Stage 1: zeroes the gradients, runs forward, the loss and backward. Returns the loss.
  T compute_gradients(TensorView<const T> input, TensorView<const T> target);
  // Stage 2: every gradient hook, in order.
  void run_gradient_hooks();
  // Stage 3: the optimizer's step over the parameters.
  void apply_update();

  // Whether step fuses the update into back-propagation (plain SGD, no hook, nothing frozen, every
  // layer updating in place), leaving the gradient buffer untouched.
  bool fuses() const { return fused_learning_rate() > T(0); }

 private:
  // Forward and the loss; leaves dE/doutput in loss_grad_. Returns the loss.
  T forward_and_loss_gradient(TensorView<const T> input, TensorView<const T> target);
  // The learning rate of a fusable step, 0 when the step cannot be fused.
  T fused_learning_rate() const;

  Sequential<T>& model_;
  const Loss<T>& loss_;
  Optimizer<T>& optimizer_;
  TrainerOptions options_;
  std::vector<GradientHook<T>> hooks_;
  Rng own_rng_{0};
  Tensor<T> loss_grad_;  // dE/doutput, sized once per batch size
};

extern template class Trainer<float>;
extern template class Trainer<double>;

}  // namespace bpnn
