// A stride-1 convolution in portable arithmetic, on the wide grid of kernels/direct_conv.hpp
// (internal): each output one sum over the taps in order from 0, products rounded before they are
// added, then the bias, which are the reference's bits. Vectorized along the grid in copies per
// vector instruction set (kernels/vector_isa.hpp). Built with -ffp-contract=off (CMakeLists.txt).
#pragma once

#include <cstddef>

namespace bpnn::kernels {

// Y[f, q] = (sum_t W[f, t] x[q + o_t], t ascending from 0) + b_f (+ 0 where bias is null), for f < F
// and q < Q (a multiple of kCorrelateStep); Y's rows ldy apart.
template <class T>
void portable_correlate(std::size_t F, std::size_t Q, std::size_t taps, const std::ptrdiff_t* offsets, const T* W,
                        const T* bias, const T* x, T* Y, std::size_t ldy);

}  // namespace bpnn::kernels
