// Sums of products in 16 lanes, portable arithmetic's order for sums over a batch's pixels
// (backend.hpp: value m into lane m mod 16, each lane from 0 in m order, then folded 8, 4, 2, 1):
// a convolution's weight and bias gradients. Vectorized along m, the lanes being the vector's, in
// copies per vector instruction set (kernels/vector_isa.hpp); every copy gives the bits of
// loops::add_to_lanes and loops::lanes_total. Built with -ffp-contract=off (CMakeLists.txt).
#pragma once

#include <cstddef>

namespace bpnn::kernels {

// lanes[(f taps + t) 16 + l] += a[f lda + m] b[t ldb + m] for each m < M with m mod 16 = l, in m
// order (b null, taps 1: a[f lda + m] alone), for f < F and t < taps: part of 16-lane sums, whose
// next part starts where this one ends (so M is a multiple of 16 unless this part is the last).
template <class T>
void add_lane_products(std::size_t F, std::size_t taps, std::size_t M, const T* a, std::size_t lda, const T* b,
                       std::size_t ldb, T* lanes);

// out[f ldo + t] += scale S[f, t], S[f, t] the lanes of (f, t) (as add_lane_products lays them out)
// folded 8, 4, 2, 1.
template <class T>
void fold_lanes(std::size_t F, std::size_t taps, const T* lanes, T scale, T* out, std::size_t ldo);

}  // namespace bpnn::kernels
