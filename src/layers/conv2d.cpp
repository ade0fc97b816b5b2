// Conv2d, forward and backward, by im2col + GEMM. Legend: N batch, C input channels, H W input
// size, F filters, K kernel, S stride, P padding, Ho Wo output size, X_n the columns of sample n
// ([C K K, Ho Wo], column p = the window under output pixel p), W viewed as [F, C K K].
//   forward:  Y_n = W X_n + b                                  [F, Ho Wo]
//   backward: dW += dY_n X_n^T   db += sum_p dY_n[:, p]        (accumulate)
//             dX_n = W^T dY_n,  dx_n = col2im(dX_n)            (overwrite)
#include "bpnn/layers/conv2d.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "bpnn/core/error.hpp"
#include "core/parallel.hpp"
#include "kernels/gemm.hpp"

namespace bpnn {

using kernels::gemm;
using kernels::Transpose;

template <class T>
Conv2d<T>::Conv2d(Conv2dOptions options) : options_(options) {
  if (options_.filters == 0) throw Error("conv2d: filters must be at least 1");
  if (options_.kernel == 0 || options_.stride == 0) throw Error("conv2d: kernel and stride must be at least 1");
}

template <class T>
Shape Conv2d<T>::build(const Shape& input_shape) {
  if (input_shape.rank() != 3) throw Error("takes images [channels, height, width], got " + input_shape.str());
  C_ = input_shape[0];
  H_ = input_shape[1];
  W_ = input_shape[2];
  const std::size_t K = options_.kernel, P = options_.padding, S = options_.stride;
  if (H_ + 2 * P < K || W_ + 2 * P < K) {
    throw Error("kernel " + std::to_string(K) + " is larger than the padded input " + input_shape.str());
  }
  Ho_ = (H_ + 2 * P - K) / S + 1;
  Wo_ = (W_ + 2 * P - K) / S + 1;
  return Shape{options_.filters, Ho_, Wo_};
}

template <class T>
std::vector<ParameterSpec> Conv2d<T>::parameter_specs() const {
  const std::size_t K = options_.kernel;
  const double bound = 1.0 / std::sqrt(static_cast<double>(C_ * K * K));
  const Initializer pytorch_default = Initializer::uniform(-bound, bound);
  std::vector<ParameterSpec> specs{
      {"weight", Shape{options_.filters, C_, K, K}, options_.weight_init.value_or(pytorch_default)}};
  if (options_.bias) specs.push_back({"bias", Shape{options_.filters}, options_.bias_init.value_or(pytorch_default)});
  return specs;
}

template <class T>
void Conv2d<T>::bind(ParameterStore<T>& store, std::size_t first) {
  weight_ = store.value(first);
  weight_grad_ = store.grad(first);
  if (options_.bias) {
    bias_ = store.value(first + 1);
    bias_grad_ = store.grad(first + 1);
  }
}

template <class T>
std::pair<std::size_t, std::size_t> Conv2d<T>::inside_columns(std::size_t kj) const {
  // j S + kj - P lies in [0, W) for ceil((P - kj) / S) <= j < ceil((W + P - kj) / S), within [0, Wo).
  const auto S = static_cast<std::ptrdiff_t>(options_.stride), P = static_cast<std::ptrdiff_t>(options_.padding);
  const auto k = static_cast<std::ptrdiff_t>(kj), Wo = static_cast<std::ptrdiff_t>(Wo_);
  auto ceil_div = [&](std::ptrdiff_t n) { return n <= 0 ? std::ptrdiff_t{0} : (n + S - 1) / S; };
  const std::ptrdiff_t first = std::min(ceil_div(P - k), Wo);
  const std::ptrdiff_t end = std::max(first, std::min(ceil_div(static_cast<std::ptrdiff_t>(W_) + P - k), Wo));
  return {static_cast<std::size_t>(first), static_cast<std::size_t>(end)};
}

template <class T>
void Conv2d<T>::im2col(const T* x, T* col) const {
  const std::size_t K = options_.kernel, S = options_.stride, P = options_.padding;
  for (std::size_t c = 0; c < C_; ++c) {
    for (std::size_t ki = 0; ki < K; ++ki) {
      for (std::size_t kj = 0; kj < K; ++kj) {
        const auto [first, end] = inside_columns(kj);
        for (std::size_t i = 0; i < Ho_; ++i, col += Wo_) {
          // Input row of this kernel tap; rows and columns in the padding read as zero.
          const std::ptrdiff_t r = static_cast<std::ptrdiff_t>(i * S + ki) - static_cast<std::ptrdiff_t>(P);
          if (r < 0 || r >= static_cast<std::ptrdiff_t>(H_)) {
            std::fill(col, col + Wo_, T(0));
            continue;
          }
          // x[tap + j S] is the input under output pixel (i, j); only inside the row for j in [first, end).
          const std::ptrdiff_t tap = static_cast<std::ptrdiff_t>((c * H_ + static_cast<std::size_t>(r)) * W_ + kj) -
                                     static_cast<std::ptrdiff_t>(P);
          std::fill(col, col + first, T(0));
          if (first < end) {
            const T* in = x + (tap + static_cast<std::ptrdiff_t>(first * S));  // under output pixel (i, first)
            if (S == 1) {
              std::copy(in, in + (end - first), col + first);  // the common case, one contiguous run
            } else {
              for (std::size_t j = first; j < end; ++j) col[j] = in[(j - first) * S];
            }
          }
          std::fill(col + end, col + Wo_, T(0));
        }
      }
    }
  }
}

template <class T>
void Conv2d<T>::col2im(const T* col, T* dx) const {
  const std::size_t K = options_.kernel, S = options_.stride, P = options_.padding;
  for (std::size_t c = 0; c < C_; ++c) {
    for (std::size_t ki = 0; ki < K; ++ki) {
      for (std::size_t kj = 0; kj < K; ++kj) {
        const auto [first, end] = inside_columns(kj);
        for (std::size_t i = 0; i < Ho_; ++i, col += Wo_) {
          const std::ptrdiff_t r = static_cast<std::ptrdiff_t>(i * S + ki) - static_cast<std::ptrdiff_t>(P);
          if (r < 0 || r >= static_cast<std::ptrdiff_t>(H_)) continue;
          const std::ptrdiff_t tap = static_cast<std::ptrdiff_t>((c * H_ + static_cast<std::size_t>(r)) * W_ + kj) -
                                     static_cast<std::ptrdiff_t>(P);
          if (first == end) continue;
          T* in_grad = dx + (tap + static_cast<std::ptrdiff_t>(first * S));  // inside the row
          if (S == 1) {
            for (std::size_t j = first; j < end; ++j) in_grad[j - first] += col[j];  // contiguous: vectorizes
          } else {
            for (std::size_t j = first; j < end; ++j) in_grad[(j - first) * S] += col[j];
          }
        }
      }
    }
  }
}

// Samples are shared out between the threads, each with columns of its own; each thread's share
// of dW and db goes to a buffer of its own (the first thread's straight into the gradients), added
// up in thread order afterwards.
template <class T>
void Conv2d<T>::infer(TensorView<const T> x, TensorView<T> y, Tensor<T>& columns) const {
  const std::size_t N = x.batch(), F = options_.filters, CKK = C_ * options_.kernel * options_.kernel, HoWo = Ho_ * Wo_;
  columns.resize(Shape{parallel::parts(), CKK, HoWo});  // allocates on the first call with this workspace only
  parallel::run([&](std::size_t part, std::size_t parts) {
    T* col = columns.data() + part * CKK * HoWo;
    const auto [begin, end] = parallel::share(N, part, parts);
    for (std::size_t n = begin; n < end; ++n) {
      T* yn = y.data() + n * F * HoWo;
      for (std::size_t f = 0; f < F; ++f) std::fill(yn + f * HoWo, yn + (f + 1) * HoWo, options_.bias ? bias_[f] : T(0));
      im2col(x.data() + n * C_ * H_ * W_, col);
      gemm<T>(Transpose::no, Transpose::no, F, HoWo, CKK, T(1), weight_.data(), CKK, col, HoWo, T(1), yn, HoWo);
    }
  });
}

template <class T>
void Conv2d<T>::backward(TensorView<const T> x, TensorView<const T> /*y*/, TensorView<const T> dy, TensorView<T> dx) {
  const std::size_t N = x.batch(), F = options_.filters, CKK = C_ * options_.kernel * options_.kernel, HoWo = Ho_ * Wo_;
  const std::size_t threads = parallel::parts(), grads = F * CKK + F;  // dW, then db
  columns_.resize(Shape{threads, CKK, HoWo});
  partial_grads_.resize(Shape{threads - 1, grads});
  parallel::run([&](std::size_t part, std::size_t parts) {
    T* col = columns_.data() + part * CKK * HoWo;
    T* dW = part == 0 ? weight_grad_.data() : partial_grads_.data() + (part - 1) * grads;
    T* db = part == 0 ? bias_grad_.data() : dW + F * CKK;
    if (part > 0) std::fill(dW, dW + grads, T(0));
    const auto [begin, end] = parallel::share(N, part, parts);
    for (std::size_t n = begin; n < end; ++n) {
      const T* dyn = dy.data() + n * F * HoWo;
      if (options_.bias) {
        for (std::size_t f = 0; f < F; ++f) {
          T sum = 0;
#pragma omp simd reduction(+ : sum)
          for (std::size_t p = 0; p < HoWo; ++p) sum += dyn[f * HoWo + p];
          db[f] += sum;
        }
      }
      im2col(x.data() + n * C_ * H_ * W_, col);
      gemm<T>(Transpose::no, Transpose::yes, F, CKK, HoWo, T(1), dyn, HoWo, col, HoWo, T(1), dW, CKK);
      if (!dx.empty()) {
        gemm<T>(Transpose::yes, Transpose::no, CKK, HoWo, F, T(1), weight_.data(), CKK, dyn, HoWo, T(0), col, HoWo);
        T* dxn = dx.data() + n * C_ * H_ * W_;
        std::fill(dxn, dxn + C_ * H_ * W_, T(0));
        col2im(col, dxn);
      }
    }
  });
  for (std::size_t part = 1; part < threads; ++part) {
    const T* partial = partial_grads_.data() + (part - 1) * grads;
    for (std::size_t i = 0; i < F * CKK; ++i) weight_grad_[i] += partial[i];
    if (options_.bias) {
      for (std::size_t f = 0; f < F; ++f) bias_grad_[f] += partial[F * CKK + f];
    }
  }
}

template class Conv2d<float>;
template class Conv2d<double>;

}  // namespace bpnn
