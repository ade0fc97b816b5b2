// The one backend seam: the arithmetic whose best form depends on the hardware. Layers and the
// cross-entropy say what to compute (a GEMM, a convolution, a pooling, batch norm's statistics, an
// elementwise activation, a softmax); the backend decides how (BLAS and threads, or plain loops).
// Everything else is a plain loop in the library next to the code that uses it (a dense layer's
// bias rows, flatten's copy, dropout's mask, gradient clipping), and an optimizer's update is a
// loop over spans in optim/ that the backend's parallel_for shares out: their best form is the same
// on every host, so a new backend does not have to write them again.
//
// Two backends: `cpu` (OpenBLAS and bpnn's thread pool: the fast one, the default) and `reference`
// (plain loops, no BLAS, no threads: the oracle that tests/backend_test.cpp compares every op of
// every backend against). The reference's sums are portable arithmetic's definition: each op's
// comment below says their order ("from 0": the sum starts at 0 and adds one term at a time, each
// product rounded before it is added), and the cpu backend in portable arithmetic gives its bits.
// Every pointer an op receives is host memory, row-major as TensorView's, and the caller reads the
// results as soon as the op returns: a backend for a device with memory of its own (a GPU) would
// need more than this interface (docs/architecture.md says what).
#pragma once

#include <cstddef>
#include <iterator>
#include <memory>
#include <string_view>

#include "bpnn/core/function_ref.hpp"
#include "bpnn/core/tensor.hpp"

namespace bpnn {

enum class Transpose { no, yes };

// What fixes a backend's floating-point results (docs/arithmetic.md).
//   fast: the quickest sums this machine has (OpenBLAS's and oneDNN's kernels, fused multiply-adds,
//     sums split between threads): the same bits for a seed and thread count on one machine.
//   portable: every sum in one order fixed by the formula, no fused multiply-add, bpnn's own exp,
//     log, tanh and erf: the same bits on any CPU, at any thread count, in WebAssembly, and a
//     sample's outputs do not depend on the batch it is in.
enum class Arithmetic { fast, portable };

// A convolution's sizes: input [C, H, W] per sample, F filters of K x K, stride S, zero padding P,
// output [F, Ho, Wo].
struct ConvGeometry {
  std::size_t C = 0, H = 0, W = 0, F = 0, K = 1, S = 1, P = 0, Ho = 0, Wo = 0;
};

// A pooling window's sizes: planes of H x W, windows K x K at stride S, output planes Ho x Wo.
struct PoolGeometry {
  std::size_t H = 0, W = 0, K = 1, S = 1, Ho = 0, Wo = 0;
};

// parallel_for's work: body(begin, end) for a share [begin, end) of the items.
using RangeBody = FunctionRef<void(std::size_t begin, std::size_t end)>;

// The ops of Backend<T>, one per pure virtual member below, in their order (name() and threads()
// describe a backend and are not ops). This list is the only one: the op count is its length,
// backend_op() finds an op in it at compile time (a name not listed is a compile error), and
// tests/backend_test.cpp's recorder notes ops through it and fails for an op here that no case runs.
inline constexpr std::string_view kBackendOps[] = {
    "gemm",
    "activation_forward",
    "activation_backward",
    "softmax_forward",
    "softmax_backward",
    "softmax_cross_entropy",
    "conv2d_forward",
    "conv2d_backward",
    "max_pool_forward",
    "max_pool_backward",
    "avg_pool_forward",
    "avg_pool_backward",
    "batch_norm_moments",
    "batch_norm_normalize",
    "batch_norm_backward",
    "batch_norm_input_grad",
    "parallel_for",
};
inline constexpr std::size_t kBackendOpCount = std::size(kBackendOps);

// The index of op `name` in kBackendOps; only at compile time, where a name not in the list fails.
consteval std::size_t backend_op(std::string_view name) {
  for (std::size_t i = 0; i < kBackendOpCount; ++i) {
    if (kBackendOps[i] == name) return i;
  }
  throw "not an op of kBackendOps";  // not a constant expression: the call does not compile
}

template <class T>
class Backend {
 public:
  virtual ~Backend() = default;

