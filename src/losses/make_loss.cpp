#include "bpnn/losses/make_loss.hpp"

#include <string>

#include "bpnn/core/error.hpp"
#include "bpnn/losses/bce.hpp"
#include "bpnn/losses/cross_entropy.hpp"
#include "bpnn/losses/mae.hpp"
#include "bpnn/losses/mse.hpp"

namespace bpnn {

template <class T>
std::unique_ptr<Loss<T>> make_loss(std::string_view name, Reduction reduction) {
  if (name == "mse") return std::make_unique<Mse<T>>(MseOptions{.reduction = reduction});
  if (name == "mae") return std::make_unique<Mae<T>>(MaeOptions{.reduction = reduction});
  if (name == "bce") return std::make_unique<Bce<T>>(BceOptions{.reduction = reduction});
  if (name == "cross_entropy") return std::make_unique<CrossEntropy<T>>(CrossEntropyOptions{.reduction = reduction});
  throw Error("unknown loss '" + std::string(name) + "'; use mse, mae, bce or cross_entropy");
}

template std::unique_ptr<Loss<float>> make_loss(std::string_view, Reduction);
template std::unique_ptr<Loss<double>> make_loss(std::string_view, Reduction);

}  // namespace bpnn
