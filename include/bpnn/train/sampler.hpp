// The order in which a fit visits its samples each epoch, and how that order is cut into batches.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "bpnn/core/rng.hpp"

namespace bpnn {

// File order, or a new Fisher-Yates shuffle every epoch drawn from the caller's generator. One
// serving several processes would hand each its share in order(); batch() cuts whatever order gives.
class Sampler {
 public:
  // samples: N of the data set; throws Error for a batch_size of 0.
  Sampler(std::size_t samples, std::size_t batch_size, bool shuffle);

  std::size_t samples() const { return samples_; }
  std::size_t batch_size() const { return batch_size_; }
  bool shuffles() const { return shuffle_; }
  // Batches per epoch; the last may be partial.
  std::size_t batches() const { return (samples_ + batch_size_ - 1) / batch_size_; }

  // The sample indices of epoch (1-based) in visiting order: 0..N-1 in file order, drawing nothing
  // from rng; shuffled, a permutation from N-1 draws of rng.below (Fisher-Yates from the back).
  std::vector<std::size_t> order(std::size_t epoch, Rng& rng) const;

  // The indices of batch b (0-based) of an order that order() returned: a window into it.
  std::span<const std::size_t> batch(std::span<const std::size_t> order, std::size_t b) const;

 private:
  std::size_t samples_, batch_size_;
  bool shuffle_;
};

}  // namespace bpnn
