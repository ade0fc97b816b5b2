// The activation layer, forward and backward, elementwise, for any row f of activation_table:
//   forward:  y = f(x)
//   backward: dx = dy f'(x)      (the row's derivative, through x or y; refused for a row with none)
#include "bpnn/layers/activation.hpp"

#include <string>

#include "bpnn/core/error.hpp"

namespace bpnn {

std::optional<std::size_t> find_activation(std::string_view name) {
  for (std::size_t f = 0; f < activation_count; ++f) {
    if (activation_table[f].name == name) return f;
  }
  return std::nullopt;
}

namespace {

std::size_t row_named(std::string_view name) {
  const std::optional<std::size_t> f = find_activation(name);
  if (!f) {
    std::string names;
    for (const ActivationRow& row : activation_table) names += (names.empty() ? "" : ", ") + std::string(row.name);
    throw Error("unknown activation '" + std::string(name) + "'; use " + names);
  }
  return *f;
}

}  // namespace

template <class T>
Activation<T>::Activation(std::string_view name, std::optional<double> option) : row_(row_named(name)) {
  const ActivationOption& o = row().option;
  if (option && o.name.empty()) throw Error("activation '" + std::string(name) + "' takes no option");
  option_ = option.value_or(o.default_value);
  a_ = static_cast<T>(option_);
}

template <class T>
LayerConfig Activation<T>::config() const {
  const ActivationOption& o = row().option;
  if (o.name.empty()) return {std::string(row().name), {}};
  return {std::string(row().name), {{std::string(o.name), option_}}};
}

template <class T>
void Activation<T>::forward(const Context<T>& ctx, TensorView<const T> x, TensorView<T> y) const {
  ctx.backend->activation_forward(row_, a_, x.size(), x.data(), y.data());
}

template <class T>
void Activation<T>::backward(const Context<T>& ctx, TensorView<const T> x, TensorView<const T> y,
                             TensorView<const T> dy, TensorView<T> dx) const {
  if (dx.empty()) return;
  if (!row().no_gradient.empty()) throw Error(std::string(row().no_gradient));
  ctx.backend->activation_backward(row_, a_, x.size(), x.data(), y.data(), dy.data(), dx.data());
}

template class Activation<float>;
template class Activation<double>;

}  // namespace bpnn
