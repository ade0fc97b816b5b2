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
#include "bpnn/train/callbacks.hpp"  // FitPosition

namespace bpnn {

// Writes model (parameters and buffers), optimizer state, rng state and position atomically.
void save_checkpoint(const std::string& path, const Sequential<float>& model, const Optimizer<float>& optimizer,
                     const Rng& rng, const FitPosition& position);

// Restores what save_checkpoint wrote into model, optimizer and rng and returns the position.
// The model must have the same tensors (names and sizes) and the optimizer be of the same kind;
// otherwise, or for a damaged file, throws Error naming path and what does not fit.
FitPosition load_checkpoint(const std::string& path, Sequential<float>& model, Optimizer<float>& optimizer, Rng& rng);

}  // namespace bpnn
