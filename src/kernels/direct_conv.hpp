// Direct convolution of stride 1, for the small channel counts (LeNet's 1 → 6 → 16) where unfolding
// the image into columns (im2col) costs more than the products it feeds.
//
// A zero-padded image xp [C, Hp, Wp] is read as one long row: output pixel (i, j) and kernel tap
// t = (c, a, b) meet at xp[q + o_t], with q = i Wp + j and o_t = c Hp Wp + a Wp + b. Over the wide
// output grid q in [0, Q) (Q >= Ho Wp; the columns j >= Wo and anything past the last row are
// computed and thrown away) a convolution is a correlation of one long row with a list of offsets:
//   forward:  Y[f, q]   = b_f + sum_t W[f, t] x[q + o_t]
//   dW:       dW[f, t] += scale sum_n sum_q dY_n[f, q] x_n[q + o_t]   (dY_n 0 where Y is thrown away)
// and dX is a correlation too, of dY (zero-margined) with W's taps reversed (cpu backend). Both
// kernels keep their blocks in registers (vectors of 64 bytes, compiled for AVX-512, AVX2 and plain
// x86-64 and picked when the program loads); conv2d_backward of src/backend/cpu.cpp lays out the
// buffers.
#pragma once

#include <cstddef>

namespace bpnn::kernels {

// Q must be a multiple of this.
inline constexpr std::size_t kCorrelateStep = 32;

// F rounded up to the kernels' blocks of filters: the rows that Y gets and that dY must have
// (rows past F zero).
std::size_t correlate_rows(std::size_t F);

// Y[f, q] = b_f + sum_t W[f, t] x[q + o_t] for f < correlate_rows(F) (W's rows past F count as 0,
// bias may be null) and q < Q; Y's rows are ldy apart.
template <class T>
void correlate(std::size_t F, std::size_t Q, std::size_t taps, const std::ptrdiff_t* offsets, const T* W,
               const T* bias, const T* x, T* Y, std::size_t ldy);

// dW[f, t] += scale sum_n sum_q dY_n[f, q] x_n[q + o_t] over n < samples, f < F, q < Q: dY_n's
// rows ldy apart (correlate_rows(F) of them), the samples dy_stride and x_stride apart.
template <class T>
void correlate_weight_grad(std::size_t F, std::size_t Q, std::size_t taps, const std::ptrdiff_t* offsets,
                           std::size_t samples, const T* dY, std::size_t ldy, std::size_t dy_stride, const T* x,
                           std::size_t x_stride, T scale, T* dW);

}  // namespace bpnn::kernels