  // "cpu" or "reference".
  virtual std::string_view name() const = 0;
  // The promise its results keep (the reference backend's loops are portable arithmetic's oracle).
  virtual Arithmetic arithmetic() const { return Arithmetic::portable; }
  // The threads it shares work between (the caller's included).
  virtual std::size_t threads() const { return 1; }

  // C[M, N] = alpha op(A)[M, K] op(B)[K, N] + beta C; op(X) is X or its transpose; lda, ldb and ldc
  // are the row strides as stored. beta 0 ignores C's old contents.
  // Order: per element, sum over k ascending from 0, then alpha sum + (beta 0 ? 0 : beta C).
  virtual void gemm(Transpose trans_a, Transpose trans_b, std::size_t M, std::size_t N, std::size_t K, T alpha,
                    const T* A, std::size_t lda, const T* B, std::size_t ldb, T beta, T* C, std::size_t ldc) const = 0;

  // y = f(x) elementwise, and dx = dy f'(x) written through x or y (whichever the formula uses), for
  // row f of activation_table (layers/activation.hpp); a is the row's option (leaky ReLU's slope).
  virtual void activation_forward(std::size_t f, T a, std::size_t n, const T* x, T* y) const = 0;
  virtual void activation_backward(std::size_t f, T a, std::size_t n, const T* x, const T* y, const T* dy,
                                   T* dx) const = 0;

  // Softmax of each row of x [N, C] (y may be x), and its backward dx = y (dy - sum_k dy_k y_k).
  // Order: per row, sum_c e^(x_c - max) over c ascending from 0, then each term / sum; backward's
  // sum over k ascending from 0.
  virtual void softmax_forward(std::size_t N, std::size_t C, const T* x, T* y) const = 0;
  virtual void softmax_backward(std::size_t N, std::size_t C, const T* y, const T* dy, T* dx) const = 0;
  // Cross-entropy of logits z [N, C] against class indices t [N] (indices) or probabilities
  // t [N, C]: the sum over samples of sum_c t[n,c] (lse_n - z[n,c]). Its gradient, scale times
  // dE/dz of that sum, is written to dz when dz is not null. Targets are checked by the caller.
  // Order: lse_n = max + log(sum as softmax's); the loss over n ascending (and c, for
  // probabilities) from 0; dz = e^(z_c - max) (scale sum_k t_k / sum) - scale t_c, sum_k t_k from 0.
  virtual T softmax_cross_entropy(std::size_t N, std::size_t C, const T* z, const T* t, bool indices, T scale,
                                  T* dz) const = 0;

  // y [N, F, Ho, Wo] = conv(x [N, C, H, W], weight [F, C, K, K]) + bias [F] (bias may be null).
  // scratch is the caller's workspace, resized as the backend needs.
  // Order: per output, sum over (c, ki, kj) ascending from 0 (padding's zeros included), + bias (or 0).
  virtual void conv2d_forward(const ConvGeometry& g, std::size_t N, const T* x, const T* weight, const T* bias, T* y,
                              Tensor<T>& scratch) const = 0;
  // dweight += scale dE/dweight, dbias += scale dE/dbias (when not null), and dx = dE/dx
  // overwritten (when not null). Reads weight only before it writes dweight's first element, so
  // dweight may alias nothing the call reads; scratch as above.
  // Order: dweight += scale s, s the sum over the values m = (n Ho + i) Wo + j in batch norm's 16
  // lanes (below), dbias likewise; each dx one sum over every (f, ki, kj) ascending from 0 of
  // weight times the dy under it (0 where there is none).
  virtual void conv2d_backward(const ConvGeometry& g, std::size_t N, const T* x, const T* weight, const T* dy, T* dx,
                               T* dweight, T* dbias, T scale, Tensor<T>& scratch) const = 0;

