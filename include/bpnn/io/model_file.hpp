// Model files in the safetensors format: an 8-byte little-endian header length, a JSON header,
// then the raw little-endian tensor data. Tensors carry PyTorch nn.Sequential state_dict names
// ("0.weight" [out, in], "0.bias"), so PyTorch loads them with load_state_dict; the network and
// the format version travel in "__metadata__". See docs/model-format.md.
#pragma once

#include <map>
#include <string>

#include "bpnn/data/recipe.hpp"
#include "bpnn/io/network.hpp"
#include "bpnn/model/sequential.hpp"

namespace bpnn {

// Free-form string metadata saved beside the network. One key is bpnn's own: "bpnn.data", the
// model's meaning and data recipe (recipe_to_json); "bpnn.loss" and "bpnn.targets" ("0.01,0.99")
// are what model files held before it, and still read.
using ModelMetadata = std::map<std::string, std::string>;

// The model's meaning as metadata records it: "bpnn.data", else the loss and one-hot values of
// "bpnn.loss" and "bpnn.targets", else nothing; then completed from the network's output layer
// (complete_meaning), never checked against it (a file means what it records). Throws Error
// naming source for a malformed record.
template <class T>
DataRecipe model_meaning(const ModelMetadata& metadata, const Sequential<T>& model, const std::string& source);

// The model file's bytes: the model's parameters (F32 for float, F64 for double), its network
// (describe(model)), metadata, and always its meaning under "bpnn.data": model_meaning(metadata,
// model), so a writer that gives none (save_model(path, model)) still records what the output
// layer makes of the model. Throws Error if the model cannot describe itself.
template <class T>
std::string model_bytes(const Sequential<T>& model, const ModelMetadata& metadata = {});

// Writes model_bytes atomically. Throws Error naming path.
template <class T>
void save_model(const std::string& path, const Sequential<T>& model, const ModelMetadata& metadata = {});

template <class T>
struct LoadedModel {
  Network network;
  Sequential<T> model;
  ModelMetadata metadata;  // "__metadata__" less the keys bpnn itself uses (format, network, bpnn.data)
  DataRecipe recipe;       // its meaning: model_meaning of the file's metadata
};

// Reads a bpnn model file (F32 or F64 data, converted to T). Every length, offset, shape and dtype
// is checked before it is trusted; errors name the file and the tensor.
template <class T>
LoadedModel<T> load_model(const std::string& path);
// The same from a model file's bytes (model_bytes, or a file read whole); errors name `name`.
template <class T>
LoadedModel<T> load_model_bytes(std::string bytes, const std::string& name = "model bytes");

// Loads weights made elsewhere (e.g. by PyTorch) into a model built from a network: each model
// tensor must be present with its shape; a tensor the model does not have is an error.
template <class T>
void load_weights(const std::string& path, Sequential<T>& model);
// The same from a model file's bytes; errors name `name`.
template <class T>
void load_weights_bytes(std::string bytes, Sequential<T>& model, const std::string& name = "model bytes");

}  // namespace bpnn
