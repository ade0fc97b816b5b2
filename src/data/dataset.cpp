#include "bpnn/data/dataset.hpp"

#include <cmath>
#include <string>

#include "bpnn/core/error.hpp"

namespace bpnn {

Tensor<float> one_hot(const Tensor<float>& labels, std::size_t classes, float off, float on) {
  const std::size_t N = labels.size();
  Tensor<float> rows(Shape{N, classes});
  rows.fill(off);
  for (std::size_t n = 0; n < N; ++n) {
    const float label = labels[n];
    if (!(label >= 0 && static_cast<std::size_t>(label) < classes)) {
      throw Error("one-hot: label " + std::to_string(label) + " of sample " + std::to_string(n) +
                  " is not a class in 0.." + std::to_string(classes - 1));
    }
    rows(n, static_cast<std::size_t>(label)) = on;
  }
  return rows;
}

void check_finite(TensorView<const float> values, const std::string& what) {
  const float* data = values.data();
  const std::size_t size = values.size();
  std::size_t i = 0;
  while (i < size && std::isfinite(data[i])) ++i;
  if (i == size) return;
  const std::size_t rank = values.shape().rank();
  const std::size_t per_sample = rank > 1 && values.shape()[0] > 0 ? size / values.shape()[0] : 1;
  const std::string where = rank > 1 ? "sample " + std::to_string(i / per_sample) + ", value " +
                                           std::to_string(i % per_sample)
                                     : "sample " + std::to_string(i);
  throw Error(what + " contains " +
              (std::isnan(data[i]) ? "NaN" : "infinity or a value too large for float32") + " (" + where + ").");
}

}  // namespace bpnn
