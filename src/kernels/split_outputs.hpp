// How a product C[M, N] = op(A)[M, K] op(B)[K, N] is shared between a pool's threads (internal):
// by blocks of C's rows or columns, one per thread, so that no sum is split and each element's
// bits do not depend on the thread count. Used by kernels::gemm and kernels::portable_gemm alike.
#pragma once

#include <algorithm>
#include <cstddef>

#include "core/parallel.hpp"

namespace bpnn::kernels {

// A thread's block of C: its columns [begin, end) in every row, or its rows [begin, end) in every
// column.
struct OutputBlock {
  bool columns;
  std::size_t begin, end;
};

// Calls block(OutputBlock) once with all of C's rows where the pool has one thread or the product
// has fewer than split_work multiply-adds (M N K), else once per thread that has a block, on that
// thread. The split follows the largest of A, B and C, so that each thread touches only its share
// of it: a dense layer's weights W are B in forward (y = x W^T, split by W's rows) and C in the
// weight gradient (W += s dy^T x, split by rows again), so each thread reads and updates the same
// part of W, which stays in that core's cache between the passes. Block edges fall on multiples of
// 16, the kernels' widths; the blocks depend only on M, N, K and the thread count.
template <class Block>
void split_outputs(const parallel::ThreadPool& pool, std::size_t M, std::size_t N, std::size_t K,
                   std::size_t split_work, Block&& block) {
  if (pool.parts() == 1 || M * N * K < split_work) {
    block(OutputBlock{false, 0, M});
    return;
  }
  const std::size_t a_size = M * K, b_size = K * N, c_size = M * N;
  const bool columns = c_size >= std::max(a_size, b_size) ? M < 32 : b_size >= a_size && N >= 32;
  const std::size_t length = columns ? N : M;
  pool.run([&](std::size_t part, std::size_t parts) {
    auto edge = [&](std::size_t k) {
      return k == parts ? length : std::min(length, (length * k / parts + 8) / 16 * 16);
    };
    const std::size_t begin = edge(part), end = edge(part + 1);
    if (begin >= end) return;
    block(OutputBlock{columns, begin, end});
  });
}

}  // namespace bpnn::kernels
