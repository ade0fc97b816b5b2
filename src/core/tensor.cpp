#include "bpnn/core/tensor.hpp"

#include <algorithm>
#include <string>

#include "bpnn/core/error.hpp"

namespace bpnn {

template <class T>
TensorView<T> TensorView<T>::reshaped(const Shape& shape) const {
  if (shape.numel() != size()) {
    throw Error("tensor: cannot view " + shape_.str() + " as " + shape.str() +
                ": the element counts differ");
  }
  return {data_, shape};
}

template <class T>
Tensor<T>::Tensor(const Shape& shape) : values_(shape.numel(), T(0)), shape_(shape) {}

template <class T>
Tensor<T>::Tensor(const Shape& shape, std::initializer_list<T> values)
    : Tensor(shape, std::vector<T>(values)) {}

template <class T>
Tensor<T>::Tensor(const Shape& shape, std::vector<T> values)
    : values_(std::move(values)), shape_(shape) {
  if (values_.size() != shape.numel()) {
    throw Error("tensor: shape " + shape.str() + " holds " + std::to_string(shape.numel()) +
                " values, " + std::to_string(values_.size()) + " were given");
  }
}

template <class T>
void Tensor<T>::resize(const Shape& shape) {
  values_.resize(shape.numel(), T(0));
  shape_ = shape;
}

template <class T>
void Tensor<T>::fill(T value) {
  std::fill(values_.begin(), values_.end(), value);
}

template <class T>
void copy(TensorView<const T> src, TensorView<T> dst) {
  if (src.size() != dst.size()) {
    throw Error("tensor: cannot copy " + src.shape().str() + " into " + dst.shape().str());
  }
  std::copy(src.data(), src.data() + src.size(), dst.data());
}

template class TensorView<float>;
template class TensorView<double>;
template class TensorView<const float>;
template class TensorView<const double>;
template class Tensor<float>;
template class Tensor<double>;
template void copy(TensorView<const float>, TensorView<float>);
template void copy(TensorView<const double>, TensorView<double>);

}  // namespace bpnn
