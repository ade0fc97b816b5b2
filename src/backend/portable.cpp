// The cpu backend in portable arithmetic: every op gives the reference backend's bits, at any
// thread count and on any vector unit. GEMM is kernels/portable_gemm.hpp's; a convolution's outputs
// and dx are correlations on the wide grid (kernels/portable_correlate.hpp; other strides than 1
// forward as im2col and that GEMM), its weight gradient kernels/lane_sums.hpp's; pooling, batch
// norm and parallel_for are the reference's loops shared out by backend/threaded.hpp, and the
// elementwise ops and softmax the reference's own. Threads share out outputs (samples, blocks of C,
// taps, channels, planes), never a sum. Built with -ffp-contract=off (CMakeLists.txt).
#include "backend/portable.hpp"

#include <algorithm>
#include <numeric>
#include <optional>
#include <vector>

#include "backend/loops.hpp"
#include "backend/threaded.hpp"
#include "kernels/lane_sums.hpp"
#include "kernels/portable_correlate.hpp"
#include "kernels/portable_gemm.hpp"
#include "kernels/vector_isa.hpp"
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

constexpr std::size_t kSumLanes = loops::kSumLanes;

// rows[t - t0, (n - n0) Ho Wo + i Wo + j] = x_n[c, i S + ki - P, j S + kj - P] (0 in the padding)
// for the taps t = (c, ki, kj) in [t0, t1) and samples [n0, n1): im2col's columns of those taps
// and samples, read from the samples' padded images (`padded`'s layout, images that far apart).
// Stride 1 copies each run of Wo in steps of 16 values straight from a row of the image: a step
// past the run is written over by the next run or lands in the 16 values of room after the rows,
// and reads at most 16 values past an image (room after the last one).
template <class T>
void gather_taps(const ConvGeometry& g, const kernels::WideConv& padded, const T* images, std::size_t t0,
                 std::size_t t1, std::size_t n0, std::size_t n1, T* rows, std::size_t ld) {
  using Step = typename kernels::VectorOf<T, kSumLanes>::type;
  for (std::size_t t = t0; t < t1; ++t) {
    const std::size_t c = t / (g.K * g.K), ki = t / g.K % g.K, kj = t % g.K;
    T* out = rows + (t - t0) * ld;
    for (std::size_t n = n0; n < n1; ++n) {
      const T* tap = images + n * padded.image + (c * padded.Hp + ki) * padded.Wp + kj;
      for (std::size_t i = 0; i < g.Ho; ++i, out += g.Wo) {
        const T* run = tap + i * g.S * padded.Wp;
        if (g.S != 1) {
          for (std::size_t j = 0; j < g.Wo; ++j) out[j] = run[j * g.S];
          continue;
        }
        for (std::size_t j = 0; j < g.Wo; j += kSumLanes) {
          Step step;
          kernels::load<T, kSumLanes>(step, run + j);
          kernels::store<T, kSumLanes>(out + j, step);
        }
      }
    }
  }
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

  // Two runs. First, per sample (shared out): the sample's padded image (kept for the second run),
  // dy's planes into a row per filter of every sample's side by side ([F, N Ho Wo]), and dx: the
  // correlation of dy's planes, on the wide grid with zero margins (kernels/wide_conv.hpp), with
  // W's taps reversed, each output one sum over (f, ki, kj) (kernels/portable_correlate.hpp); a
  // stride S > 1 is stride 1 on dy dilated by zeros, whose products add nothing. Then dW's sums in
  // 16 lanes (kernels/lane_sums.hpp), each thread a block of taps: for a few samples at a time, the
  // taps' rows of im2col's columns gathered from the padded images into a buffer that stays in
  // cache, and their products with dy's rows added to the lanes; db's sums on the first thread.
  // scratch: the padded images, dy's rows, W with its first two axes swapped, then each thread's
  // planes, wide dx and (S > 1) dilated dy, its gathered rows and its lanes.
  void conv2d_backward(const ConvGeometry& g, std::size_t N, const T* x, const T* weight, const T* dy, T* dx,
                       T* dweight, T* dbias, T scale, Tensor<T>& scratch) const override {
    const std::size_t CKK = g.C * g.K * g.K, KK = g.K * g.K, HoWo = g.Ho * g.Wo, F = g.F, image = g.C * g.H * g.W;
    const std::size_t M = N * HoWo;  // a row's values
    const kernels::WideConv padded(g);
    const ConvGeometry unit = g.S == 1 ? g
                                       : ConvGeometry{.C = g.C, .H = g.H, .W = g.W, .F = g.F, .K = g.K, .S = 1,
                                                      .P = g.P, .Ho = g.H + 2 * g.P - g.K + 1,
                                                      .Wo = g.W + 2 * g.P - g.K + 1};
    const std::optional<kernels::WideConv> wide = dx != nullptr ? std::optional<kernels::WideConv>(unit) : std::nullopt;
    const std::vector<std::ptrdiff_t> taps = wide ? wide->input_grad_taps(unit) : std::vector<std::ptrdiff_t>{};
    const std::size_t dilated = g.S > 1 ? F * unit.Ho * unit.Wo : 0;
    const std::size_t threads = pool().parts(), share = (CKK + threads - 1) / threads;  // the most taps a thread sums
    // Samples per gathering: about 2^16 values of rows, and a multiple of 16 values (so that each
    // gathering starts at lane 0).
    const std::size_t unit_samples = kSumLanes / std::gcd(HoWo, kSumLanes);
    const std::size_t chunk =
        std::max(unit_samples, (std::size_t{1} << 16) / (share * HoWo) / unit_samples * unit_samples);
    const std::size_t own = (wide ? wide->rows * wide->L + g.C * wide->R + dilated : 0) + share * chunk * HoWo +
                            kSumLanes + (F * share + F) * kSumLanes;
    T* images = room(scratch, N * padded.image + kSumLanes + F * M + F * CKK + threads * own);
    T* dy_rows = images + N * padded.image + kSumLanes;
    T* swapped = dy_rows + F * M;  // W'[c, f, ki, kj] = W[f, c, ki, kj]
    T* rooms = swapped + F * CKK;
    if (wide) {
      for (std::size_t f = 0; f < F; ++f) {
        for (std::size_t c = 0; c < g.C; ++c) std::copy_n(weight + (f * g.C + c) * KK, KK, swapped + (c * F + f) * KK);
      }
    }
    pool().run([&](std::size_t part, std::size_t parts) {
      T* planes = rooms + part * own;
      T* wide_dx = wide ? planes + wide->rows * wide->L : nullptr;
      T* dilated_dy = wide ? wide_dx + g.C * wide->R : nullptr;
      const auto [begin, end] = parallel::share(N, part, parts);
      for (std::size_t n = begin; n < end; ++n) {
        const T* dyn = dy + n * F * HoWo;
        padded.pad(g, x + n * image, images + n * padded.image);
        for (std::size_t f = 0; f < F; ++f) std::copy_n(dyn + f * HoWo, HoWo, dy_rows + f * M + n * HoWo);
        if (!wide) continue;
        if (g.S > 1) {
          std::fill_n(dilated_dy, dilated, T(0));
          for (std::size_t f = 0; f < F; ++f) {
            for (std::size_t i = 0; i < g.Ho; ++i) {
              for (std::size_t j = 0; j < g.Wo; ++j) {
                dilated_dy[(f * unit.Ho + i * g.S) * unit.Wo + j * g.S] = dyn[(f * g.Ho + i) * g.Wo + j];
              }
            }
          }
        }
        wide->widen(unit, g.S > 1 ? static_cast<const T*>(dilated_dy) : dyn, planes);
        kernels::portable_correlate(g.C, wide->R, F * KK, taps.data(), swapped, static_cast<const T*>(nullptr),
                                    planes, wide_dx, wide->R);
        wide->narrow(wide_dx, wide->R, g.P * wide->Wp + g.P, g.C, g.H, g.W, dx + n * image);
      }
    });
    pool().run([&](std::size_t part, std::size_t parts) {
      T* rows = rooms + part * own + (wide ? wide->rows * wide->L + g.C * wide->R + dilated : 0);
      T* lanes = rows + share * chunk * HoWo + kSumLanes;
      T* bias_lanes = lanes + F * share * kSumLanes;
      const auto [t0, t1] = parallel::share(CKK, part, parts);
      std::fill_n(lanes, (F * share + F) * kSumLanes, T(0));
      if (t0 < t1) {
        for (std::size_t n0 = 0; n0 < N; n0 += chunk) {
          const std::size_t n1 = std::min(N, n0 + chunk), values = (n1 - n0) * HoWo;
          gather_taps(g, padded, images, t0, t1, n0, n1, rows, values);
          kernels::add_lane_products(F, t1 - t0, values, dy_rows + n0 * HoWo, M, static_cast<const T*>(rows), values,
                                     lanes);
        }
        kernels::fold_lanes(F, t1 - t0, static_cast<const T*>(lanes), scale, dweight + t0, CKK);
      }
      if (part == 0 && dbias != nullptr) {
        kernels::add_lane_products(F, std::size_t{1}, M, dy_rows, M, static_cast<const T*>(nullptr), 0, bias_lanes);
        kernels::fold_lanes(F, std::size_t{1}, static_cast<const T*>(bias_lanes), scale, dbias, 1);
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
