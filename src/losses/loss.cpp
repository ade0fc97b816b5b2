#include "bpnn/losses/loss.hpp"

#include <string>

#include "bpnn/core/error.hpp"

namespace bpnn {

template <class T>
void check_same_shape(std::string_view loss, TensorView<const T> prediction, TensorView<const T> target) {
  if (!(prediction.shape() == target.shape())) {
    throw Error(std::string(loss) + ": prediction " + prediction.shape().str() + " and target " +
                target.shape().str() + " must have the same shape");
  }
}

template <class T>
T reduction_scale(Reduction reduction, std::size_t count) {
  if (reduction == Reduction::sum || count == 0) return T(1);
  return T(1) / static_cast<T>(count);
}

template void check_same_shape(std::string_view, TensorView<const float>, TensorView<const float>);
template void check_same_shape(std::string_view, TensorView<const double>, TensorView<const double>);
template float reduction_scale(Reduction, std::size_t);
template double reduction_scale(Reduction, std::size_t);

}  // namespace bpnn
