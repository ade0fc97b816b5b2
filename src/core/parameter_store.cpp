#include "bpnn/core/parameter_store.hpp"

#include "bpnn/core/error.hpp"

namespace bpnn {

template <class T>
std::size_t ParameterStore<T>::add(std::string name, const Shape& shape, const Initializer& init, bool buffer,
                                   bool integer) {
  const std::size_t offset = values_.size();
  entries_.push_back({std::move(name), shape, offset, init, false, buffer, integer});
  values_.resize(Shape{offset + shape.numel()});
  grads_.resize(Shape{offset + shape.numel()});
  return entries_.size() - 1;
}

template <class T>
std::size_t ParameterStore<T>::index(std::string_view name) const {
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].name == name) return i;
  }
  std::string known;
  for (const ParameterEntry& e : entries_) known += (known.empty() ? "" : ", ") + e.name;
  throw Error("no parameter named '" + std::string(name) + "'; the model has: " +
              (known.empty() ? "none" : known));
}

template <class T>
TensorView<T> ParameterStore<T>::value(std::size_t i) {
  return {values_.data() + entries_[i].offset, entries_[i].shape};
}

template <class T>
TensorView<const T> ParameterStore<T>::value(std::size_t i) const {
  return {values_.data() + entries_[i].offset, entries_[i].shape};
}

template <class T>
TensorView<T> ParameterStore<T>::grad(std::size_t i) {
  return {grads_.data() + entries_[i].offset, entries_[i].shape};
}

template <class T>
TensorView<const T> ParameterStore<T>::grad(std::size_t i) const {
  return {grads_.data() + entries_[i].offset, entries_[i].shape};
}

template <class T>
void ParameterStore<T>::set_frozen(std::string_view name, bool frozen) {
  entries_[index(name)].frozen = frozen;
}

template <class T>
void ParameterStore<T>::initialize(Rng& rng) {
  for (std::size_t i = 0; i < entries_.size(); ++i) bpnn::initialize(value(i), entries_[i].init, rng);
}

template <class T>
void ParameterStore<T>::zero_grad() {
  grads_.fill(T(0));
}

template class ParameterStore<float>;
template class ParameterStore<double>;

}  // namespace bpnn
