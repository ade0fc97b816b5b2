// The cpu backend: the reference loops where they already are what the compiler makes fast, and
// where they are not, OpenBLAS (kernels/gemm.hpp) and a thread pool of its own: large GEMMs split
// into blocks, conv2d's samples (im2col + GEMM per sample), pooling's planes and batch norm's
// channels shared out statically, so results depend on the thread count, never on timing.
#include <memory>

#include "backend/loops.hpp"
#include "backend/reference.hpp"
#include "bpnn/core/error.hpp"
#include "core/parallel.hpp"
#include "kernels/gemm.hpp"

namespace bpnn {
namespace {

using kernels::OneBlasThread;

template <class T>
class CpuBackend final : public ReferenceBackend<T> {
 public:
  explicit CpuBackend(CpuBackendOptions options) : pool_(options.threads) {}

  std::string_view name() const override { return "cpu"; }
  std::size_t threads() const override { return pool_.threads(); }

  void gemm(Transpose trans_a, Transpose trans_b, std::size_t M, std::size_t N, std::size_t K, T alpha, const T* A,
            std::size_t lda, const T* B, std::size_t ldb, T beta, T* C, std::size_t ldc) const override {
    const OneBlasThread one_thread;
    kernels::gemm(pool_, trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  }

  // Y_n = W X_n + b per sample, the samples shared out between the threads, each with columns of
  // its own ([threads, C K K, Ho Wo] in scratch).
  void conv2d_forward(const ConvGeometry& g, std::size_t N, const T* x, const T* weight, const T* bias, T* y,
                      Tensor<T>& scratch) const override {
    const OneBlasThread one_thread;
    const std::size_t CKK = g.C * g.K * g.K, HoWo = g.Ho * g.Wo;
    scratch.resize(Shape{pool_.parts(), CKK, HoWo});  // allocates on the first call with this workspace only
    pool_.run([&](std::size_t part, std::size_t parts) {
      T* col = scratch.data() + part * CKK * HoWo;
      const auto [begin, end] = parallel::share(N, part, parts);
      for (std::size_t n = begin; n < end; ++n) {
        T* yn = y + n * g.F * HoWo;
        for (std::size_t f = 0; f < g.F; ++f) std::fill(yn + f * HoWo, yn + (f + 1) * HoWo, bias != nullptr ? bias[f] : T(0));
        loops::im2col(g, x + n * g.C * g.H * g.W, col);
        kernels::gemm(pool_, Transpose::no, Transpose::no, g.F, HoWo, CKK, T(1), weight, CKK, col, HoWo, T(1), yn, HoWo);
      }
    });
  }

  // Per sample: dW += scale dY_n X_n^T, db += scale sum_p dY_n, dX_n = W^T dY_n, dx_n = col2im(dX_n).
  // Each thread's share of dW and db goes to a buffer of its own (the first thread's straight into
  // the gradients), added up in thread order afterwards. scratch: [threads, C K K, Ho Wo] columns,
  // then [threads - 1, F C K K + F] partial gradients.
  void conv2d_backward(const ConvGeometry& g, std::size_t N, const T* x, const T* weight, const T* dy, T* dx,
                       T* dweight, T* dbias, T scale, Tensor<T>& scratch) const override {
    const OneBlasThread one_thread;
    const std::size_t CKK = g.C * g.K * g.K, HoWo = g.Ho * g.Wo, F = g.F;
    const std::size_t threads = pool_.parts(), grads = F * CKK + F;  // dW, then db
    scratch.resize(Shape{threads * CKK * HoWo + (threads - 1) * grads});
    T* partial_grads = scratch.data() + threads * CKK * HoWo;
    pool_.run([&](std::size_t part, std::size_t parts) {
      T* col = scratch.data() + part * CKK * HoWo;
      T* dW = part == 0 ? dweight : partial_grads + (part - 1) * grads;
      T* db = part == 0 ? dbias : dW + F * CKK;
      if (part > 0) std::fill(dW, dW + grads, T(0));
      const auto [begin, end] = parallel::share(N, part, parts);
      for (std::size_t n = begin; n < end; ++n) {
        const T* dyn = dy + n * F * HoWo;
        if (dbias != nullptr) {
          for (std::size_t f = 0; f < F; ++f) {
            T sum = 0;
#pragma omp simd reduction(+ : sum)
            for (std::size_t p = 0; p < HoWo; ++p) sum += dyn[f * HoWo + p];
            db[f] += scale * sum;
          }
        }
        loops::im2col(g, x + n * g.C * g.H * g.W, col);
        kernels::gemm(pool_, Transpose::no, Transpose::yes, F, CKK, HoWo, scale, dyn, HoWo, col, HoWo, T(1), dW, CKK);
        if (dx != nullptr) {
          kernels::gemm(pool_, Transpose::yes, Transpose::no, CKK, HoWo, F, T(1), weight, CKK, dyn, HoWo, T(0), col, HoWo);
          T* dxn = dx + n * g.C * g.H * g.W;
          std::fill(dxn, dxn + g.C * g.H * g.W, T(0));
          loops::col2im(g, col, dxn);
        }
      }
    });
    for (std::size_t part = 1; part < threads; ++part) {
      const T* partial = partial_grads + (part - 1) * grads;
      for (std::size_t i = 0; i < F * CKK; ++i) dweight[i] += partial[i];
      if (dbias != nullptr) {
        for (std::size_t f = 0; f < F; ++f) dbias[f] += partial[F * CKK + f];
      }
    }
  }

  void max_pool_forward(const PoolGeometry& g, std::size_t planes, const T* x, T* y) const override {
    parallel::for_range(pool_, planes, g.H * g.W, [&](std::size_t begin, std::size_t end) {
      loops::max_pool_planes(g, begin, end, x, y);
    });
  }
  void max_pool_backward(const PoolGeometry& g, std::size_t planes, const T* x, const T* dy, T* dx) const override {
    parallel::for_range(pool_, planes, g.H * g.W, [&](std::size_t begin, std::size_t end) {
      loops::max_pool_backward_planes(g, begin, end, x, dy, dx);
    });
  }
  void avg_pool_forward(const PoolGeometry& g, std::size_t planes, const T* x, T* y) const override {
    parallel::for_range(pool_, planes, g.H * g.W, [&](std::size_t begin, std::size_t end) {
      loops::avg_pool_planes(g, begin, end, x, y);
    });
  }
  void avg_pool_backward(const PoolGeometry& g, std::size_t planes, const T* dy, T* dx) const override {
    parallel::for_range(pool_, planes, g.H * g.W, [&](std::size_t begin, std::size_t end) {
      loops::avg_pool_backward_planes(g, begin, end, dy, dx);
    });
  }

  void batch_norm_moments(std::size_t N, std::size_t C, std::size_t HW, const T* x, double* mean,
                          double* squares) const override {
    parallel::for_each(pool_, C, 2 * N * HW, [&](std::size_t c) {
      loops::batch_norm_moments_channel(c, N, C, HW, x, mean, squares);
    });
  }
  void batch_norm_normalize(std::size_t N, std::size_t C, std::size_t HW, const T* x, const T* mean, const T* inv_std,
                            const T* gamma, const T* beta, T* y) const override {
    parallel::for_each(pool_, C, N * HW, [&](std::size_t c) {
      loops::batch_norm_normalize_channel(c, N, C, HW, x, mean, inv_std, gamma, beta, y);
    });
  }
  void batch_norm_backward(std::size_t N, std::size_t C, std::size_t HW, const T* x, const T* dy, const T* mean,
                           const T* inv_std, const T* gamma, bool training, T* dx, T* sum_dy,
                           T* sum_dy_xhat) const override {
    parallel::for_each(pool_, C, 3 * N * HW, [&](std::size_t c) {
      loops::batch_norm_backward_channel(c, N, C, HW, x, dy, mean, inv_std, gamma, training, dx, sum_dy, sum_dy_xhat);
    });
  }

  void batch_norm_input_grad(std::size_t N, std::size_t C, std::size_t HW, const T* x, const T* dy, const T* mean,
                             const T* inv_std, const T* gamma, const T* sum_dy, const T* sum_dy_xhat, std::size_t count,
                             T* dx) const override {
    const T M = static_cast<T>(count);
    parallel::for_each(pool_, C, 2 * N * HW, [&](std::size_t c) {
      loops::batch_norm_input_grad_channel(c, N, C, HW, x, dy, mean, inv_std, gamma, sum_dy[c] / M,
                                           sum_dy_xhat[c] / M, dx);
    });
  }
 private:
  parallel::ThreadPool pool_;
};

}  // namespace

template <class T>
std::shared_ptr<Backend<T>> make_cpu_backend(CpuBackendOptions options) {
  return std::make_shared<CpuBackend<T>>(options);
}

template <class T>
std::shared_ptr<Backend<T>> make_reference_backend() {
  return std::make_shared<ReferenceBackend<T>>();
}

template <class T>
const std::shared_ptr<Backend<T>>& default_backend() {
  static const std::shared_ptr<Backend<T>> backend = make_cpu_backend<T>();
  return backend;
}

template <class T>
std::shared_ptr<Backend<T>> make_backend(std::string_view name, CpuBackendOptions options) {
  if (name == "cpu") return make_cpu_backend<T>(options);
  if (name == "reference") {
    if (options.threads != 1) throw Error("the reference backend runs on one thread; give threads 1 or use cpu");
    return make_reference_backend<T>();
  }
  throw Error("unknown backend '" + std::string(name) + "'; use cpu or reference");
}

template std::shared_ptr<Backend<float>> make_cpu_backend(CpuBackendOptions);
template std::shared_ptr<Backend<double>> make_cpu_backend(CpuBackendOptions);
template std::shared_ptr<Backend<float>> make_reference_backend();
template std::shared_ptr<Backend<double>> make_reference_backend();
template const std::shared_ptr<Backend<float>>& default_backend();
template const std::shared_ptr<Backend<double>>& default_backend();
template std::shared_ptr<Backend<float>> make_backend(std::string_view, CpuBackendOptions);
template std::shared_ptr<Backend<double>> make_backend(std::string_view, CpuBackendOptions);

}  // namespace bpnn
