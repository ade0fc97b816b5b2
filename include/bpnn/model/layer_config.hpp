// A layer's configuration as plain values: what a layer reports about itself (Layer::config) and
// what the one factory (model/layer_factory.hpp) builds a layer from. Network files, model files,
// the web page and Python turn their own formats into this at their edge.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "bpnn/init/initializer.hpp"

namespace bpnn {

using ConfigValue = std::variant<bool, std::int64_t, double, std::string, Initializer>;

struct LayerConfig {
  std::string kind;  // "dense", "relu", ...
  // The options set, in the layer's own order; absent ones take the layer's defaults.
  std::vector<std::pair<std::string, ConfigValue>> fields;

  // The value of field `name`, or null.
  const ConfigValue* find(std::string_view name) const {
    for (const auto& [key, value] : fields) {
      if (key == name) return &value;
    }
    return nullptr;
  }

  friend bool operator==(const LayerConfig&, const LayerConfig&) = default;
};

}  // namespace bpnn
