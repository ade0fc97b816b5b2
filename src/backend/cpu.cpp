// The cpu backend in fast arithmetic: the reference loops where they already are what the compiler
// makes fast, and where they are not, OpenBLAS (kernels/gemm.hpp) and a thread pool of its own:
// large GEMMs split into blocks, conv2d's samples (directly for stride 1, else im2col + GEMM), and
// pooling's planes, batch norm's channels and parallel_for's ranges (backend/threaded.hpp) shared
// out statically, so results depend on the thread count, never on timing.
#include <algorithm>
#include <memory>
#include <optional>
#include <vector>

#include "backend/loops.hpp"
#include "backend/portable.hpp"
#include "backend/reference.hpp"
#include "backend/threaded.hpp"
#include "bpnn/core/error.hpp"
#include "core/parallel.hpp"
#include "kernels/direct_conv.hpp"
#include "kernels/gemm.hpp"
#include "kernels/wide_conv.hpp"

namespace bpnn {
namespace {

using kernels::OneBlasThread;
using kernels::WideConv;

template <class T>
class CpuBackend final : public ThreadedBackend<T> {
 public:
  explicit CpuBackend(CpuBackendOptions options) : ThreadedBackend<T>(options.threads) {}

  Arithmetic arithmetic() const override { return Arithmetic::fast; }

