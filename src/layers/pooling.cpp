// Max and average pooling, forward and backward. Legend: N batch, C channels, K kernel, S stride,
// window (i, j) = input rows i S .. i S + K - 1, columns j S .. j S + K - 1 of one channel.
//   max:  y[i,j] = max over the window     dx[argmax] = dy[i,j], 0 elsewhere   (sums where windows overlap)
//   avg:  y[i,j] = mean over the window    dx[window] += dy[i,j] / K^2
// Planes are independent: the cpu backend shares them out between its threads.
#include "bpnn/layers/pooling.hpp"

#include "bpnn/core/error.hpp"

namespace bpnn {

template <class T>
Pool2d<T>::Pool2d(Pool2dOptions options)
    : kernel_(options.kernel), stride_(options.stride == 0 ? options.kernel : options.stride) {
  if (kernel_ == 0) throw Error("pooling: kernel must be at least 1");
}

template <class T>
Shape Pool2d<T>::build(const Shape& input_shape) {
  if (input_shape.rank() != 3) throw Error("takes images [channels, height, width], got " + input_shape.str());
  C_ = input_shape[0];
  PoolGeometry& g = geometry_;
  g.H = input_shape[1];
  g.W = input_shape[2];
  g.K = kernel_;
  g.S = stride_;
  if (g.H < kernel_ || g.W < kernel_) {
    throw Error("kernel " + std::to_string(kernel_) + " is larger than the input " + input_shape.str());
  }
  g.Ho = (g.H - kernel_) / stride_ + 1;
  g.Wo = (g.W - kernel_) / stride_ + 1;
  return Shape{C_, g.Ho, g.Wo};
}

template <class T>
LayerConfig Pool2d<T>::config() const {
  return {std::string(this->kind()),
          {{"kernel", static_cast<std::int64_t>(kernel_)}, {"stride", static_cast<std::int64_t>(stride_)}}};
}

template <class T>
void MaxPool2d<T>::forward(const Context<T>& ctx, TensorView<const T> x, TensorView<T> y) const {
  ctx.backend->max_pool_forward(this->geometry_, this->planes(x), x.data(), y.data());
}

template <class T>
void MaxPool2d<T>::backward(const Context<T>& ctx, TensorView<const T> x, TensorView<const T> /*y*/,
                            TensorView<const T> dy, TensorView<T> dx) const {
  if (!dx.empty()) ctx.backend->max_pool_backward(this->geometry_, this->planes(x), x.data(), dy.data(), dx.data());
}

template <class T>
void AvgPool2d<T>::forward(const Context<T>& ctx, TensorView<const T> x, TensorView<T> y) const {
  ctx.backend->avg_pool_forward(this->geometry_, this->planes(x), x.data(), y.data());
}

template <class T>
void AvgPool2d<T>::backward(const Context<T>& ctx, TensorView<const T> x, TensorView<const T> /*y*/,
                            TensorView<const T> dy, TensorView<T> dx) const {
  if (!dx.empty()) ctx.backend->avg_pool_backward(this->geometry_, this->planes(x), dy.data(), dx.data());
}

template class Pool2d<float>;
template class Pool2d<double>;
template class MaxPool2d<float>;
template class MaxPool2d<double>;
template class AvgPool2d<float>;
template class AvgPool2d<double>;

}  // namespace bpnn
