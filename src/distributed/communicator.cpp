// The one-process communicator and the configuration agreement every transport shares.
#include "bpnn/distributed/communicator.hpp"

#include <cstdlib>
#include <cstring>
#include <vector>

namespace bpnn {

void LocalCommunicator::allgather(const float* local, std::size_t count, float* all) {
  if (all != local) std::memmove(all, local, count * sizeof(float));
}

void LocalCommunicator::allgather(const double* local, std::size_t count, double* all) {
  if (all != local) std::memmove(all, local, count * sizeof(double));
}

void LocalCommunicator::allgather(const std::uint64_t* local, std::size_t count, std::uint64_t* all) {
  if (all != local) std::memmove(all, local, count * sizeof(std::uint64_t));
}

void LocalCommunicator::alltoall(const float* send, std::size_t count, float* recv) {
  if (recv != send) std::memmove(recv, send, count * sizeof(float));
}

void LocalCommunicator::abort(int code) { std::_Exit(code); }

std::uint64_t fnv1a(const void* data, std::size_t bytes, std::uint64_t hash) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < bytes; ++i) hash = (hash ^ p[i]) * 1099511628211ull;
  return hash;
}

int first_disagreeing_rank(Communicator& communicator, std::uint64_t hash) {
  std::vector<std::uint64_t> all(static_cast<std::size_t>(communicator.size()));
  communicator.allgather(&hash, 1, all.data());
  for (std::size_t r = 1; r < all.size(); ++r) {
    if (all[r] != all[0]) return static_cast<int>(r);
  }
  return -1;
}

int first_rank_with(Communicator& communicator, bool flag) {
  std::vector<std::uint64_t> all(static_cast<std::size_t>(communicator.size()));
  const std::uint64_t mine = flag ? 1 : 0;
  communicator.allgather(&mine, 1, all.data());
  for (std::size_t r = 0; r < all.size(); ++r) {
    if (all[r] != 0) return static_cast<int>(r);
  }
  return -1;
}

const char* mpi_launch_variable() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"}) {
    if (std::getenv(name) != nullptr) return name;
  }
  return nullptr;
}

}  // namespace bpnn
