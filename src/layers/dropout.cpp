// Dropout, forward and backward (elementwise; m drawn per element while training).
//   training:  m = 0 with probability p, else 1 / (1 - p);   y = m x;   dx = m dy
//   inference: y = x;   dx = dy
#include "bpnn/layers/dropout.hpp"

#include "bpnn/core/error.hpp"

namespace bpnn {

template <class T>
Dropout<T>::Dropout(DropoutOptions options) : p_(options.p) {
  if (!(p_ >= 0 && p_ < 1)) throw Error("dropout: p must lie in [0, 1), got " + std::to_string(p_));
}

template <class T>
void Dropout<T>::infer(TensorView<const T> x, TensorView<T> y, Tensor<T>& /*scratch*/) const {
  copy(x, y);
}

template <class T>
void Dropout<T>::forward(TensorView<const T> x, TensorView<T> y) {
  infer(x, y, this->scratch_);
  last_train_ = false;
}

template <class T>
void Dropout<T>::forward_train(TensorView<const T> x, TensorView<T> y, Rng& rng) {
  mask_.resize(x.shape());
  const T keep = static_cast<T>(1.0 / (1.0 - p_));
  for (std::size_t i = 0; i < x.size(); ++i) {
    mask_[i] = rng.uniform() < p_ ? T(0) : keep;
    y[i] = mask_[i] * x[i];
  }
  last_train_ = true;
}

template <class T>
void Dropout<T>::backward(TensorView<const T> /*x*/, TensorView<const T> /*y*/, TensorView<const T> dy,
                          TensorView<T> dx) {
  if (dx.empty()) return;
  if (!last_train_) {
    copy(dy, dx);
    return;
  }
  for (std::size_t i = 0; i < dy.size(); ++i) dx[i] = mask_[i] * dy[i];
}

template class Dropout<float>;
template class Dropout<double>;

}  // namespace bpnn
