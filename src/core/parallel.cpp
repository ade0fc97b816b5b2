// The thread pool of a cpu backend. A run is short (one layer's loop, one GEMM: tens of
// microseconds), so workers spin for a while before they sleep, and the caller spins until its
// workers are done: a sleep and wake-up per run would cost as much as the run.
#include "core/parallel.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "bpnn/core/error.hpp"

namespace bpnn::parallel {
namespace {

// How long an idle worker spins before it sleeps; longer than the gaps between the runs of one
// training step, far shorter than anything a person would notice as a busy core.
constexpr auto kSpin = std::chrono::microseconds(200);

// Pauses between two yields while spinning. A yield is a system call, which costs microseconds
// under some hypervisors: yielding every 64 pauses kept two threads on two cores in the kernel for
// a tenth of a LeNet step; every 1024 (some 20 microseconds) still lets a thread that shares the
// core run soon.
constexpr unsigned kPausesPerYield = 1024;

void relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

thread_local bool inside_run = false;

}  // namespace

class ThreadPool::Workers {
 public:
  explicit Workers(std::size_t threads) : threads_(threads), errors_(threads) {
    workers_.reserve(threads - 1);
    try {
      for (std::size_t part = 1; part < threads; ++part) workers_.emplace_back([this, part] { work(part); });
    } catch (const std::system_error& e) {
      stop();
      throw Error("cannot start " + std::to_string(threads) + " threads: " + e.what());
    }
  }

  ~Workers() { stop(); }

  std::size_t threads() const { return threads_; }

  void run(Body body) {
    std::lock_guard<std::mutex> turn(turn_);  // one run at a time; other callers wait here
    const std::size_t parts = threads();
    std::uint64_t run = 0;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      body_.emplace(body);
      done_.store(0, std::memory_order_relaxed);
      run = generation_.load(std::memory_order_relaxed) + 1;
      generation_.store(run, std::memory_order_release);
    }
    wake_.notify_all();
    perform_parts(body, run, 0);
    // Yielding now and then lets a worker that shares this core (more threads than cores) finish.
    for (unsigned spins = 1; done_.load(std::memory_order_acquire) != parts; ++spins) {
      relax();
      if (spins % kPausesPerYield == 0) std::this_thread::yield();
    }
    std::exception_ptr first;
    for (std::exception_ptr& error : errors_) {
      if (error && !first) first = error;
      error = nullptr;
    }
    if (first) std::rethrow_exception(first);
  }

 private:
  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (std::thread& worker : workers_) worker.join();
  }

  // Claims and performs the parts of run `run` that no thread has claimed yet, its own part first.
  // A part is claimed once, by whichever thread comes first, so a worker that is late (its core
  // taken by another process) leaves its part to the others instead of holding up the run; a part's
  // work is the same on every thread, so results do not depend on who does it.
  void perform_parts(Body body, std::uint64_t run, std::size_t own) {
    const std::size_t parts = threads();
    for (std::size_t k = 0; k < parts; ++k) {
      const std::size_t part = (own + k) % parts;
      std::uint64_t last = claimed_[part].load(std::memory_order_relaxed);
      // claimed_[part] is the last run that claimed it; a newer run means this one is over.
      if (last >= run || !claimed_[part].compare_exchange_strong(last, run, std::memory_order_acq_rel)) continue;
      perform(body, part, parts);
      done_.fetch_add(1, std::memory_order_release);
    }
  }

  void perform(Body body, std::size_t part, std::size_t parts) {
    inside_run = true;
    try {
      body(part, parts);
    } catch (...) {
      errors_[part] = std::current_exception();
    }
    inside_run = false;
  }

  void work(std::size_t part) {
    std::uint64_t seen = 0;
    for (;;) {
      std::uint64_t now = generation_.load(std::memory_order_acquire);
      for (auto start = std::chrono::steady_clock::now(); now == seen;) {
        for (unsigned i = 0; i < kPausesPerYield && now == seen;
             ++i, now = generation_.load(std::memory_order_acquire)) {
          relax();
        }
        if (now != seen) break;
        std::this_thread::yield();  // lets a thread that has work run, should there be more threads than cores
        if (std::chrono::steady_clock::now() - start > kSpin) {
          std::unique_lock<std::mutex> lock(mutex_);
          wake_.wait(lock, [&] { return stopping_ || generation_.load(std::memory_order_acquire) != seen; });
          if (stopping_) return;
          now = generation_.load(std::memory_order_acquire);
        }
      }
      std::unique_lock<std::mutex> lock(mutex_);
      const Body body = *body_;  // the body and its run read together: the caller sets both under mutex_
      seen = generation_.load(std::memory_order_relaxed);
      lock.unlock();
      perform_parts(body, seen, part);
    }
  }

  const std::size_t threads_;
  std::vector<std::exception_ptr> errors_;  // one slot per part
  std::mutex turn_;                          // held by the caller for a whole run
  std::mutex mutex_;                         // guards body_ and stopping_, and sleeping
  std::condition_variable wake_;
  std::optional<Body> body_;
  bool stopping_ = false;
  std::atomic<std::uint64_t> generation_{0};  // the current run: one more for every run
  std::atomic<std::size_t> done_{0};          // parts of the current run done
  std::unique_ptr<std::atomic<std::uint64_t>[]> claimed_ = std::make_unique<std::atomic<std::uint64_t>[]>(threads_);
                                              // per part, the last run that claimed it
  std::vector<std::thread> workers_;          // last: they start once everything above exists
};

ThreadPool::ThreadPool(int threads) : threads_(static_cast<std::size_t>(threads)) {
  if (threads < 1 || threads > 1024) throw Error("threads must be 1 to 1024, got " + std::to_string(threads));
  if (threads > 1) workers_ = std::make_unique<Workers>(threads_);
}

ThreadPool::~ThreadPool() = default;

std::size_t ThreadPool::parts() const { return inside_run ? 1 : threads_; }

void ThreadPool::run_body(Body body) const {
  if (parts() == 1) {
    body(0, 1);
    return;
  }
  workers_->run(body);
}

}  // namespace bpnn::parallel
