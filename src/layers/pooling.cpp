// Max and average pooling, forward and backward. Legend: N batch, C channels, K kernel, S stride,
// window (i, j) = input rows i S .. i S + K - 1, columns j S .. j S + K - 1 of one channel.
//   max:  y[i,j] = max over the window     dx[argmax] = dy[i,j], 0 elsewhere   (sums where windows overlap)
//   avg:  y[i,j] = mean over the window    dx[window] += dy[i,j] / K^2
// Planes are independent: they are shared out between the threads (core/parallel.hpp).
#include "bpnn/layers/pooling.hpp"

#include <algorithm>

#include "bpnn/core/error.hpp"
#include "core/parallel.hpp"

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
  H_ = input_shape[1];
  W_ = input_shape[2];
  if (H_ < kernel_ || W_ < kernel_) {
    throw Error("kernel " + std::to_string(kernel_) + " is larger than the input " + input_shape.str());
  }
  Ho_ = (H_ - kernel_) / stride_ + 1;
  Wo_ = (W_ - kernel_) / stride_ + 1;
  return Shape{C_, Ho_, Wo_};
}

template <class T>
void MaxPool2d<T>::infer(TensorView<const T> x, TensorView<T> y, Tensor<T>& /*scratch*/) const {
  const std::size_t planes = x.batch() * this->C_, H = this->H_, W = this->W_, K = this->kernel_, S = this->stride_;
  parallel::for_each(planes, H * W, [&](std::size_t plane) {
    const T* in = x.data() + plane * H * W;
    T* out = y.data() + plane * this->Ho_ * this->Wo_;
    for (std::size_t i = 0; i < this->Ho_; ++i) {
      for (std::size_t j = 0; j < this->Wo_; ++j) {
        T best = in[i * S * W + j * S];
        for (std::size_t a = 0; a < K; ++a) {
          for (std::size_t b = 0; b < K; ++b) best = std::max(best, in[(i * S + a) * W + j * S + b]);
        }
        out[i * this->Wo_ + j] = best;
      }
    }
  });
}

template <class T>
void MaxPool2d<T>::backward(TensorView<const T> x, TensorView<const T> /*y*/, TensorView<const T> dy,
                            TensorView<T> dx) {
  if (dx.empty()) return;
  std::fill(dx.data(), dx.data() + dx.size(), T(0));
  const std::size_t planes = x.batch() * this->C_, H = this->H_, W = this->W_, K = this->kernel_, S = this->stride_;
  parallel::for_each(planes, H * W, [&](std::size_t plane) {
    const T* in = x.data() + plane * H * W;
    T* in_grad = dx.data() + plane * H * W;
    const T* out_grad = dy.data() + plane * this->Ho_ * this->Wo_;
    for (std::size_t i = 0; i < this->Ho_; ++i) {
      for (std::size_t j = 0; j < this->Wo_; ++j) {
        // The first maximum of the window takes the gradient, its value kept in a register.
        const std::size_t corner = i * S * W + j * S;
        std::size_t best = corner;
        T best_value = in[corner];
        for (std::size_t a = 0; a < K; ++a) {
          for (std::size_t b = 0; b < K; ++b) {
            const std::size_t at = corner + a * W + b;
            if (in[at] > best_value) {
              best_value = in[at];
              best = at;
            }
          }
        }
        in_grad[best] += out_grad[i * this->Wo_ + j];
      }
    }
  });
}

template <class T>
void AvgPool2d<T>::infer(TensorView<const T> x, TensorView<T> y, Tensor<T>& /*scratch*/) const {
  const std::size_t planes = x.batch() * this->C_, H = this->H_, W = this->W_, K = this->kernel_, S = this->stride_;
  const T scale = T(1) / static_cast<T>(K * K);
  parallel::for_each(planes, H * W, [&](std::size_t plane) {
    const T* in = x.data() + plane * H * W;
    T* out = y.data() + plane * this->Ho_ * this->Wo_;
    for (std::size_t i = 0; i < this->Ho_; ++i) {
      for (std::size_t j = 0; j < this->Wo_; ++j) {
        T sum = 0;
        for (std::size_t a = 0; a < K; ++a) {
          for (std::size_t b = 0; b < K; ++b) sum += in[(i * S + a) * W + j * S + b];
        }
        out[i * this->Wo_ + j] = sum * scale;
      }
    }
  });
}

template <class T>
void AvgPool2d<T>::backward(TensorView<const T> x, TensorView<const T> /*y*/, TensorView<const T> dy,
                            TensorView<T> dx) {
  if (dx.empty()) return;
  std::fill(dx.data(), dx.data() + dx.size(), T(0));
  const std::size_t planes = x.batch() * this->C_, H = this->H_, W = this->W_, K = this->kernel_, S = this->stride_;
  const T scale = T(1) / static_cast<T>(K * K);
  parallel::for_each(planes, H * W, [&](std::size_t plane) {
    T* in_grad = dx.data() + plane * H * W;
    const T* out_grad = dy.data() + plane * this->Ho_ * this->Wo_;
    for (std::size_t i = 0; i < this->Ho_; ++i) {
      for (std::size_t j = 0; j < this->Wo_; ++j) {
        const T share = out_grad[i * this->Wo_ + j] * scale;
        for (std::size_t a = 0; a < K; ++a) {
          for (std::size_t b = 0; b < K; ++b) in_grad[(i * S + a) * W + j * S + b] += share;
        }
      }
    }
  });
}

template class Pool2d<float>;
template class Pool2d<double>;
template class MaxPool2d<float>;
template class MaxPool2d<double>;
template class AvgPool2d<float>;
template class AvgPool2d<double>;

}  // namespace bpnn