  // Max and mean over each window of `planes` planes; backward overwrites dx (the max's gradient
  // goes to the window's first maximum).
  // Order: a window's sum over its rows, then columns, ascending from 0, times 1 / K^2; backward
  // adds dy / K^2 into dx (from 0) window by window, rows of windows then columns.
  virtual void max_pool_forward(const PoolGeometry& g, std::size_t planes, const T* x, T* y) const = 0;
  virtual void max_pool_backward(const PoolGeometry& g, std::size_t planes, const T* x, const T* dy, T* dx) const = 0;
  virtual void avg_pool_forward(const PoolGeometry& g, std::size_t planes, const T* x, T* y) const = 0;
  virtual void avg_pool_backward(const PoolGeometry& g, std::size_t planes, const T* dy, T* dx) const = 0;

  // Batch norm over x [N, C, HW] (HW = 1 for features), per channel c, M = N HW:
  //   moments: mean[c] = sum x / M and squares[c] = sum (x - mean[c])^2, in double (two passes).
  //   normalize: y = gamma (x - mean) inv_std + beta (gamma, beta null: 1, 0).
  //   backward: sum_dy[c] = sum dy, sum_dy_xhat[c] = sum dy xhat, and, when dx is not null,
  //     dx = gamma inv_std (dy - [training] (sum_dy + xhat sum_dy_xhat) / M).
  //   input_grad: the same dx from sums given over `count` values (a global batch of which x and dy
  //     are a part, sharded training): dx = gamma inv_std (dy - (sum_dy + xhat sum_dy_xhat) / count).
  // Order of each sum over a channel's values x_m (m = n HW + p): 16 lanes, x_m added to lane
  // m mod 16 from 0 in m order, then lane l += lane l + 8 (l < 8), + 4, + 2, + 1; lane 0 is the sum.
  virtual void batch_norm_moments(std::size_t N, std::size_t C, std::size_t HW, const T* x, double* mean,
                                  double* squares) const = 0;
  virtual void batch_norm_normalize(std::size_t N, std::size_t C, std::size_t HW, const T* x, const T* mean,
                                    const T* inv_std, const T* gamma, const T* beta, T* y) const = 0;
  virtual void batch_norm_backward(std::size_t N, std::size_t C, std::size_t HW, const T* x, const T* dy,
                                   const T* mean, const T* inv_std, const T* gamma, bool training, T* dx, T* sum_dy,
                                   T* sum_dy_xhat) const = 0;
  virtual void batch_norm_input_grad(std::size_t N, std::size_t C, std::size_t HW, const T* x, const T* dy,
                                     const T* mean, const T* inv_std, const T* gamma, const T* sum_dy,
                                     const T* sum_dy_xhat, std::size_t count, T* dx) const = 0;


  // body(begin, end) over shares of [0, n) that are not empty and together cover it once, on the
  // backend's threads when n items of about item_work operations each are worth splitting (else
  // one share on the calling thread; none for n = 0); returns when all are done, rethrowing an
  // exception of body. The shares depend on n, item_work and the thread count only, never on
  // timing, so a body whose items are independent gives bit-identical results for a thread count.
  // For the loops that are not ops (optimizer updates, gradient clipping's scaling).
  virtual void parallel_for(std::size_t n, std::size_t item_work, RangeBody body) const = 0;
};

struct CpuBackendOptions {
  // Threads bpnn's pool uses (1 to 1024, the caller's included). BLAS runs on the calling thread
  // inside each share; results are bit-identical for a thread count, and in fast arithmetic may
  // differ between counts by float reordering.
  int threads = 1;
  Arithmetic arithmetic = Arithmetic::fast;
};

// The cpu backend in the arithmetic asked for, with a thread pool of its own. Throws Error for a
// thread count out of range or threads that cannot start.
template <class T>
std::shared_ptr<Backend<T>> make_cpu_backend(CpuBackendOptions options = {});

// Plain loops, one thread, no BLAS: the oracle.
template <class T>
std::shared_ptr<Backend<T>> make_reference_backend();

// The backend a model gets unless given another: cpu with one thread, shared by every model.
template <class T>
const std::shared_ptr<Backend<T>>& default_backend();

// A backend by name ("cpu", "reference"); throws Error listing the names for an unknown one.
template <class T>
std::shared_ptr<Backend<T>> make_backend(std::string_view name, CpuBackendOptions options = {});

}  // namespace bpnn
