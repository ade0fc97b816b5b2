// The MPI transport of Communicator (MPI_COMM_WORLD). Only the command line links it, so the core
// library and builds without MPI are unaffected.
#pragma once

#include <memory>

#include "bpnn/distributed/communicator.hpp"

namespace bpnn {

// Initializes MPI (once per process) and returns MPI_COMM_WORLD as a Communicator; MPI is
// finalized when it is destroyed. Throws Error if MPI cannot start.
std::unique_ptr<Communicator> make_mpi_communicator();

}  // namespace bpnn
