// The cpu backend in portable arithmetic: every op gives the reference backend's bits, at any
// thread count and on any vector unit. GEMM is kernels/portable_gemm.hpp's; a convolution is
// im2col and that GEMM, per sample; pooling, batch norm and parallel_for are the reference's loops
// shared out by backend/threaded.hpp, and the elementwise ops and softmax the reference's own.
// Threads share out outputs (samples, blocks of C, channels, planes), never a sum. Built with
// -ffp-contract=off (CMakeLists.txt).
#include "backend/portable.hpp"

#include <algorithm>

#include "backend/loops.hpp"
#include "backend/threaded.hpp"
#include "kernels/portable_gemm.hpp"

namespace bpnn {
namespace {

template <class T>
class PortableBackend final : public ThreadedBackend<T> {
 public:
  explicit PortableBackend(int threads) : ThreadedBackend<T>(threads) {}

  Arithmetic arithmetic() const override { return Arithmetic::portable; }

  void gemm(Transpose trans_a, Transpose trans_b, std::size_t M, std::size_t N, std::size_t K, T alpha, const T* A,
            std::size_t lda, const T* B, std::size_t ldb, T beta, T* C, std::size_t ldc) const override {
    kernels::portable_gemm(pool(), trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  }

  // Y_n = W col_n + b per sample, col_n = im2col(x_n) [C K K, Ho Wo]: the GEMM's sum over (c, ki, kj)
  // from 0, then 1 sum + 1 b, which is the reference's sum + b. The samples are shared out, each
  // thread with columns of its own in scratch.
  void conv2d_forward(const ConvGeometry& g, std::size_t N, const T* x, const T* weight, const T* bias, T* y,
                      Tensor<T>& scratch) const override {
    const std::size_t CKK = g.C * g.K * g.K, HoWo = g.Ho * g.Wo;
    scratch.resize(Shape{pool().parts(), CKK, HoWo});  // allocates on the first call with this workspace only
    pool().run([&](std::size_t part, std::size_t parts) {
      T* col = scratch.data() + part * CKK * HoWo;
      const auto [begin, end] = parallel::share(N, part, parts);
      for (std::size_t n = begin; n < end; ++n) {
        T* yn = y + n * g.F * HoWo;
        for (std::size_t f = 0; f < g.F; ++f) std::fill_n(yn + f * HoWo, HoWo, bias != nullptr ? bias[f] : T(0));
        loops::im2col(g, x + n * g.C * g.H * g.W, col);
        kernels::portable_gemm(pool(), Transpose::no, Transpose::no, g.F, HoWo, CKK, T(1), weight, CKK, col, HoWo,
                               T(1), yn, HoWo);
      }
    });
  }

  // Two runs. First, per sample (shared out): col_n = im2col(x_n), kept for the second, and
  // dx_n = col2im(W^T dy_n), each thread with dX's columns of its own. Then dW's sum over every
  // sample, sum_n dy_n col_n^T, each thread a block of its columns (taps) through all samples, and
  // db's sums on the first thread. scratch: [N, C K K, Ho Wo] columns, dW's sum [F, C K K], then
  // (with dx) [threads, C K K, Ho Wo] dX columns.
  void conv2d_backward(const ConvGeometry& g, std::size_t N, const T* x, const T* weight, const T* dy, T* dx,
                       T* dweight, T* dbias, T scale, Tensor<T>& scratch) const override {
    const std::size_t CKK = g.C * g.K * g.K, HoWo = g.Ho * g.Wo, F = g.F, image = g.C * g.H * g.W;
    const std::size_t columns = CKK * HoWo;
    scratch.resize(Shape{N * columns + F * CKK + (dx != nullptr ? pool().parts() * columns : 0)});
    T* cols = scratch.data();
    T* weight_sums = cols + N * columns;
    T* input_grad_cols = weight_sums + F * CKK;
    pool().run([&](std::size_t part, std::size_t parts) {
      const auto [begin, end] = parallel::share(N, part, parts);
      for (std::size_t n = begin; n < end; ++n) {
        loops::im2col(g, x + n * image, cols + n * columns);
        if (dx == nullptr) continue;
        T* dcol = input_grad_cols + part * columns;
        kernels::portable_gemm(pool(), Transpose::yes, Transpose::no, CKK, HoWo, F, T(1), weight, CKK,
                               dy + n * F * HoWo, HoWo, T(0), dcol, HoWo);
        T* dxn = dx + n * image;
        std::fill_n(dxn, image, T(0));
        loops::col2im(g, dcol, dxn);
      }
    });
    pool().run([&](std::size_t part, std::size_t parts) {
      // Edges on multiples of 32 taps (AVX-512's float block): a block narrower than that costs as
      // much as a whole one, so LeNet's first layer (25 taps) stays on the last thread.
      auto edge = [&](std::size_t k) { return k == parts ? CKK : std::min(CKK, (CKK * k / parts + 16) / 32 * 32); };
      const std::size_t begin = edge(part), end = edge(part + 1);
      if (begin < end) {
        for (std::size_t f = 0; f < F; ++f) std::fill(weight_sums + f * CKK + begin, weight_sums + f * CKK + end, T(0));
        for (std::size_t n = 0; n < N; ++n) {
          kernels::portable_gemm_accumulate(Transpose::no, Transpose::yes, F, end - begin, HoWo, dy + n * F * HoWo,
                                            HoWo, cols + n * columns + begin * HoWo, HoWo, weight_sums + begin, CKK);
        }
        for (std::size_t f = 0; f < F; ++f) {
          for (std::size_t t = begin; t < end; ++t) dweight[f * CKK + t] += scale * weight_sums[f * CKK + t];
        }
      }
      if (part != 0 || dbias == nullptr) return;
      for (std::size_t f = 0; f < F; ++f) {
        T sum = 0;
        for (std::size_t n = 0; n < N; ++n) {
          const T* dyf = dy + (n * F + f) * HoWo;
          for (std::size_t p = 0; p < HoWo; ++p) sum += dyf[p];
        }
        dbias[f] += scale * sum;
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
