// The one factory from a loss's name ("mse", "mae", "bce", "cross_entropy") to its class, used by
// the command line and model files.
#pragma once

#include <memory>
#include <string_view>

#include "bpnn/losses/loss.hpp"

namespace bpnn {

// Throws Error listing the known names for an unknown one.
template <class T>
std::unique_ptr<Loss<T>> make_loss(std::string_view name, Reduction reduction = Reduction::mean);

}  // namespace bpnn
