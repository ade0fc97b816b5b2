// The one tensor type: contiguous, row-major, batch first. Tensor<T> owns its elements;
// TensorView<T> is a cheap non-owning window (pointer + shape) that layers read and write.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <span>
#include <type_traits>
#include <vector>

#include "bpnn/core/shape.hpp"

namespace bpnn {

template <class T>
class TensorView {
 public:
  TensorView() = default;
  TensorView(T* data, Shape shape) : data_(data), shape_(shape) {}
  // A view of mutable elements converts to a view of const ones.
  template <class U>
    requires std::is_same_v<const U, T>
  TensorView(TensorView<U> other) : data_(other.data()), shape_(other.shape()) {}

  T* data() const { return data_; }
  const Shape& shape() const { return shape_; }
  std::size_t size() const { return shape_.numel(); }
  // An empty view stands for "not wanted", e.g. no input gradient for the first layer.
  bool empty() const { return data_ == nullptr; }
  std::span<T> span() const { return {data_, size()}; }

  T& operator[](std::size_t i) const { return data_[i]; }
  // Element (row, col) of a rank-2 view.
  T& operator()(std::size_t row, std::size_t col) const { return data_[row * shape_[1] + col]; }

  // Batch size N and elements per sample, for views shaped [N, ...].
  std::size_t batch() const { return shape_[0]; }
  std::size_t sample_size() const { return shape_[0] == 0 ? 0 : size() / shape_[0]; }

  // The same elements under another shape with the same element count (throws Error otherwise).
  TensorView reshaped(const Shape& shape) const;

  // Samples first .. first + count - 1 of a view shaped [N, ...]: no copy.
  TensorView samples(std::size_t first, std::size_t count) const {
    return {data_ + first * sample_size(), shape_.without_batch().with_batch(count)};
  }

 private:
  T* data_ = nullptr;
  Shape shape_{0};  // empty: zero elements
};

template <class T>
class Tensor {
 public:
  Tensor() = default;
  // Zero-filled.
  explicit Tensor(const Shape& shape);
  // Row-major values; throws Error unless values.size() == shape.numel().
  Tensor(const Shape& shape, std::initializer_list<T> values);
  Tensor(const Shape& shape, std::vector<T> values);

  const Shape& shape() const { return shape_; }
  std::size_t size() const { return values_.size(); }
  T* data() { return values_.data(); }
  const T* data() const { return values_.data(); }
  T& operator[](std::size_t i) { return values_[i]; }
  const T& operator[](std::size_t i) const { return values_[i]; }
  T& operator()(std::size_t row, std::size_t col) { return values_[row * shape_[1] + col]; }
  const T& operator()(std::size_t row, std::size_t col) const { return values_[row * shape_[1] + col]; }

  TensorView<T> view() { return {values_.data(), shape_}; }
  TensorView<const T> view() const { return {values_.data(), shape_}; }
  operator TensorView<T>() { return view(); }
  operator TensorView<const T>() const { return view(); }

  // Gives the tensor a new shape. Allocates only when it needs more elements than it has ever
  // held, so a buffer resized to a batch size it has seen before costs nothing. New elements are 0.
  void resize(const Shape& shape);
  void fill(T value);

 private:
  std::vector<T> values_;
  Shape shape_{0};  // empty: zero elements
};

// Copies src into dst; throws Error unless both have the same number of elements.
template <class T>
void copy(TensorView<const T> src, TensorView<T> dst);

extern template class TensorView<float>;
extern template class TensorView<double>;
extern template class TensorView<const float>;
extern template class TensorView<const double>;
extern template class Tensor<float>;
extern template class Tensor<double>;

}  // namespace bpnn
