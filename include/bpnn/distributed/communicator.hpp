// The few collective operations data-parallel training needs, behind one small interface: the MPI
// transport (src/distributed/mpi_communicator.*, in the separate bpnn_mpi library) and the
// one-process LocalCommunicator, which lets a single process take the very same sharded path.
// How ranks agree is in agreement.hpp; a whole distributed fit in distributed_fit.hpp.
#pragma once

#include <cstddef>
#include <cstdint>

namespace bpnn {

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;  // 0-based
  virtual int size() const = 0;  // processes

  // Every rank's `count` values of local, in rank order, into all (size() * count values), on
  // every rank. Moves bytes only: no arithmetic, so the result is exact.
  virtual void allgather(const float* local, std::size_t count, float* all) = 0;
  virtual void allgather(const double* local, std::size_t count, double* all) = 0;
  virtual void allgather(const std::uint64_t* local, std::size_t count, std::uint64_t* all) = 0;
  // Block k of send (count values each, size() blocks) goes to rank k; recv receives block
  // `rank()` of every rank's send, in rank order. Exact, like allgather.
  virtual void alltoall(const float* send, std::size_t count, float* recv) = 0;
  // Sums data over all ranks into every rank's data, in the order the transport picks: fast,
  // but the float result may depend on the process count.
  virtual void allreduce_sum(float* data, std::size_t count) = 0;
  // root's `bytes` bytes at data to every rank's data.
  virtual void broadcast(void* data, std::size_t bytes, int root) = 0;
  // Ends every process at once with this exit code (after the caller said why).
  [[noreturn]] virtual void abort(int code) = 0;
};

// One process: every collective is a copy (or nothing).
class LocalCommunicator : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void allgather(const float* local, std::size_t count, float* all) override;
  void allgather(const double* local, std::size_t count, double* all) override;
  void allgather(const std::uint64_t* local, std::size_t count, std::uint64_t* all) override;
  void alltoall(const float* send, std::size_t count, float* recv) override;
  void allreduce_sum(float* /*data*/, std::size_t /*count*/) override {}
  void broadcast(void* /*data*/, std::size_t /*bytes*/, int /*root*/) override {}
  [[noreturn]] void abort(int code) override;
};

// The name of the environment variable that shows an MPI launcher (mpirun, srun) started this
// process: OMPI_COMM_WORLD_SIZE, PMIX_RANK or PMI_SIZE; null when none is set.
const char* mpi_launch_variable();

}  // namespace bpnn
