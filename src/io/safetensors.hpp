// The safetensors container that model files and checkpoints share: an 8-byte little-endian header
// length, a JSON header {"NAME": {"dtype", "shape", "data_offsets": [begin, end]}, ...,
// "__metadata__": {strings}}, then the data section, offsets relative to its start.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bpnn/core/tensor.hpp"

namespace bpnn {

struct TensorEntry {
  std::string name;
  std::string dtype;
  std::vector<std::size_t> shape;
  std::size_t begin = 0, end = 0;  // within the data section

  // The number of elements: the product of the shape.
  std::size_t size() const {
    std::size_t n = 1;
    for (std::size_t d : shape) n *= d;
    return n;
  }
};

struct ParsedFile {
  std::string bytes;  // the whole file
  std::size_t data_start = 0;
  std::vector<TensorEntry> tensors;
  nlohmann::json metadata = nlohmann::json::object();
};

// Reads path and checks everything before trusting it: the header length (at most 100 MiB and
// inside the file), the JSON, each tensor's dtype (F32, F64 or I64), shape (no overflow) and
// offsets (inside the data section, exactly dtype x elements long, no two overlapping), and that
// the metadata holds strings only. Throws Error naming path and the tensor.
ParsedFile parse_safetensors(const std::string& path);
// The same for a file's bytes held in memory; errors name `name` where they would name the path.
ParsedFile parse_safetensors_bytes(std::string bytes, const std::string& name);

// Element i of tensor t of f, converted to T.
template <class T>
T read_element(const ParsedFile& f, const TensorEntry& t, std::size_t i);

// A tensor to write: its dtype ("F32", "F64" or "I64"), shape and little-endian bytes.
struct TensorBlob {
  std::string name;
  std::string dtype;
  std::vector<std::size_t> shape;
  std::string bytes;
};

// values under name, shaped as values: F32 or F64 by T, or I64 (rounded) when integer.
template <class T>
TensorBlob to_blob(std::string name, TensorView<const T> values, bool integer = false);

// The file of the tensors in order, with metadata (an object of strings), as bytes.
std::string safetensors_bytes(const std::vector<TensorBlob>& tensors, const nlohmann::json& metadata);
// Writes safetensors_bytes to path atomically.
void write_safetensors(const std::string& path, const std::vector<TensorBlob>& tensors, const nlohmann::json& metadata);

}  // namespace bpnn
