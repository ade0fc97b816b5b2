// Sums of products in 16 lanes, portable arithmetic's order for sums over a batch's pixels
// (backend.hpp: value m into lane m mod 16, each lane from 0 in m order, then folded 8, 4, 2, 1):
// a convolution's weight and bias gradients. Vectorized along m, the lanes being the vector's, in
// copies per vector instruction set (kernels/portable_gemm.hpp's choice); every copy gives the bits
// of loops::add_to_lanes and loops::lanes_total. Built with -ffp-contract=off (CMakeLists.txt).
#pragma once

#include <cstddef>

namespace bpnn::kernels {

// out[f ldo + t] += scale S[f, t] for f < F and t < taps, S[f, t] the 16-lane sum over m < M of
// a[f lda + m] b[t ldb + m]; with b null (taps 1), of a[f lda + m] alone (a bias gradient).
template <class T>
void lane_sums_of_products(std::size_t F, std::size_t taps, std::size_t M, const T* a, std::size_t lda, const T* b,
                           std::size_t ldb, T scale, T* out, std::size_t ldo);

}  // namespace bpnn::kernels
