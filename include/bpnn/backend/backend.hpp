// The one backend seam: every piece of arithmetic that layers, cross-entropy and optimizers do
// goes through a Backend, so that a new kind of hardware is one new class, not a change to every
// layer. Layers say what to compute (a GEMM, a row of biases, a convolution); the backend decides
// how (BLAS and threads, or plain loops).
//
// Two backends: `cpu` (OpenBLAS and bpnn's thread pool: the fast one, the default) and `reference`
// (plain loops, no BLAS, no threads: the oracle that tests/backend_test.cpp compares every op of
// every backend against). Pointers are to host memory, row-major, as TensorView's.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "bpnn/core/tensor.hpp"

namespace bpnn {

enum class Transpose { no, yes };

// A convolution's sizes: input [C, H, W] per sample, F filters of K x K, stride S, zero padding P,
// output [F, Ho, Wo].
struct ConvGeometry {
  std::size_t C = 0, H = 0, W = 0, F = 0, K = 1, S = 1, P = 0, Ho = 0, Wo = 0;
};

// A pooling window's sizes: planes of H x W, windows K x K at stride S, output planes Ho x Wo.
struct PoolGeometry {
  std::size_t H = 0, W = 0, K = 1, S = 1, Ho = 0, Wo = 0;
};

// The hyperparameters of one optimizer update, as the optimizer computed them for this step.
template <class T>
struct SgdStep {
  T learning_rate, momentum, weight_decay;
  bool nesterov;
  bool first;  // the first step with momentum: b = g
};
template <class T>
struct AdamStep {
  T beta1, beta2, eps;
  T step_size;         // lr / (1 - beta1^t)
  T root_correction2;  // sqrt(1 - beta2^t)
  T l2;                // Adam's weight decay, added to the gradient (0 for AdamW)
  T shrink;            // AdamW's p *= 1 - lr weight_decay (1 for Adam)
  bool decoupled;
};
template <class T>
struct RmspropStep {
  T learning_rate, alpha, eps, weight_decay, momentum;
  bool centered;
};
template <class T>
struct RpropStep {
  T eta_minus, eta_plus;  // the step's factors after a sign change and after sign agreement
  T step_min, step_max;   // the step's bounds
};

template <class T>
class Backend {
 public:
  virtual ~Backend() = default;

  // "cpu" or "reference".
  virtual std::string_view name() const = 0;
  // The threads it shares work between (the caller's included).
  virtual std::size_t threads() const { return 1; }

  // C[M, N] = alpha op(A)[M, K] op(B)[K, N] + beta C; op(X) is X or its transpose; lda, ldb and ldc
  // are the row strides as stored. beta 0 ignores C's old contents.
  virtual void gemm(Transpose trans_a, Transpose trans_b, std::size_t M, std::size_t N, std::size_t K, T alpha,
                    const T* A, std::size_t lda, const T* B, std::size_t ldb, T beta, T* C, std::size_t ldc) const = 0;

  // y[n, o] = b[o] for every row n of y [N, O] (0 when b is null): a dense layer's bias.
  virtual void fill_rows(std::size_t N, std::size_t O, const T* b, T* y) const = 0;
  // db[o] += scale sum_n dy[n, o]: a dense layer's bias gradient.
  virtual void add_row_sums(std::size_t N, std::size_t O, T scale, const T* dy, T* db) const = 0;

  // y = f(x) elementwise, and dx = dy f'(x) written through x or y (whichever the formula uses), for
  // row f of activation_table (layers/activation.hpp); a is the row's option (leaky ReLU's slope).
  virtual void activation_forward(std::size_t f, T a, std::size_t n, const T* x, T* y) const = 0;
  virtual void activation_backward(std::size_t f, T a, std::size_t n, const T* x, const T* y, const T* dy,
                                   T* dx) const = 0;
  // y = value everywhere; y = x; y = a b elementwise.
  virtual void fill(std::size_t n, T value, T* y) const = 0;
  virtual void copy(std::size_t n, const T* x, T* y) const = 0;
  virtual void multiply(std::size_t n, const T* a, const T* b, T* y) const = 0;

  // Softmax of each row of x [N, C] (y may be x), and its backward dx = y (dy - sum_k dy_k y_k).
  virtual void softmax_forward(std::size_t N, std::size_t C, const T* x, T* y) const = 0;
  virtual void softmax_backward(std::size_t N, std::size_t C, const T* y, const T* dy, T* dx) const = 0;
  // Cross-entropy of logits z [N, C] against class indices t [N] (indices) or probabilities
  // t [N, C]: the sum over samples of sum_c t[n,c] (lse_n - z[n,c]). Its gradient, scale times
  // dE/dz of that sum, is written to dz when dz is not null. Targets are checked by the caller.
  virtual T softmax_cross_entropy(std::size_t N, std::size_t C, const T* z, const T* t, bool indices, T scale,
                                  T* dz) const = 0;

  // Unfolds sample x [C, H, W] into col [C K K, Ho Wo] (column p: the window under output pixel p),
  // and adds such columns back into dx [C, H, W].
  virtual void im2col(const ConvGeometry& g, const T* x, T* col) const = 0;
  virtual void col2im(const ConvGeometry& g, const T* col, T* dx) const = 0;
  // y [N, F, Ho, Wo] = conv(x [N, C, H, W], weight [F, C, K, K]) + bias [F] (bias may be null).
  // scratch is the caller's workspace, resized as the backend needs.
  virtual void conv2d_forward(const ConvGeometry& g, std::size_t N, const T* x, const T* weight, const T* bias, T* y,
                              Tensor<T>& scratch) const = 0;
  // dweight += scale dE/dweight, dbias += scale dE/dbias (when not null), and dx = dE/dx
  // overwritten (when not null). Reads weight only before it writes dweight's first element, so
  // dweight may alias nothing the call reads; scratch as above.
  virtual void conv2d_backward(const ConvGeometry& g, std::size_t N, const T* x, const T* weight, const T* dy, T* dx,
                               T* dweight, T* dbias, T scale, Tensor<T>& scratch) const = 0;

  // Max and mean over each window of `planes` planes; backward overwrites dx (the max's gradient
  // goes to the window's first maximum).
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

  // Optimizer updates over n parameters p with gradients g and state beside them (see optim/).
  virtual void sgd_update(std::size_t n, const SgdStep<T>& s, T* p, const T* g, T* velocity) const = 0;
  virtual void adam_update(std::size_t n, const AdamStep<T>& s, T* p, const T* g, T* m, T* v) const = 0;
  virtual void rmsprop_update(std::size_t n, const RmspropStep<T>& s, T* p, const T* g, T* square_avg,
                              T* momentum_buffer, T* grad_avg) const = 0;
  // iRPROP-: with d = sign(g prev), step *= eta_plus (d > 0) or eta_minus (d < 0), clamped to
  // [step_min, step_max]; g = 0 where d < 0; p -= sign(g) step; prev = g.
  virtual void rprop_update(std::size_t n, const RpropStep<T>& s, T* p, const T* g, T* prev, T* step) const = 0;
  // sum x^2 in double, and x *= s: gradient clipping.
  virtual double sum_squares(std::size_t n, const T* x) const = 0;
  virtual void scale(std::size_t n, T s, T* x) const = 0;
};

struct CpuBackendOptions {
  // Threads bpnn's pool uses (1 to 1024, the caller's included). BLAS runs on the calling thread
  // inside each share; results are bit-identical for a thread count, and may differ between
  // counts by float reordering.
  int threads = 1;
};

// The fast backend, with a thread pool of its own. Throws Error for a thread count out of range
// or threads that cannot start.
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
