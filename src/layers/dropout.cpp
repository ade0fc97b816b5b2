// Dropout, forward and backward (elementwise; m drawn per element while training).
//   training:  m = 0 with probability p, else 1 / (1 - p);   y = m x;   dx = m dy
//   inference: y = x;   dx = dy
// Plain loops, no backend op: one pass over memory, whose best form is the same on every host.
#include "bpnn/layers/dropout.hpp"

#include <algorithm>

#include "bpnn/core/error.hpp"

namespace bpnn {

template <class T>
Dropout<T>::Dropout(DropoutOptions options) : p_(options.p) {
  if (!(p_ >= 0 && p_ < 1)) throw Error("dropout: p must lie in [0, 1), got " + std::to_string(p_));
}

// Saved for backward in train mode: the mask, 0 or 1 / (1 - p) per element.
template <class T>
void Dropout<T>::forward(const Context<T>& ctx, TensorView<const T> x, TensorView<T> y) const {
  if (!ctx.training()) {
    std::copy_n(x.data(), x.size(), y.data());
    return;
  }
  if (ctx.rng == nullptr) throw Error("training mode needs a random generator for its mask");
  Tensor<T>& mask = ctx.workspace->saved;
  mask.resize(x.shape());
  const T keep = static_cast<T>(1.0 / (1.0 - p_));
  for (std::size_t i = 0; i < x.size(); ++i) mask[i] = ctx.rng->uniform() < p_ ? T(0) : keep;
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = mask[i] * x[i];
}

template <class T>
void Dropout<T>::backward(const Context<T>& ctx, TensorView<const T> /*x*/, TensorView<const T> /*y*/,
                          TensorView<const T> dy, TensorView<T> dx) const {
  if (dx.empty()) return;
  if (ctx.training()) {
    const Tensor<T>& mask = ctx.workspace->saved;
    for (std::size_t i = 0; i < dy.size(); ++i) dx[i] = mask[i] * dy[i];
  } else {
    std::copy_n(dy.data(), dy.size(), dx.data());
  }
}

template class Dropout<float>;
template class Dropout<double>;

}  // namespace bpnn
