// The one thread-count knob. bpnn's own loops are single-threaded; the threads are BLAS's, so
// there is never more than one pool competing for the cores.
#pragma once

namespace bpnn {

// Sets how many threads GEMM may use (1 or more). Results are bit-identical for a given count.
void set_num_threads(int threads);
int num_threads();

}  // namespace bpnn
