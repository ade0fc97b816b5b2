// The one thread-count knob: the size of bpnn's one thread pool, which splits large matrix
// products and the per-sample and per-channel loops of conv2d, pooling and batch norm. BLAS itself
// always runs on the calling thread, so there is never a second pool competing for the cores.
// Not to be called while another thread is inside bpnn.
#pragma once

namespace bpnn {

// Sets how many threads bpnn uses (1, the default, or more), the caller's included. Results are
// bit-identical for a given count; between counts they may differ by float reordering.
void set_num_threads(int threads);
int num_threads();

}  // namespace bpnn
