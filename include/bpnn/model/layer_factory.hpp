// The one factory: a layer's configuration (model/layer_config.hpp) to its class, and back from a
// model to its layers' configurations. Network files, model files, Python and the web page turn
// their own formats into LayerConfig at their edge and call this; nothing here knows JSON.
#pragma once

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "bpnn/init/initializer.hpp"
#include "bpnn/layers/layer.hpp"
#include "bpnn/model/layer_config.hpp"
#include "bpnn/model/registry.hpp"
#include "bpnn/model/sequential.hpp"

namespace bpnn {

// The layer kinds make_layer knows (the registry's, model/registry.hpp), in the order error
// messages list them.
const std::vector<std::string_view>& layer_kinds();
bool is_layer_kind(std::string_view kind);

// A new layer of config.kind built from config's fields; absent fields take the layer's defaults.
// Every field is checked (type and range; an integer is taken where a number is wanted); unknown
// kinds and fields are refused with the known ones listed. Throws Error naming the field
// ("field 'units' must be a positive integer, got -3"); callers prefix where the config came from.
template <class T>
std::unique_ptr<Layer<T>> make_layer(const LayerConfig& config);

// Every layer's config(), in order: with the model's input shape, all it takes to rebuild it.
template <class T>
std::vector<LayerConfig> layer_configs(const Sequential<T>& model);

// A model of per-sample input shape `input` (1 to 3 positive sizes) and these layers in order, its
// parameters zero until initialize(): the inverse of layer_configs, and what a front end that
// builds a network from its own values calls (Python's Model.from_layers; io/network.hpp's
// build_model for descriptions). Throws Error naming the layer: "layers[2] (dense): field 'units'
// must be a positive integer, got -3", or "layer 2 (dense): ..." for a shape it cannot take.
template <class T>
Sequential<T> build_model(const Shape& input, const std::vector<LayerConfig>& layers);

// An initializer field may hold an initializer's name (model/registry.hpp's initializer_named)
// instead of an Initializer.

}  // namespace bpnn
