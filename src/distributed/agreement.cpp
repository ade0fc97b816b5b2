// The agreements of a distributed run's start: built on two small collectives (an allgather of
// one value per rank, a broadcast of the failing rank's message), the same on every transport.
#include "bpnn/distributed/agreement.hpp"

#include <exception>
#include <vector>

namespace bpnn {
namespace {

std::string rank_of(int rank, int size) { return "rank " + std::to_string(rank) + " of " + std::to_string(size); }

}  // namespace

void agree_on_setup(Communicator& communicator, const std::function<void()>& setup) {
  if (communicator.size() == 1) {
    setup();
    return;
  }
  bool failed = false;
  std::string message;
  try {
    setup();
  } catch (const std::exception& e) {
    failed = true;
    message = e.what();
  } catch (...) {
    failed = true;
    message = "an exception that is not a std::exception";
  }
  const int rank = first_rank_with(communicator, failed);
  if (rank < 0) return;
  // The failing rank's message, its length first, to every rank.
  std::uint64_t length = message.size();
  communicator.broadcast(&length, sizeof length, rank);
  message.resize(static_cast<std::size_t>(length));
  communicator.broadcast(message.data(), message.size(), rank);
  throw RankFailure(rank_of(rank, communicator.size()) + ": " + message, rank);
}

void check_same_configuration(Communicator& communicator, std::uint64_t hash, const std::string& hint) {
  const int rank = first_disagreeing_rank(communicator, hash);
  if (rank < 0) return;
  throw RankFailure(rank_of(rank, communicator.size()) + " has another configuration than rank 0" +
                        (hint.empty() ? "" : " (" + hint + ")"),
                    rank);
}

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

}  // namespace bpnn
