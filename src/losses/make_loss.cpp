// The one factory from a loss's name to its class, and the registry's table of losses it reads.
#include "bpnn/losses/make_loss.hpp"

#include <string>

#include "bpnn/core/error.hpp"
#include "bpnn/losses/elementwise.hpp"
#include "bpnn/losses/cross_entropy.hpp"
#include "bpnn/model/registry.hpp"

namespace bpnn {
namespace {

template <class T>
using LossBuilder = std::unique_ptr<Loss<T>> (*)(Reduction reduction);
template <template <class> class L, class Options, class T>
std::unique_ptr<Loss<T>> build(Reduction reduction) {
  return std::make_unique<L<T>>(Options{.reduction = reduction});
}

struct LossRow {
  LossKind kind;
  LossBuilder<float> f;
  LossBuilder<double> d;
};
template <template <class> class L, class Options>
LossRow row(LossKind kind) {
  return {kind, &build<L, Options, float>, &build<L, Options, double>};
}

const std::vector<LossRow>& loss_rows() {
  static const std::vector<LossRow> rows = {
      row<Mse, ReductionOptions>({"mse", "mean squared error: mean (out - target)^2", "2 (out - target) / n"}),
      row<Mae, ReductionOptions>({"mae", "mean absolute error: mean |out - target|", "sign(out - target) / n"}),
      row<Bce, ReductionOptions>({"bce",
                                  "binary cross-entropy of probabilities (outputs in [0, 1], log clamped at -100)",
                                  "(out - target) / (out (1 - out)) / n"}),
      row<CrossEntropy, CrossEntropyOptions>(
          {"cross_entropy", "cross-entropy of logits against class labels (softmax fused, as PyTorch's)",
           "softmax(out) - target  (the outputs are logits)"}),
  };
  return rows;
}

}  // namespace

const std::vector<LossKind>& loss_registry() {
  static const std::vector<LossKind> kinds = [] {
    std::vector<LossKind> all;
    for (const LossRow& row : loss_rows()) all.push_back(row.kind);
    return all;
  }();
  return kinds;
}

template <class T>
std::unique_ptr<Loss<T>> make_loss(std::string_view name, Reduction reduction) {
  for (const LossRow& row : loss_rows()) {
    if (row.kind.name != name) continue;
    if constexpr (std::is_same_v<T, float>) {
      return row.f(reduction);
    } else {
      return row.d(reduction);
    }
  }
  throw Error("unknown loss '" + std::string(name) + "'; use " + name_list(names_of(loss_registry())));
}

template std::unique_ptr<Loss<float>> make_loss(std::string_view, Reduction);
template std::unique_ptr<Loss<double>> make_loss(std::string_view, Reduction);

}  // namespace bpnn
