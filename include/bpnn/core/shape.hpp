// The dimensions of a tensor, batch first: [N, features] or [N, C, H, W].
// A fixed-capacity value type, so copying a shape never allocates.
#pragma once

#include <array>
#include <cstddef>
#include <initializer_list>
#include <string>

namespace bpnn {

class Shape {
 public:
  static constexpr std::size_t max_rank = 6;

  Shape() = default;
  // Throws Error when more than max_rank dimensions are given.
  Shape(std::initializer_list<std::size_t> dims);

  std::size_t rank() const { return rank_; }
  std::size_t operator[](std::size_t axis) const { return dims_[axis]; }
  // The product of all dimensions; 1 for rank 0.
  std::size_t numel() const {
    std::size_t n = 1;
    for (std::size_t i = 0; i < rank_; ++i) n *= dims_[i];
    return n;
  }

  // This shape with `batch` prepended: [d...] -> [batch, d...].
  Shape with_batch(std::size_t batch) const;
  // This shape without its first dimension: [N, d...] -> [d...].
  Shape without_batch() const;

  // "[2, 3]", as error messages print shapes.
  std::string str() const;

  friend bool operator==(const Shape& a, const Shape& b);

 private:
  std::array<std::size_t, max_rank> dims_{};
  std::size_t rank_ = 0;
};

}  // namespace bpnn
