#include "bpnn/train/sampler.hpp"

#include <algorithm>
#include <numeric>
#include <utility>

#include "bpnn/core/error.hpp"

namespace bpnn {

Sampler::Sampler(std::size_t samples, std::size_t batch_size, bool shuffle)
    : samples_(samples), batch_size_(batch_size), shuffle_(shuffle) {
  if (batch_size == 0) throw Error("fit: batch size must be at least 1");
}

std::vector<std::size_t> Sampler::order(std::size_t /*epoch*/, Rng& rng) const {
  std::vector<std::size_t> order(samples_);
  std::iota(order.begin(), order.end(), std::size_t{0});
  // Fisher-Yates from the back: the draws, and so every shuffled run and checkpoint, depend on it.
  if (shuffle_) {
    for (std::size_t i = samples_; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
  }
  return order;
}

std::span<const std::size_t> Sampler::batch(std::span<const std::size_t> order, std::size_t b) const {
  const std::size_t first = b * batch_size_;
  if (first >= order.size()) {
    throw Error("sampler: batch " + std::to_string(b) + " is past the " + std::to_string(order.size()) +
                " samples of the order");
  }
  return order.subspan(first, std::min(batch_size_, order.size() - first));
}

}  // namespace bpnn
