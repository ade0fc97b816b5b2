#include "bpnn/train/predict.hpp"

#include <algorithm>
#include <cstring>

#include "bpnn/core/error.hpp"

namespace bpnn {

Tensor<float> predict(const Sequential<float>& model, TensorView<const float> inputs, std::size_t batch_size) {
  if (batch_size == 0) throw Error("predict: batch size must be at least 1");
  const std::size_t N = inputs.shape().rank() == 0 ? 0 : inputs.batch();
  const std::size_t outputs = model.output_shape().numel();
  Tensor<float> result(Shape{N, outputs});
  Sequential<float>::Workspace workspace;
  for (std::size_t first = 0; first < N; first += batch_size) {
    const std::size_t count = std::min(batch_size, N - first);
    const TensorView<const float> y = model.infer(inputs.samples(first, count), workspace);
    std::memcpy(result.data() + first * outputs, y.data(), count * outputs * sizeof(float));
  }
  return result;
}

}  // namespace bpnn
