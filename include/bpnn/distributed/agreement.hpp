// How the ranks of a distributed run agree before training: that every rank could set itself up
// (and if not, which one failed and why), and that every rank has the same configuration. A
// program calls these around its own setup, on every rank; docs/distributed.md shows one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "bpnn/core/error.hpp"
#include "bpnn/distributed/communicator.hpp"

namespace bpnn {

// One rank's failure, agreed on by every rank: each throws it alike (the same rank and message),
// so that a program reports it once (on rank 0) and every rank ends.
class RankFailure : public Error {
 public:
  RankFailure(const std::string& message, int rank) : Error(message), rank(rank) {}
  int rank;  // the rank at fault
};

// Runs setup on this rank, then learns from every rank whether theirs succeeded: a collective,
// which every rank calls once. When any failed, every rank throws RankFailure for the lowest
// failing rank, with that rank's message: "rank 1 of 4: <what() of its exception>". With one
// process, setup's own exception passes unchanged.
void agree_on_setup(Communicator& communicator, const std::function<void()>& setup);

// Compares every rank's hash of its configuration with rank 0's (a collective). Throws
// RankFailure on every rank for the lowest rank that differs: "rank 2 of 4 has another
// configuration than rank 0 (hint)", the hint (when not empty) saying what to check.
void check_same_configuration(Communicator& communicator, std::uint64_t hash, const std::string& hint = "");

// FNV-1a, 64 bits, over bytes, continuing from hash: what ranks compare to agree on a configuration.
std::uint64_t fnv1a(const void* data, std::size_t bytes, std::uint64_t hash = 14695981039346656037ull);

// Every rank's hash of its configuration compared with rank 0's. Returns -1 when all agree, else
// the lowest rank whose hash differs (the same answer on every rank).
int first_disagreeing_rank(Communicator& communicator, std::uint64_t hash);

// The lowest rank for which `flag` is true, or -1 when it is false everywhere (the same answer on
// every rank): how ranks agree that one of them failed.
int first_rank_with(Communicator& communicator, bool flag);

}  // namespace bpnn
