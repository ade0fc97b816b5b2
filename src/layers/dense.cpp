// Dense layer, forward and backward.
// Legend: N batch, I input features, O output features (units).
//   forward:  y[n,o] = sum_i x[n,i] W[o,i] + b[o]           y = x W^T + b
//   backward: dx[n,i] = sum_o dy[n,o] W[o,i]                dx = dy W       (overwrite)
//             dW[o,i] += sum_n dy[n,o] x[n,i]               dW += dy^T x    (accumulate)
//             db[o]   += sum_n dy[n,o]                                      (accumulate)
//   (dW and db as scale times those, into the context's gradient sink: scale -lr into W and b
//   themselves is fused plain SGD, for one sample an outer product that touches no gradient buffer)
#include "bpnn/layers/dense.hpp"

#include <algorithm>
#include <cmath>

#include "bpnn/core/error.hpp"

namespace bpnn {
namespace {

// The bias's two loops are plain loops, not backend ops: [N, O] values once each, the same best
// form on every host (the GEMM beside them is the work).
// y[n, o] = b[o] for every row n of y [N, O] (0 when b is null).
template <class T>
void fill_rows(std::size_t N, std::size_t O, const T* b, T* y) {
  for (std::size_t n = 0; n < N; ++n) {
    if (b != nullptr) {
      std::copy(b, b + O, y + n * O);
    } else {
      std::fill(y + n * O, y + (n + 1) * O, T(0));
    }
  }
}

// db[o] += scale sum_n dy[n, o], summed over n in order.
template <class T>
void add_row_sums(std::size_t N, std::size_t O, T scale, const T* dy, T* db) {
  for (std::size_t n = 0; n < N; ++n) {
    for (std::size_t o = 0; o < O; ++o) db[o] += scale * dy[n * O + o];
  }
}

}  // namespace

template <class T>
Dense<T>::Dense(DenseOptions options) : options_(options) {
  if (options_.units == 0) throw Error("dense: units must be at least 1");
}

template <class T>
Shape Dense<T>::build(const Shape& input_shape) {
  if (input_shape.rank() != 1) {
    throw Error("takes flat samples [features], got " + input_shape.str() +
                "; put a flatten layer before it");
  }
  in_ = input_shape[0];
  return Shape{options_.units};
}

template <class T>
std::vector<ParameterSpec> Dense<T>::parameter_specs() const {
  const double bound = 1.0 / std::sqrt(static_cast<double>(in_));
  const Initializer pytorch_default = Initializer::uniform(-bound, bound);
  std::vector<ParameterSpec> specs{
      {"weight", Shape{options_.units, in_}, options_.weight_init.value_or(pytorch_default)}};
  if (options_.bias) specs.push_back({"bias", Shape{options_.units}, options_.bias_init.value_or(pytorch_default)});
  return specs;
}

template <class T>
LayerConfig Dense<T>::config() const {
  LayerConfig c{"dense", {{"units", static_cast<std::int64_t>(options_.units)}, {"bias", options_.bias}}};
  if (options_.weight_init) c.fields.emplace_back("init", *options_.weight_init);
  if (options_.bias_init) c.fields.emplace_back("bias_init", *options_.bias_init);
  return c;
}

template <class T>
void Dense<T>::bind(ParameterStore<T>& store, std::size_t first) {
  weight_ = store.value(first);
  weight_offset_ = store.entry(first).offset;
  if (options_.bias) {
    bias_ = store.value(first + 1);
    bias_offset_ = store.entry(first + 1).offset;
  }
}

template <class T>
void Dense<T>::forward(const Context<T>& ctx, TensorView<const T> x, TensorView<T> y) const {
  const std::size_t N = x.batch(), I = in_, O = options_.units;
  // y = b broadcast over the batch, then y += x W^T in one GEMM.
  fill_rows(N, O, options_.bias ? bias_.data() : nullptr, y.data());
  ctx.backend->gemm(Transpose::no, Transpose::yes, N, O, I, T(1), x.data(), I, weight_.data(), I, T(1), y.data(), O);
}

// dx first, while W is still the forward's: the sink may be W itself (fused plain SGD).
template <class T>
void Dense<T>::backward(const Context<T>& ctx, TensorView<const T> x, TensorView<const T> /*y*/,
                        TensorView<const T> dy, TensorView<T> dx) const {
  const std::size_t N = x.batch(), I = in_, O = options_.units;
  const Backend<T>& backend = *ctx.backend;
  const T scale = ctx.gradients.scale;
  if (!dx.empty()) {
    backend.gemm(Transpose::no, Transpose::no, N, I, O, T(1), dy.data(), O, weight_.data(), I, T(0), dx.data(), I);
  }
  backend.gemm(Transpose::yes, Transpose::no, O, I, N, scale, dy.data(), O, x.data(), I, T(1),
               ctx.gradients.at(weight_offset_), I);
  if (options_.bias) add_row_sums(N, O, scale, dy.data(), ctx.gradients.at(bias_offset_));
}

template class Dense<float>;
template class Dense<double>;

}  // namespace bpnn