  void gemm(Transpose trans_a, Transpose trans_b, std::size_t M, std::size_t N, std::size_t K, T alpha, const T* A,
            std::size_t lda, const T* B, std::size_t ldb, T beta, T* C, std::size_t ldc) const override {
    const OneBlasThread one_thread;
    kernels::gemm(pool(), trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  }

  // Y_n = W X_n + b per sample, the samples shared out between the threads. Stride 1: directly, on
  // the wide grid of kernels/direct_conv.hpp, each thread with a padded image and a wide output of
  // its own in scratch. Other strides: im2col + GEMM, each thread with columns [C K K, Ho Wo].
  void conv2d_forward(const ConvGeometry& g, std::size_t N, const T* x, const T* weight, const T* bias, T* y,
                      Tensor<T>& scratch) const override {
    const OneBlasThread one_thread;
    const std::size_t CKK = g.C * g.K * g.K, HoWo = g.Ho * g.Wo;
    if (g.S == 1) {
      const WideConv wide(g);
      const std::size_t room = wide.image + wide.rows * wide.Q;
      scratch.resize(Shape{pool().parts(), room});
      pool().run([&](std::size_t part, std::size_t parts) {
        T* xp = scratch.data() + part * room;
        T* wide_y = xp + wide.image;
        const auto [begin, end] = parallel::share(N, part, parts);
        for (std::size_t n = begin; n < end; ++n) {
          wide.pad(g, x + n * g.C * g.H * g.W, xp);
          kernels::correlate(g.F, wide.Q, CKK, wide.forward_taps.data(), weight, bias, xp, wide_y, wide.Q);
          wide.narrow(wide_y, wide.Q, 0, g.F, g.Ho, g.Wo, y + n * g.F * HoWo);
        }
      });
      return;
    }
    scratch.resize(Shape{pool().parts(), CKK, HoWo});  // allocates on the first call with this workspace only
    pool().run([&](std::size_t part, std::size_t parts) {
      T* col = scratch.data() + part * CKK * HoWo;
      const auto [begin, end] = parallel::share(N, part, parts);
      for (std::size_t n = begin; n < end; ++n) {
        T* yn = y + n * g.F * HoWo;
        for (std::size_t f = 0; f < g.F; ++f)
          std::fill(yn + f * HoWo, yn + (f + 1) * HoWo, bias != nullptr ? bias[f] : T(0));
        loops::im2col(g, x + n * g.C * g.H * g.W, col);
        kernels::gemm(pool(), Transpose::no, Transpose::no, g.F, HoWo, CKK, T(1), weight, CKK, col, HoWo, T(1), yn,
                      HoWo);
      }
    });
  }

  // dW += scale sum_n dY_n X_n^T, db += scale sum_n sum_p dY_n, dX_n = W^T dY_n. Stride 1 on the
  // wide grid: each thread pads its samples' images and widens their dY into scratch, takes dW
  // over all of them at once, then dX per sample as a correlation (WideConv). Other strides: per
  // sample from im2col's columns, dx_n = col2im(W^T dY_n). Each thread's share of dW and db goes to
  // a buffer of its own (the first thread's straight into the gradients), added up in thread order
  // afterwards. scratch: the threads' rooms, then [threads - 1, F C K K + F] partial gradients, then
  // (stride 1) W with its first two axes swapped.
  void conv2d_backward(const ConvGeometry& g, std::size_t N, const T* x, const T* weight, const T* dy, T* dx,
                       T* dweight, T* dbias, T scale, Tensor<T>& scratch) const override {
    const OneBlasThread one_thread;
    const std::size_t CKK = g.C * g.K * g.K, HoWo = g.Ho * g.Wo, F = g.F, KK = g.K * g.K;
    const std::size_t threads = pool().parts(), grads = F * CKK + F;  // dW, then db
    const std::optional<WideConv> wide = g.S == 1 ? std::optional<WideConv>(g) : std::nullopt;
    const std::size_t share = (N + threads - 1) / threads;
    const std::size_t sample_room = wide ? wide->image + wide->rows * wide->L : 0;
    const std::size_t input_grad_rows = kernels::correlate_rows(g.C);
    const std::size_t room = wide ? share * sample_room + input_grad_rows * wide->R : CKK * HoWo;
    scratch.resize(Shape{threads * room + (threads - 1) * grads + (wide ? F * CKK : 0)});
    T* partial_grads = scratch.data() + threads * room;
    T* swapped = partial_grads + (threads - 1) * grads;  // W'[c, f, a, b] = W[f, c, a, b]
    const std::vector<std::ptrdiff_t> input_grad_taps =
        wide && dx != nullptr ? wide->input_grad_taps(g) : std::vector<std::ptrdiff_t>{};
    if (!input_grad_taps.empty()) {
      for (std::size_t f = 0; f < F; ++f) {
        for (std::size_t c = 0; c < g.C; ++c) {
          std::copy_n(weight + (f * g.C + c) * KK, KK, swapped + (c * F + f) * KK);
        }
      }
    }
    pool().run([&](std::size_t part, std::size_t parts) {
      T* own = scratch.data() + part * room;
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
        if (!wide) {
          T* col = own;
          loops::im2col(g, x + n * g.C * g.H * g.W, col);
          kernels::gemm(pool(), Transpose::no, Transpose::yes, F, CKK, HoWo, scale, dyn, HoWo, col, HoWo, T(1), dW,
                        CKK);
          if (dx != nullptr) {
            kernels::gemm(pool(), Transpose::yes, Transpose::no, CKK, HoWo, F, T(1), weight, CKK, dyn, HoWo, T(0), col,
                          HoWo);
            T* dxn = dx + n * g.C * g.H * g.W;
            std::fill(dxn, dxn + g.C * g.H * g.W, T(0));
            loops::col2im(g, col, dxn);
          }
          continue;
        }
        T* sample = own + (n - begin) * sample_room;
        wide->pad(g, x + n * g.C * g.H * g.W, sample);
        wide->widen(g, dyn, sample + wide->image);
      }
      if (!wide || begin == end) return;
      kernels::correlate_weight_grad(F, wide->Q, CKK, wide->forward_taps.data(), end - begin,
                                     own + wide->image + wide->M, wide->L, sample_room, own, sample_room, scale, dW);
      if (dx == nullptr) return;
      T* wide_dx = own + share * sample_room;
      for (std::size_t n = begin; n < end; ++n) {
        const T* planes = own + (n - begin) * sample_room + wide->image;
        kernels::correlate(g.C, wide->R, F * KK, input_grad_taps.data(), swapped, static_cast<const T*>(nullptr),
                           planes, wide_dx, wide->R);
        wide->narrow(wide_dx, wide->R, g.P * wide->Wp + g.P, g.C, g.H, g.W, dx + n * g.C * g.H * g.W);
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

 private:
  using ThreadedBackend<T>::pool;
};

}  // namespace

template <class T>
std::shared_ptr<Backend<T>> make_cpu_backend(CpuBackendOptions options) {
  if (options.arithmetic == Arithmetic::portable) return make_portable_backend<T>(options.threads);
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
