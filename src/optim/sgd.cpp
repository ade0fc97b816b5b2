// SGD: one loop over the flat parameter buffer, tensor by tensor so frozen ones are skipped.
//   g = dE/dp + wd p;   p -= lr g
#include "bpnn/optim/sgd.hpp"

namespace bpnn {

template <class T>
void Sgd<T>::step(ParameterStore<T>& parameters) const {
  const T lr = static_cast<T>(options_.learning_rate);
  const T wd = static_cast<T>(options_.weight_decay);
  for (std::size_t k = 0; k < parameters.count(); ++k) {
    if (parameters.entry(k).frozen) continue;
    T* p = parameters.value(k).data();
    const T* g = parameters.grad(k).data();
    const std::size_t n = parameters.entry(k).shape.numel();
    if (wd == T(0)) {
      for (std::size_t i = 0; i < n; ++i) p[i] -= lr * g[i];
    } else {
      for (std::size_t i = 0; i < n; ++i) p[i] -= lr * (g[i] + wd * p[i]);
    }
  }
}

template class Sgd<float>;
template class Sgd<double>;

}  // namespace bpnn
