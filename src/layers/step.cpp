// Step (M-P threshold), forward and backward.
//   forward:  y = 1 if x >= 0, else 0
//   backward: dy/dx = 0 for x != 0 and undefined at 0, so nothing can be learned through it: error.
#include "bpnn/layers/step.hpp"

#include "bpnn/core/error.hpp"

namespace bpnn {

template <class T>
void Step<T>::forward(const Context<T>& ctx, TensorView<const T> x, TensorView<T> y) const {
  ctx.backend->activation_forward(Activation::step, T(0), x.size(), x.data(), y.data());
}

template <class T>
void Step<T>::backward(const Context<T>& /*ctx*/, TensorView<const T> /*x*/, TensorView<const T> /*y*/,
                       TensorView<const T> /*dy*/, TensorView<T> dx) const {
  if (dx.empty()) return;
  throw Error(
      "its derivative is 0 everywhere except the threshold, so back-propagation cannot learn "
      "the layers below it; use sigmoid or tanh there, or train a single-layer perceptron with the "
      "perceptron rule");
}

template class Step<float>;
template class Step<double>;

}  // namespace bpnn
