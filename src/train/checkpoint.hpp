// Checkpoints of a fit in progress: everything a resumed run needs to continue with exactly the
// weights an uninterrupted one would have. Stored in the safetensors container (model/safetensors.hpp).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "bpnn/core/rng.hpp"
#include "bpnn/core/tensor.hpp"
#include "bpnn/model/sequential.hpp"
#include "bpnn/optim/optimizer.hpp"

namespace bpnn {

struct FitPosition {
  std::size_t epoch = 1;  // the epoch to continue in, 1-based
  std::size_t batch = 0;  // batches of it already done
  std::vector<std::size_t> order;  // this epoch's sample order (mid-epoch, shuffled runs)
  double loss_sum = 0;             // this epoch so far
  std::size_t correct = 0, seen = 0;
  std::size_t best_epoch = 0;  // validation: the best epoch so far, its loss and weights
  double best_loss = 0;
  Tensor<float> best;
  Tensor<float> last_good;  // the parameters at the start of this epoch

  // Moves to the start of epoch e: no batch done, no order drawn, the sums at 0.
  void begin_epoch(std::size_t e) {
    epoch = e;
    batch = 0;
    order.clear();
    loss_sum = 0;
    correct = seen = 0;
  }
};

// Writes model (parameters and buffers), optimizer state, rng state and position atomically.
void save_checkpoint(const std::string& path, const Sequential<float>& model, const Optimizer<float>& optimizer,
                     const Rng& rng, const FitPosition& position);

// Restores what save_checkpoint wrote into model, optimizer and rng and returns the position.
// The model must have the same tensors (names and sizes) and the optimizer be of the same kind;
// otherwise, or for a damaged file, throws Error naming path and what does not fit.
FitPosition load_checkpoint(const std::string& path, Sequential<float>& model, Optimizer<float>& optimizer, Rng& rng);

}  // namespace bpnn
