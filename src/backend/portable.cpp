// The cpu backend in portable arithmetic: every op gives the reference backend's bits, at any
// thread count and on any vector unit. GEMM is kernels/portable_gemm.hpp's; a convolution is direct
// (stride 1) or im2col and that GEMM, and its weight gradient kernels/lane_sums.hpp's; pooling, batch norm and parallel_for are the reference's loops
// shared out by backend/threaded.hpp, and the elementwise ops and softmax the reference's own.
// Threads share out outputs (samples, blocks of C, channels, planes), never a sum. Built with
// -ffp-contract=off (CMakeLists.txt).
#include "backend/portable.hpp"

#include <algorithm>

#include "backend/loops.hpp"
#include "backend/threaded.hpp"
#include "kernels/lane_sums.hpp"
#include "kernels/portable_correlate.hpp"
#include "kernels/portable_gemm.hpp"
#include "kernels/wide_conv.hpp"

namespace bpnn {
namespace {

// scratch with room for n values at least. A layer's forward and backward share one workspace: a
// resize down and back up would zero the difference on every step.
template <class T>
T* room(Tensor<T>& scratch, std::size_t n) {
  if (scratch.size() < n) scratch.resize(Shape{n});
  return scratch.data();
}

template <class T>
class PortableBackend final : public ThreadedBackend<T> {
 public:
  explicit PortableBackend(int threads) : ThreadedBackend<T>(threads) {}

  Arithmetic arithmetic() const override { return Arithmetic::portable; }

  void gemm(Transpose trans_a, Transpose trans_b, std::size_t M, std::size_t N, std::size_t K, T alpha, const T* A,
            std::size_t lda, const T* B, std::size_t ldb, T beta, T* C, std::size_t ldc) const override {
    kernels::portable_gemm(pool(), trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  }

  // Y_n = W X_n + b per sample, the sum over (c, ki, kj) from 0 then + b, the samples shared out.
  // Stride 1: directly, on the wide grid (kernels/portable_correlate.hpp), each thread with a padded
  // image and a wide output of its own in scratch. Other strides: im2col and GEMM, C = 1 sum + 1 b,
  // each thread with columns [C K K, Ho Wo] of its own.
  void conv2d_forward(const ConvGeometry& g, std::size_t N, const T* x, const T* weight, const T* bias, T* y,
                      Tensor<T>& scratch) const override {
    const std::size_t CKK = g.C * g.K * g.K, HoWo = g.Ho * g.Wo, image = g.C * g.H * g.W;
    if (g.S == 1) {
      const kernels::WideConv wide(g);
      const std::size_t own = wide.image + g.F * wide.Q;
      T* rooms = room(scratch, pool().parts() * own);
      pool().run([&](std::size_t part, std::size_t parts) {
        T* xp = rooms + part * own;
        T* wide_y = xp + wide.image;
        const auto [begin, end] = parallel::share(N, part, parts);
        for (std::size_t n = begin; n < end; ++n) {
          wide.pad(g, x + n * image, xp);
          kernels::portable_correlate(g.F, wide.Q, CKK, wide.forward_taps.data(), weight, bias, xp, wide_y, wide.Q);
          wide.narrow(wide_y, wide.Q, 0, g.F, g.Ho, g.Wo, y + n * g.F * HoWo);
        }
      });
      return;
    }
    T* cols = room(scratch, pool().parts() * CKK * HoWo);
    pool().run([&](std::size_t part, std::size_t parts) {
      T* col = cols + part * CKK * HoWo;
      const auto [begin, end] = parallel::share(N, part, parts);
      for (std::size_t n = begin; n < end; ++n) {
        T* yn = y + n * g.F * HoWo;
        for (std::size_t f = 0; f < g.F; ++f) std::fill_n(yn + f * HoWo, HoWo, bias != nullptr ? bias[f] : T(0));
        loops::im2col(g, x + n * image, col);
        kernels::portable_gemm(pool(), Transpose::no, Transpose::no, g.F, HoWo, CKK, T(1), weight, CKK, col, HoWo,
                               T(1), yn, HoWo);
      }
    });
  }

  // Two runs. First, per sample (shared out): the sample's columns of im2col, into a row per tap
  // of every sample's side by side ([C K K, N Ho Wo], kept for the second run), dy's planes into a
  // row per filter of every sample's ([F, N Ho Wo]), and dx_n = col2im(W^T dy_n), each thread with
  // dX's columns of its own. Then dW's sums over those rows (kernels/lane_sums.hpp: vectorized along
  // them, each one run), each thread a block of taps, and db's on the first thread.
  // scratch: the columns, dy's rows, then (with dx) [threads, C K K, Ho Wo] dX columns.
  void conv2d_backward(const ConvGeometry& g, std::size_t N, const T* x, const T* weight, const T* dy, T* dx,
                       T* dweight, T* dbias, T scale, Tensor<T>& scratch) const override {
    const std::size_t CKK = g.C * g.K * g.K, HoWo = g.Ho * g.Wo, F = g.F, image = g.C * g.H * g.W;
    const std::size_t M = N * HoWo;  // a row's values
    T* cols = room(scratch, CKK * M + F * M + (dx != nullptr ? pool().parts() * CKK * HoWo : 0));
    T* dy_rows = cols + CKK * M;
    T* input_grad_cols = dy_rows + F * M;
    pool().run([&](std::size_t part, std::size_t parts) {
      const auto [begin, end] = parallel::share(N, part, parts);
      for (std::size_t n = begin; n < end; ++n) {
        const T* dyn = dy + n * F * HoWo;
        loops::im2col(g, x + n * image, cols + n * HoWo, M);
        for (std::size_t f = 0; f < F; ++f) std::copy_n(dyn + f * HoWo, HoWo, dy_rows + f * M + n * HoWo);
        if (dx == nullptr) continue;
        T* dcol = input_grad_cols + part * CKK * HoWo;
        kernels::portable_gemm(pool(), Transpose::yes, Transpose::no, CKK, HoWo, F, T(1), weight, CKK, dyn, HoWo,
                               T(0), dcol, HoWo);
        T* dxn = dx + n * image;
        std::fill_n(dxn, image, T(0));
        loops::col2im(g, dcol, dxn);
      }
    });
    pool().run([&](std::size_t part, std::size_t parts) {
      const auto [begin, end] = parallel::share(CKK, part, parts);
      kernels::lane_sums_of_products(F, end - begin, M, dy_rows, M, cols + begin * M, M, scale, dweight + begin, CKK);
      if (part == 0 && dbias != nullptr) {
        kernels::lane_sums_of_products(F, std::size_t{1}, M, dy_rows, M, static_cast<const T*>(nullptr), 0, scale,
                                       dbias, 1);
      }
    });
  }

 private:
  using ThreadedBackend<T>::pool;
};

}  // namespace

template <class T>
std::shared_ptr<Backend<T>> make_portable_backend(int threads) {
  return std::make_shared<PortableBackend<T>>(threads);
}

template std::shared_ptr<Backend<float>> make_portable_backend(int);
template std::shared_ptr<Backend<double>> make_portable_backend(int);

}  // namespace bpnn
