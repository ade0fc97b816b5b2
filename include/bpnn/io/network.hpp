// Network descriptions: the JSON file a user writes, the compact command-line form, and what model
// files store. This is the JSON edge: each layer object becomes a LayerConfig for the one factory
// (model/layer_factory.hpp), and describe() writes a model's own configs back as JSON.
//
// JSON: {"input": [784], "layers": [{"type": "dense", "units": 128}, {"type": "relu"}, ...]}
// Compact: "784-128relu-10": the input size, then per item a dense layer of that many units
// followed by the named activation (none if omitted).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "bpnn/core/shape.hpp"
#include "bpnn/layers/layer.hpp"
#include "bpnn/model/sequential.hpp"

namespace bpnn {

struct Network {
  Shape input;         // per-sample input shape
  std::string json;    // the description as normalized JSON (what model files store)
  std::string source;  // where it came from, for messages
};

// Parses JSON text, or the compact form when text does not start with '{'. source names the
// text in errors ("net.json", "--net"); errors name the layer index and the field.
Network parse_network(const std::string& text, const std::string& source);
Network read_network_file(const std::string& path);

// The network's parameter and buffer tensors, named as Sequential names them ("0.weight"), found without
// allocating them, so a file can be checked before it is trusted. Throws Error for an invalid
// network or one whose element count overflows.
struct ParameterShape {
  std::string name;
  Shape shape;
  bool integer = false;  // a count, stored as I64 (batch norm's num_batches_tracked)
};
std::vector<ParameterShape> parameter_shapes(const Network& network);

// A model of the network's layers, its parameters zero until initialize().
template <class T>
Sequential<T> build_model(const Network& network);

// The network a model is, from its input shape and its layers' configs (normalized JSON: every
// field each layer reports, "type" first): build_model of it gives the same layers. What
// save_model stores. Throws Error for a field JSON cannot hold (a number that is not finite).
template <class T>
Network describe(const Sequential<T>& model);

}  // namespace bpnn
