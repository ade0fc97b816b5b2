// The thread counts a test gives a cpu backend, kept to what the build can start. The engine's tests
// built for wasm32 (tests/wasm) run on one thread, as the playground's engine does (emscripten
// without pthreads, where a backend of two threads cannot start): they define BPNN_TEST_ONE_THREAD,
// which leaves every case of more threads out, and tests/wasm/CMakeLists.txt lists the tests it
// changes. Everywhere else each count runs.
#pragma once

#include <initializer_list>
#include <vector>

namespace bpnn::testing {

#ifdef BPNN_TEST_ONE_THREAD
inline constexpr int kMaxThreads = 1;
#else
inline constexpr int kMaxThreads = 1024;  // a cpu backend's own limit
#endif

// The counts of `counts` up to kMaxThreads, in their order.
inline std::vector<int> thread_counts(std::initializer_list<int> counts) {
  std::vector<int> runnable;
  for (const int threads : counts) {
    if (threads <= kMaxThreads) runnable.push_back(threads);
  }
  return runnable;
}

}  // namespace bpnn::testing
