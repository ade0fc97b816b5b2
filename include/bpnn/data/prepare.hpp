// Fitting a data set read from disk to a model and a loss: the inputs viewed in the network's
// input shape, the targets in the shape the loss wants, and a seeded validation hold-out.
#pragma once

#include <cstddef>
#include <string>

#include "bpnn/core/rng.hpp"
#include "bpnn/core/shape.hpp"
#include "bpnn/core/tensor.hpp"
#include "bpnn/data/dataset.hpp"

namespace bpnn {

struct PrepareOptions {
  std::string loss = "cross_entropy";  // cross_entropy takes class indices; mse, mae, bce one-hot rows
  float off = 0.0f, on = 1.0f;         // the one-hot rows' values (the tutorial's 0.01, 0.99)
};

struct PreparedData {
  Dataset dataset;
  Tensor<float> targets;  // [N] class indices for cross_entropy on class labels, [N, outputs] otherwise
  Shape input_shape;      // the network's input shape, without the batch
  // The inputs viewed as [N, input_shape...].
  TensorView<const float> inputs() const;
};

// The targets of dataset for a network with `outputs` outputs: class labels stay [N] indices for
// cross_entropy and become [N, outputs] one-hot rows of off/on otherwise (with one output, the
// probability of class 1, labels 0 and 1 become a column [N, 1] of off and on); regression targets
// [N, outputs] are kept, and so are the empty targets [N, 0] of inputs read alone (for predicting).
// Throws Error naming dataset.source for a label >= outputs or regression
// targets of another width.
Tensor<float> prepare_targets(const Dataset& dataset, std::size_t outputs, const PrepareOptions& options = {});

// Checks dataset against a network taking input_shape with `outputs` outputs (it holds samples,
// each of input_shape.numel() values) and shapes its targets with prepare_targets. Throws Error
// naming dataset.source otherwise.
PreparedData prepare_data(Dataset dataset, const Shape& input_shape, std::size_t outputs,
                          const PrepareOptions& options = {});

// Moves a share `fraction` of data's samples, chosen by a Fisher-Yates shuffle drawn from rng, into
// the returned validation set; both keep file order. Throws Error unless both keep a sample.
PreparedData split_validation(PreparedData& data, double fraction, Rng& rng);

}  // namespace bpnn
