// All trainable parameters of a model in one flat buffer, all their gradients in a parallel one,
// with a named view per tensor. The optimizer is then one loop, zeroing is one fill, and saving is
// one write. Names follow PyTorch's nn.Sequential state_dict: "<layer index>.<tensor>" ("0.weight").
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "bpnn/core/rng.hpp"
#include "bpnn/core/shape.hpp"
#include "bpnn/core/tensor.hpp"
#include "bpnn/init/initializer.hpp"

namespace bpnn {

// What a layer asks for: a tensor name local to the layer ("weight"), its shape and first values.
// A buffer (batch norm's running statistics) is saved and loaded like a parameter but is never
// trained: it has no gradient worth reading and optimizers skip it, as PyTorch's register_buffer.
struct ParameterSpec {
  std::string name;
  Shape shape;
  Initializer init;
  bool buffer = false;
  bool integer = false;  // a count, saved as I64 (PyTorch's num_batches_tracked)
};

struct ParameterEntry {
  std::string name;    // full name, "0.weight"
  Shape shape;
  std::size_t offset;  // first element in the flat buffers
  Initializer init;
  bool frozen = false;  // a frozen parameter keeps its gradient but is never updated
  bool buffer = false;  // saved state, never trained (see ParameterSpec)
  bool integer = false;  // saved as I64
  // Whether optimizers, clipping and gradient checks touch it.
  bool trained() const { return !frozen && !buffer; }
};

template <class T>
class ParameterStore {
 public:
  // Appends a zero-filled parameter and its gradient; returns its index. Grows the flat buffers,
  // so views taken before are invalid afterwards (Sequential rebinds its layers).
  std::size_t add(std::string name, const Shape& shape, const Initializer& init, bool buffer = false,
                  bool integer = false);

  std::size_t count() const { return entries_.size(); }
  const ParameterEntry& entry(std::size_t i) const { return entries_[i]; }
  // The index of the parameter called name; throws Error listing the known names if there is none.
  std::size_t index(std::string_view name) const;

  TensorView<T> value(std::size_t i);
  TensorView<const T> value(std::size_t i) const;
  TensorView<T> grad(std::size_t i);
  TensorView<const T> grad(std::size_t i) const;
  TensorView<T> value(std::string_view name) { return value(index(name)); }
  TensorView<T> grad(std::string_view name) { return grad(index(name)); }

  // The flat buffers, shaped [total element count].
  TensorView<T> values() { return values_.view(); }
  TensorView<const T> values() const { return values_.view(); }
  TensorView<T> grads() { return grads_.view(); }
  TensorView<const T> grads() const { return grads_.view(); }

  void set_frozen(std::string_view name, bool frozen = true);
  // Draws every parameter from its initializer, in the order they were added.
  void initialize(Rng& rng);
  // Sets every gradient to 0: one fill.
  void zero_grad();

 private:
  std::vector<ParameterEntry> entries_;
  Tensor<T> values_;
  Tensor<T> grads_;
};

extern template class ParameterStore<float>;
extern template class ParameterStore<double>;

}  // namespace bpnn
