// Conv2d, forward and backward; the cpu backend computes them by im2col + GEMM, the reference one
// directly. Legend: N batch, C input channels, H W input size, F filters, K kernel, S stride,
// P padding, Ho Wo output size, X_n the columns of sample n ([C K K, Ho Wo], column p = the window
// under output pixel p), W viewed as [F, C K K].
//   forward:  Y_n = W X_n + b                                  [F, Ho Wo]
//   backward: dW += dY_n X_n^T   db += sum_p dY_n[:, p]        (accumulate, into the context's sink)
//             dX_n = W^T dY_n,  dx_n = col2im(dX_n)            (overwrite)
#include "bpnn/layers/conv2d.hpp"

#include <cmath>

#include "bpnn/core/error.hpp"

namespace bpnn {

template <class T>
Conv2d<T>::Conv2d(Conv2dOptions options) : options_(options) {
  if (options_.filters == 0) throw Error("conv2d: filters must be at least 1");
  if (options_.kernel == 0 || options_.stride == 0) throw Error("conv2d: kernel and stride must be at least 1");
}

template <class T>
Shape Conv2d<T>::build(const Shape& input_shape) {
  if (input_shape.rank() != 3) throw Error("takes images [channels, height, width], got " + input_shape.str());
  ConvGeometry& g = geometry_;
  g.C = input_shape[0];
  g.H = input_shape[1];
  g.W = input_shape[2];
  g.F = options_.filters;
  g.K = options_.kernel;
  g.P = options_.padding;
  g.S = options_.stride;
  if (g.H + 2 * g.P < g.K || g.W + 2 * g.P < g.K) {
    throw Error("kernel " + std::to_string(g.K) + " is larger than the padded input " + input_shape.str());
  }
  g.Ho = (g.H + 2 * g.P - g.K) / g.S + 1;
  g.Wo = (g.W + 2 * g.P - g.K) / g.S + 1;
  return Shape{g.F, g.Ho, g.Wo};
}

template <class T>
std::vector<ParameterSpec> Conv2d<T>::parameter_specs() const {
  const std::size_t K = options_.kernel;
  const double bound = 1.0 / std::sqrt(static_cast<double>(geometry_.C * K * K));
  const Initializer pytorch_default = Initializer::uniform(-bound, bound);
  const Shape weight{options_.filters, geometry_.C, K, K};
  std::vector<ParameterSpec> specs{{"weight", weight, options_.weight_init.value_or(pytorch_default)}};
  if (options_.bias) {
    // A fan-based bias_init takes the weight's fans (bias_initializer).
    const Initializer bias = options_.bias_init ? bias_initializer(*options_.bias_init, weight) : pytorch_default;
    specs.push_back({"bias", Shape{options_.filters}, bias});
  }
  return specs;
}

template <class T>
LayerConfig Conv2d<T>::config() const {
  LayerConfig c{"conv2d",
                {{"filters", static_cast<std::int64_t>(options_.filters)},
                 {"kernel", static_cast<std::int64_t>(options_.kernel)},
                 {"stride", static_cast<std::int64_t>(options_.stride)},
                 {"padding", static_cast<std::int64_t>(options_.padding)},
                 {"bias", options_.bias}}};
  if (options_.weight_init) c.fields.emplace_back("init", *options_.weight_init);
  if (options_.bias_init) c.fields.emplace_back("bias_init", *options_.bias_init);
  return c;
}

template <class T>
void Conv2d<T>::bind(ParameterStore<T>& store, std::size_t first) {
  weight_ = store.value(first);
  weight_offset_ = store.entry(first).offset;
  if (options_.bias) {
    bias_ = store.value(first + 1);
    bias_offset_ = store.entry(first + 1).offset;
  }
}

template <class T>
void Conv2d<T>::forward(const Context<T>& ctx, TensorView<const T> x, TensorView<T> y) const {
  ctx.backend->conv2d_forward(geometry_, x.batch(), x.data(), weight_.data(), options_.bias ? bias_.data() : nullptr,
                              y.data(), ctx.workspace->scratch);
}

template <class T>
void Conv2d<T>::backward(const Context<T>& ctx, TensorView<const T> x, TensorView<const T> /*y*/,
                         TensorView<const T> dy, TensorView<T> dx) const {
  ctx.backend->conv2d_backward(geometry_, x.batch(), x.data(), weight_.data(), dy.data(),
                               dx.empty() ? nullptr : dx.data(), ctx.gradients.at(weight_offset_),
                               options_.bias ? ctx.gradients.at(bias_offset_) : nullptr, ctx.gradients.scale,
                               ctx.workspace->scratch);
}

template class Conv2d<float>;
template class Conv2d<double>;

}  // namespace bpnn
