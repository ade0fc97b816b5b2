// The thread pool of a cpu backend (internal). A pool of n threads has n - 1 workers; the calling
// thread is the n-th. Work is split statically: part k of a run always gets the same share, so
// results depend on the thread count only, never on timing. Each thread takes its own part first
// and then any part not yet taken, so a thread that is late does not hold up the run. BLAS runs
// single-threaded inside it (kernels/gemm.cpp), so no second pool ever competes for the cores.
#pragma once

#include <cstddef>
#include <memory>
#include <utility>

#include "bpnn/core/function_ref.hpp"

namespace bpnn::parallel {

// A run's work: body(part, parts), borrowed for the length of the run.
using Body = FunctionRef<void(std::size_t part, std::size_t parts)>;

class ThreadPool {
 public:
  // Starts threads - 1 workers; throws Error unless 1 <= threads <= 1024 or if a thread cannot start.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  std::size_t threads() const { return threads_; }
  // How many parts a run started here would have: the thread count, or 1 inside a run of any
  // pool (no nesting).
  std::size_t parts() const;

  // Calls body(part, parts()) for every part, each on one of the threads (the calling thread first
  // takes part 0), and returns when all are done; an exception from any part is rethrown here (the
  // lowest part's). Runs from several
  // caller threads take turns.
  template <class F>
  void run(F&& body) const {
    run_body(Body(body));
  }

 private:
  void run_body(Body body) const;
  class Workers;
  std::size_t threads_;
  std::unique_ptr<Workers> workers_;  // null for one thread
};

// Part `part` of `parts` equal shares of [0, n): the half-open range [begin, end).
inline std::pair<std::size_t, std::size_t> share(std::size_t n, std::size_t part, std::size_t parts) {
  return {n * part / parts, n * (part + 1) / parts};
}

// body(begin, end) over shares of [0, n), one per part, when n items of about item_work
// operations each are worth splitting; else body(0, n) on the calling thread. For loops whose
// items are independent, where the split cannot change the results.
template <class F>
void for_range(const ThreadPool& pool, std::size_t n, std::size_t item_work, F&& body) {
  constexpr std::size_t kMinWork = std::size_t{1} << 15;  // below this a hand-over costs more than it saves
  if (pool.parts() == 1 || n < 2 || n * item_work < kMinWork) {
    body(std::size_t{0}, n);
    return;
  }
  pool.run([&](std::size_t part, std::size_t parts) {
    const auto [begin, end] = share(n, part, parts);
    if (begin < end) body(begin, end);
  });
}

// body(i) for every i in [0, n), the items shared out as for_range does.
template <class F>
void for_each(const ThreadPool& pool, std::size_t n, std::size_t item_work, F&& body) {
  for_range(pool, n, item_work, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) body(i);
  });
}

}  // namespace bpnn::parallel
