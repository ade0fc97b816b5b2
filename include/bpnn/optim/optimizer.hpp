// The optimizer interface: one loop over the flat parameter list per step, with any state
// (momentum, Adam's moments) in flat buffers parallel to it. Frozen tensors are skipped.
// Adding an optimizer: its header and source here (options struct, step, state), its update op in
// backend/backend.hpp and backend/loops.hpp, and one branch in make_optimizer (docs/architecture.md).
#pragma once

#include <cstdint>
#include <string>
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

template <class T>
class Optimizer {
 public:
  virtual ~Optimizer() = default;

  // Updates the parameters from their gradients, through the backend's update op; the gradients
  // are left as they are. State buffers are sized on the first step and must see the same
  // parameter list after that.
  virtual void step(ParameterStore<T>& parameters, const Backend<T>& backend) = 0;
  void step(ParameterStore<T>& parameters) { step(parameters, *default_backend<T>()); }

  // The learning rate, which schedules change between epochs.
  virtual double learning_rate() const = 0;
  virtual void set_learning_rate(double learning_rate) = 0;

  // The learning rate, when the whole update is p -= lr * dE/dp (plain SGD: no momentum, no
  // decay), so it can be fused into back-propagation; 0 otherwise.
  virtual double plain_sgd_learning_rate() const { return 0.0; }

  // The state, and restoring one this kind of optimizer gave (throws Error naming what is missing
  // or of the wrong size; parameter_count is the flat buffer's size).
  virtual OptimizerState<T> state() const = 0;
  virtual void set_state(const OptimizerState<T>& state, std::size_t parameter_count) = 0;
};

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
