// The optimizer interface: one loop over the flat parameter list per step, with any state
// (momentum, Adam's moments) in flat buffers parallel to it. Frozen tensors are skipped.
// Adding an optimizer: its header and source here (options struct, step with the update formula as
// a loop over spans, state) and one branch in make_optimizer; no backend changes
// (docs/architecture.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "bpnn/backend/backend.hpp"
#include "bpnn/core/error.hpp"
#include "bpnn/core/parameter_store.hpp"

namespace bpnn {

// What an optimizer carries from step to step, for checkpoints: named flat buffers parallel to the
// parameters (momentum, Adam's m and v; empty before the first step) and its step count.
template <class T>
struct OptimizerState {
  std::string kind;  // "sgd", "adam", "rmsprop": a state restores only into its own kind
  std::vector<std::pair<std::string, Tensor<T>>> buffers;
  std::uint64_t steps = 0;
};

// One share of a trained tensor: elements [offset, offset + size) of the flat buffers.
struct FlatRange {
  std::size_t offset = 0, size = 0;
  // These elements of a flat buffer parallel to the parameters (their values, their gradients, an
  // optimizer's state): a Tensor or a TensorView. An empty buffer (state the options do not use)
  // gives an empty span.
  template <class Buffer>
  auto of(Buffer&& flat) const {
    using Value = std::remove_pointer_t<decltype(flat.data())>;
    return flat.size() == 0 ? std::span<Value>() : std::span<Value>(flat.data() + offset, size);
  }
};

// Calls update(range) over the elements of every trained tensor (frozen ones and buffers skipped),
// each tensor shared out by the backend's parallel_for; item_work is an element's operations, which
// decides whether a tensor is worth splitting. The ranges of one tensor may run at once on
// different threads; for updates whose elements are independent, the results are then the same
// on every backend and thread count.
template <class T, class Update>
void for_each_trained_range(const ParameterStore<T>& parameters, const Backend<T>& backend, std::size_t item_work,
                            const Update& update) {
  for (std::size_t k = 0; k < parameters.count(); ++k) {
    const ParameterEntry& entry = parameters.entry(k);
    if (!entry.trained()) continue;
    backend.parallel_for(entry.shape.numel(), item_work, [&](std::size_t begin, std::size_t end) {
      update(FlatRange{.offset = entry.offset + begin, .size = end - begin});
    });
  }
}

template <class T>
class Optimizer {
 public:
  virtual ~Optimizer() = default;

  // Updates the parameters from their gradients, the update shared out by the backend's
  // parallel_for; the gradients are left as they are. State buffers are sized on the first step
  // and must see the same parameter list after that.
  virtual void step(ParameterStore<T>& parameters, const Backend<T>& backend) = 0;
  void step(ParameterStore<T>& parameters) { step(parameters, *default_backend<T>()); }

  // The learning rate, which schedules change between epochs.
  virtual double learning_rate() const = 0;
  virtual void set_learning_rate(double learning_rate) = 0;

  // The learning rate, when the whole update is p -= lr * dE/dp (plain SGD: no momentum, no
  // decay), so it can be fused into back-propagation; 0 otherwise.
  virtual double plain_sgd_learning_rate() const { return 0.0; }

  // The weight decay this optimizer adds to every gradient as weight_decay * p: the gradient of
  // an L2 term weight_decay / 2 ||p||^2 of the loss it minimizes (l2_penalty). 0 when it has none;
  // decoupled decay (AdamW) shrinks the weights apart from the gradient and is no term of the loss.
  virtual double coupled_weight_decay() const { return 0.0; }

  // The L1 strength this optimizer adds to every gradient as l1 sign(p): the subgradient of an L1
  // term l1 ||p||_1 of the loss it minimizes (l1_penalty), on the tensors weight decay takes. 0
  // when it has none.
  virtual double l1() const { return 0.0; }

  // The state, and restoring one this kind of optimizer gave (throws Error naming what is missing
  // or of the wrong size; parameter_count is the flat buffer's size).
  virtual OptimizerState<T> state() const = 0;
  virtual void set_state(const OptimizerState<T>& state, std::size_t parameter_count) = 0;
};

// The sum, in double, of term(p) over every element of every trained tensor (frozen ones and
// buffers skipped, as the update skips them): the regularization terms' one loop.
template <class T, class Term>
double sum_over_trained(const ParameterStore<T>& parameters, Term term) {
  double sum = 0.0;
  for (std::size_t k = 0; k < parameters.count(); ++k) {
    if (!parameters.entry(k).trained()) continue;
    for (const T p : parameters.value(k).span()) sum += term(static_cast<double>(p));
  }
  return sum;
}

// The L2 term of the loss that optimizer's coupled weight decay is the gradient of:
// coupled_weight_decay() / 2 times the sum of squares of every trained tensor. 0 without coupled
// decay.
template <class T>
double l2_penalty(const ParameterStore<T>& parameters, const Optimizer<T>& optimizer) {
  const double decay = optimizer.coupled_weight_decay();
  if (decay == 0.0) return 0.0;
  return 0.5 * decay * sum_over_trained(parameters, [](double p) { return p * p; });
}

// The L1 term of the loss that optimizer's l1 option is the subgradient of: l1() times the sum of
// absolute values of every trained tensor. 0 without it.
template <class T>
double l1_penalty(const ParameterStore<T>& parameters, const Optimizer<T>& optimizer) {
  const double strength = optimizer.l1();
  if (strength == 0.0) return 0.0;
  return strength * sum_over_trained(parameters, [](double p) { return p < 0.0 ? -p : p; });
}

// What L1 regularization adds to dE/dp: l1 sign(p), the subgradient of l1 |p| that is 0 at p = 0
// (as torch.sign), so a weight at 0 stays there unless its loss gradient moves it.
template <class T>
constexpr T l1_subgradient(T l1, T p) {
  return p > T(0) ? l1 : p < T(0) ? -l1 : T(0);
}

// The gradient an optimizer steps by: dE/dp g, plus coupled weight decay's weight_decay p, plus
// L1's l1 sign(p) when l1 is set (without it, the bits of g + weight_decay p alone).
template <class T>
constexpr T regularized_gradient(T g, T p, T weight_decay, T l1) {
  const T gi = g + weight_decay * p;
  return l1 == T(0) ? gi : gi + l1_subgradient(l1, p);
}

// Copies buffer `name` of state, which must be of `kind`, into `into`: empty if the state has
// none (the optimizer had not stepped), else it must hold parameter_count values. Throws Error otherwise.
template <class T>
void restore_buffer(const OptimizerState<T>& state, const std::string& kind, const std::string& name,
                    std::size_t parameter_count, Tensor<T>& into) {
  if (state.kind != kind) throw Error("the optimizer state is " + state.kind + "'s, this run uses " + kind);
  into = Tensor<T>();
  for (const auto& [buffer_name, buffer] : state.buffers) {
    if (buffer_name != name) continue;
    if (buffer.size() != parameter_count) {
      throw Error("optimizer state '" + name + "' holds " + std::to_string(buffer.size()) + " values, the model has " +
                  std::to_string(parameter_count) + " parameters");
    }
    into = buffer;
  }
}

}  // namespace bpnn
