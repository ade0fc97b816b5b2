// Running a trained model over a whole data set: the batched inference loop every front end uses.
#pragma once

#include <cstddef>

#include "bpnn/core/tensor.hpp"
#include "bpnn/model/sequential.hpp"

namespace bpnn {

// The model's outputs [N, outputs] for inputs [N, input shape...], run in eval mode in batches of
// batch_size through Sequential::infer (the model is not changed). On a backend in portable
// arithmetic each row is the same bits at any batch size, alone or among any other samples
// (tests/batch_invariance_test.cpp); in fast arithmetic, up to the GEMM's float reordering. Throws
// Error for a batch size of 0 or inputs that do not fit.
Tensor<float> predict(const Sequential<float>& model, TensorView<const float> inputs, std::size_t batch_size = 256);

}  // namespace bpnn
