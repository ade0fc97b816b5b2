// The test communicator that turns one rank's contribution to one step's gradient sum into NaN.
#include "bpnn/distributed/poisoning_communicator.hpp"

#include <algorithm>
#include <cstdlib>
#include <limits>

namespace bpnn {

bool PoisoningCommunicator::poisons_this_step() { return ++sums_ == step_ && inner_.rank() == rank_; }

void PoisoningCommunicator::alltoall(const float* send, std::size_t count, float* recv) {
  if (!poisons_this_step()) {
    inner_.alltoall(send, count, recv);
    return;
  }
  // send is the caller's: a NaN copy of the same size goes instead.
  nan_.assign(static_cast<std::size_t>(inner_.size()) * count, std::numeric_limits<float>::quiet_NaN());
  inner_.alltoall(nan_.data(), count, recv);
}

void PoisoningCommunicator::allreduce_sum(float* data, std::size_t count) {
  if (poisons_this_step()) std::fill_n(data, count, std::numeric_limits<float>::quiet_NaN());
  inner_.allreduce_sum(data, count);
}

void PoisoningCommunicator::abort(int code) {
  inner_.abort(code);
  std::_Exit(code);  // not reached: inner's abort does not return either, but the compiler cannot know
}

}  // namespace bpnn
