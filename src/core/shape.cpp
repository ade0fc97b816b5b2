#include "bpnn/core/shape.hpp"

#include "bpnn/core/error.hpp"

namespace bpnn {

Shape::Shape(std::initializer_list<std::size_t> dims) {
  if (dims.size() > max_rank) {
    throw Error("shape: " + std::to_string(dims.size()) + " dimensions given, at most " +
                std::to_string(max_rank) + " are supported");
  }
  for (std::size_t d : dims) dims_[rank_++] = d;
}

Shape Shape::with_batch(std::size_t batch) const {
  if (rank_ == max_rank) throw Error("shape: cannot add a batch dimension to " + str());
  Shape s;
  s.rank_ = rank_ + 1;
  s.dims_[0] = batch;
  for (std::size_t i = 0; i < rank_; ++i) s.dims_[i + 1] = dims_[i];
  return s;
}

Shape Shape::without_batch() const {
  if (rank_ == 0) throw Error("shape: a scalar has no batch dimension");
  Shape s;
  s.rank_ = rank_ - 1;
  for (std::size_t i = 1; i < rank_; ++i) s.dims_[i - 1] = dims_[i];
  return s;
}

std::string Shape::str() const {
  std::string s = "[";
  for (std::size_t i = 0; i < rank_; ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(dims_[i]);
  }
  return s + "]";
}

bool operator==(const Shape& a, const Shape& b) {
  if (a.rank_ != b.rank_) return false;
  for (std::size_t i = 0; i < a.rank_; ++i) {
    if (a.dims_[i] != b.dims_[i]) return false;
  }
  return true;
}

}  // namespace bpnn
