// A stride-1 convolution laid out on the wide grid of kernels/direct_conv.hpp (internal): the
// buffers of the cpu backend's direct convolutions, in either arithmetic.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

#include "bpnn/backend/backend.hpp"
#include "kernels/direct_conv.hpp"

namespace bpnn::kernels {

// A stride-1 convolution's buffers on the wide grid of kernels/direct_conv.hpp, per sample: the
// padded image xp [C, Hp, Wp] (and the tail its last taps read), and dY's planes [rows, L], each
// plane M = (K-1) Wp + K-1 zeros, then dY[f] on the wide grid (rows Wp apart), then zeros. dX is the
// correlation of those planes with the reversed taps of W:
//   dxp[c, r] = sum_{f,a,b} W[f, c, a, b] dY[f, r - a Wp - b],  dx[c, i, j] = dxp[c, (i + P) Wp + j + P]
// which is zero wherever r - a Wp - b leaves dY (the margin before, the zeros after and between).
struct WideConv {
  explicit WideConv(const ConvGeometry& g)
      : Hp(g.H + 2 * g.P),
        Wp(g.W + 2 * g.P),
        Q(round(g.Ho * Wp)),
        R(round((g.H + g.P) * Wp)),
        M((g.K - 1) * Wp + g.K - 1),
        L(M + std::max(Q, R)),
        image(std::max(g.C * Hp * Wp, Q + (g.C - 1) * Hp * Wp + M)),
        rows(correlate_rows(g.F)),
        forward_taps(g.C * g.K * g.K) {
    std::ptrdiff_t* o = forward_taps.data();
    for (std::size_t c = 0; c < g.C; ++c) {
      for (std::size_t a = 0; a < g.K; ++a) {
        for (std::size_t b = 0; b < g.K; ++b) *o++ = static_cast<std::ptrdiff_t>((c * Hp + a) * Wp + b);
      }
    }
  }
  // dX's taps (f, a, b) into the planes; only backward with dx needs them.
  std::vector<std::ptrdiff_t> input_grad_taps(const ConvGeometry& g) const {
    std::vector<std::ptrdiff_t> taps(g.F * g.K * g.K);
    std::ptrdiff_t* o = taps.data();
    for (std::size_t f = 0; f < g.F; ++f) {
      for (std::size_t a = 0; a < g.K; ++a) {
        for (std::size_t b = 0; b < g.K; ++b) *o++ = static_cast<std::ptrdiff_t>(f * L + M - a * Wp - b);
      }
    }
    return taps;
  }
  static std::size_t round(std::size_t n) {
    return (n + kCorrelateStep - 1) / kCorrelateStep * kCorrelateStep;
  }

  // Writes all of xp: the padding's zeros and the sample's image.
  template <class T>
  void pad(const ConvGeometry& g, const T* x, T* xp) const {
    T* out = xp;
    for (std::size_t c = 0; c < g.C; ++c) {
      out = std::fill_n(out, g.P * Wp, T(0));
      for (std::size_t r = 0; r < g.H; ++r, x += g.W) {
        out = std::fill_n(out, g.P, T(0));
        out = std::copy(x, x + g.W, out);
        out = std::fill_n(out, g.P, T(0));
      }
      out = std::fill_n(out, g.P * Wp, T(0));
    }
    std::fill(out, xp + image, T(0));
  }
  // Writes all of dY's planes, rows past F zero.
  template <class T>
  void widen(const ConvGeometry& g, const T* dy, T* planes) const {
    T* out = planes;
    for (std::size_t f = 0; f < g.F; ++f) {
      out = std::fill_n(out, M, T(0));
      for (std::size_t i = 0; i < g.Ho; ++i, dy += g.Wo) {
        out = std::copy(dy, dy + g.Wo, out);
        out = std::fill_n(out, Wp - g.Wo, T(0));
      }
      std::fill(out, planes + (f + 1) * L, T(0));
      out = planes + (f + 1) * L;
    }
    std::fill(out, planes + rows * L, T(0));
  }
  // The other way: out[p, i, j] = wide[p plane + first + i Wp + j] for p < planes, i < height,
  // j < width (a forward's Ŷ, plane Q, first 0; dX's, plane R, first P Wp + P).
  template <class T>
  void narrow(const T* wide, std::size_t plane, std::size_t first, std::size_t planes, std::size_t height,
              std::size_t width, T* out) const {
    for (std::size_t p = 0; p < planes; ++p) {
      for (std::size_t i = 0; i < height; ++i, out += width) {
        const T* row = wide + p * plane + first + i * Wp;
        std::copy(row, row + width, out);
      }
    }
  }

  std::size_t Hp, Wp;
  std::size_t Q, R;   // the forward's wide grid (Ho rows), dX's (the rows up to H + P)
  std::size_t M, L;   // dY's margin and plane
  std::size_t image;  // xp's length
  std::size_t rows;   // dY's planes: F rounded up to the kernels' blocks
  std::vector<std::ptrdiff_t> forward_taps;
};

}  // namespace bpnn::kernels
