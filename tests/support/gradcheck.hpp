// The tests' side of the one gradient checker (bpnn/train/gradient_check.hpp, in the library): its
// layer, loss and model checks under the names the tests call, and the random inputs they feed it.
#pragma once

#include <cstdint>

#include "bpnn/bpnn.hpp"

namespace bpnn::testing {

using bpnn::check_layer_gradients;
using bpnn::check_loss_gradients;
using bpnn::check_model_gradients;

// A tensor of uniform values in [low, high) whose magnitudes are at least min_magnitude (so inputs
// stay away from kinks such as relu's 0), drawn from seed.
Tensor<double> random_tensor(const Shape& shape, std::uint64_t seed, double low = -1.0, double high = 1.0,
                             double min_magnitude = 0.0);

}  // namespace bpnn::testing
