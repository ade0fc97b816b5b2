// The elementwise losses' instantiations, and bce's check of the predictions.
#include "bpnn/losses/elementwise.hpp"

#include <string>

#include "bpnn/core/error.hpp"

namespace bpnn {

template <class T>
void BceTerm::check(TensorView<const T> p) {
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (!(p[i] >= T(0) && p[i] <= T(1))) {
      throw Error("bce: prediction element " + std::to_string(i) + " is " + std::to_string(p[i]) +
                  ", outside [0, 1]; bce takes probabilities (put a sigmoid before it)");
    }
  }
}

template void BceTerm::check(TensorView<const float>);
template void BceTerm::check(TensorView<const double>);

template class ElementwiseLoss<float, MseTerm>;
template class ElementwiseLoss<double, MseTerm>;
template class ElementwiseLoss<float, MaeTerm>;
template class ElementwiseLoss<double, MaeTerm>;
template class ElementwiseLoss<float, BceTerm>;
template class ElementwiseLoss<double, BceTerm>;

}  // namespace bpnn
