// Checkpoints of a fit in progress: everything a resumed run needs to continue with exactly the
// weights an uninterrupted one would have. Stored in the safetensors container (model/safetensors.hpp).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "bpnn/train/callbacks.hpp"  // BestEpoch
#include "bpnn/train/training_run.hpp"

namespace bpnn {

// Writes the run's model (parameters and buffers), optimizer state, generator state and position,
// and the best epoch, atomically.
void save_checkpoint(const std::string& path, const TrainingRun<float>& run, const BestEpoch& best);

// Restores what save_checkpoint wrote into the run (its model, optimizer, generator and position)
// and best. The model must have the same tensors (names and sizes), the optimizer be of the same
// kind and the position fit the run's samples and batches; otherwise, or for a damaged file, throws
// Error naming path and what does not fit.
void load_checkpoint(const std::string& path, TrainingRun<float>& run, BestEpoch& best);

}  // namespace bpnn
