// MPI_COMM_WORLD behind the Communicator interface: every collective is one MPI call.
#include "distributed/mpi_communicator.hpp"

#include <mpi.h>

#include <climits>
#include <cstdlib>
#include <string>

#include "bpnn/core/error.hpp"

namespace bpnn {
namespace {

int checked_count(std::size_t count) {
  if (count > static_cast<std::size_t>(INT_MAX)) {
    throw Error("MPI: a message of " + std::to_string(count) + " values is more than one MPI call can carry");
  }
  return static_cast<int>(count);
}

void check(int status, const char* call) {
  if (status == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(status, text, &length);
  throw Error(std::string("MPI: ") + call + " failed: " + std::string(text, static_cast<std::size_t>(length)));
}

class MpiCommunicator : public Communicator {
 public:
  MpiCommunicator() {
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (!initialized) check(MPI_Init(nullptr, nullptr), "MPI_Init");
    // Errors come back as codes (turned into Error) instead of ending the process unexplained.
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  ~MpiCommunicator() override {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Finalize();
  }
  MpiCommunicator(const MpiCommunicator&) = delete;
  MpiCommunicator& operator=(const MpiCommunicator&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void allgather(const float* local, std::size_t count, float* all) override {
    const int n = checked_count(count);
    check(MPI_Allgather(local, n, MPI_FLOAT, all, n, MPI_FLOAT, MPI_COMM_WORLD), "MPI_Allgather");
  }
  void allgather(const double* local, std::size_t count, double* all) override {
    const int n = checked_count(count);
    check(MPI_Allgather(local, n, MPI_DOUBLE, all, n, MPI_DOUBLE, MPI_COMM_WORLD), "MPI_Allgather");
  }
  void allgather(const std::uint64_t* local, std::size_t count, std::uint64_t* all) override {
    const int n = checked_count(count);
    check(MPI_Allgather(local, n, MPI_UINT64_T, all, n, MPI_UINT64_T, MPI_COMM_WORLD), "MPI_Allgather");
  }
  void alltoall(const float* send, std::size_t count, float* recv) override {
    const int n = checked_count(count);
    check(MPI_Alltoall(send, n, MPI_FLOAT, recv, n, MPI_FLOAT, MPI_COMM_WORLD), "MPI_Alltoall");
  }
  void allreduce_sum(float* data, std::size_t count) override {
    check(MPI_Allreduce(MPI_IN_PLACE, data, checked_count(count), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD),
          "MPI_Allreduce");
  }
  void broadcast(void* data, std::size_t bytes, int root) override {
    check(MPI_Bcast(data, checked_count(bytes), MPI_BYTE, root, MPI_COMM_WORLD), "MPI_Bcast");
  }
  [[noreturn]] void abort(int code) override {
    MPI_Abort(MPI_COMM_WORLD, code);
    std::_Exit(code);
  }

 private:
  int rank_ = 0, size_ = 1;
};

}  // namespace

std::unique_ptr<Communicator> make_mpi_communicator() { return std::make_unique<MpiCommunicator>(); }

}  // namespace bpnn
