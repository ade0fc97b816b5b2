// A Communicator for tests: a diverging shard on one rank, on demand. It forwards every collective
// to another communicator, except that at one step one rank's contribution to the gradient sum is
// NaN (tests/distributed_test.cpp; bpnn train wraps its communicator in one for tests/mpi/run.sh).
#pragma once

#include <cstddef>
#include <vector>

#include "bpnn/distributed/communicator.hpp"

namespace bpnn {

// ShardedStep sums each step's gradients (and loss, correct count and stop flag) in exactly one
// alltoall (GradientSum::ordered) or allreduce_sum (GradientSum::plain) and calls neither anywhere
// else, so the step-th of those calls is step `step`: there, rank `rank` sends NaN for every value,
// and every rank sums NaN, as when that rank's shards diverge.
class PoisoningCommunicator : public Communicator {
 public:
  // Keeps a reference to inner. step is 1-based, counted from this communicator's construction.
  PoisoningCommunicator(Communicator& inner, int rank, std::size_t step)
      : inner_(inner), rank_(rank), step_(step) {}

  int rank() const override { return inner_.rank(); }
  int size() const override { return inner_.size(); }
  void allgather(const float* local, std::size_t count, float* all) override { inner_.allgather(local, count, all); }
  void allgather(const double* local, std::size_t count, double* all) override { inner_.allgather(local, count, all); }
  void allgather(const std::uint64_t* local, std::size_t count, std::uint64_t* all) override {
    inner_.allgather(local, count, all);
  }
  void alltoall(const float* send, std::size_t count, float* recv) override;
  void allreduce_sum(float* data, std::size_t count) override;
  void broadcast(void* data, std::size_t bytes, int root) override { inner_.broadcast(data, bytes, root); }
  [[noreturn]] void abort(int code) override;

 private:
  // Counts one step's sum; true when this rank's contribution to it is to be NaN.
  bool poisons_this_step();

  Communicator& inner_;
  int rank_;
  std::size_t step_, sums_ = 0;
  std::vector<float> nan_;  // what the poisoned alltoall sends
};

}  // namespace bpnn
