// The one thread-count knob: the size of bpnn's one thread pool, which splits large matrix
// products and shares out conv2d's samples, pooling's planes and batch norm's channels. BLAS
// itself always runs on the calling thread (bpnn sets OpenBLAS to one thread for the whole process
// at its first product), so there is never a second pool competing for the cores. Not to be called
// while another thread is inside bpnn; more threads than cores works, but slowly.
#pragma once

namespace bpnn {

// Sets how many threads bpnn uses (1, the default, to 1024), the caller's included. Results are
// bit-identical for a given count; between counts they may differ by float reordering.
void set_num_threads(int threads);
int num_threads();

}  // namespace bpnn
