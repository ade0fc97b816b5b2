#include "bpnn/data/dataset.hpp"

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

}  // namespace bpnn
