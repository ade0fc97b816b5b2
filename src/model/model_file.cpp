// safetensors reading and writing. Layout: u64 little-endian N, then N bytes of JSON header
// {"NAME": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ..., "__metadata__": {...}},
// then the data section, offsets relative to its start.
#include "bpnn/model/model_file.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <vector>

#include "bpnn/core/error.hpp"
#include "bpnn/core/file.hpp"

namespace bpnn {
namespace {

static_assert(std::endian::native == std::endian::little, "model files are little-endian; add byte swapping");

using nlohmann::json;

constexpr std::uint64_t kMaxHeader = 100u << 20;  // 100 MiB of JSON is far beyond any real model
constexpr const char* kFormatVersion = "1";

template <class T>
const char* dtype_of() {
  return sizeof(T) == 4 ? "F32" : "F64";
}

struct TensorEntry {
  std::string name;
  std::string dtype;
  std::vector<std::size_t> shape;
  std::size_t begin = 0, end = 0;  // within the data section
};

struct ParsedFile {
  std::string bytes;  // the whole file
  std::size_t data_start = 0;
  std::vector<TensorEntry> tensors;
  json metadata = json::object();
};

ParsedFile parse_file(const std::string& path) {
  ParsedFile f;
  f.bytes = read_file(path);
  const std::string& b = f.bytes;
  if (b.size() < 8) throw Error(path + ": " + std::to_string(b.size()) + " bytes is too short for a safetensors file");
  std::uint64_t header_size = 0;
  std::memcpy(&header_size, b.data(), 8);
  if (header_size > kMaxHeader || header_size > b.size() - 8) {
    throw Error(path + ": header length " + std::to_string(header_size) + " exceeds " +
                (header_size > kMaxHeader ? "the 100 MiB limit" : "the file (" + std::to_string(b.size()) + " bytes)") +
                "; not a safetensors file, or a truncated one");
  }
  f.data_start = 8 + header_size;
  const std::size_t data_size = b.size() - f.data_start;
  json header;
  try {
    header = json::parse(b.begin() + 8, b.begin() + static_cast<std::ptrdiff_t>(f.data_start));
  } catch (const json::exception& e) {
    throw Error(path + ": the header is not valid JSON: " + e.what());
  }
  if (!header.is_object()) throw Error(path + ": the header must be a JSON object");
  for (const auto& [name, entry] : header.items()) {
    const std::string where = path + ": tensor '" + name + "': ";
    if (name == "__metadata__") {
      if (!entry.is_object()) throw Error(path + ": __metadata__ must be an object of strings");
      for (const auto& [key, value] : entry.items()) {
        if (!value.is_string()) throw Error(path + ": __metadata__ '" + key + "' must be a string");
      }
      f.metadata = entry;
      continue;
    }
    if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") || !entry.contains("data_offsets")) {
      throw Error(where + "needs dtype, shape and data_offsets");
    }
    TensorEntry t;
    t.name = name;
    if (!entry["dtype"].is_string()) throw Error(where + "dtype must be a string");
    t.dtype = entry["dtype"].get<std::string>();
    if (t.dtype != "F32" && t.dtype != "F64" && t.dtype != "I64") {
      throw Error(where + "dtype " + t.dtype + " is not supported (F32, F64, or I64 for a count)");
    }
    const json& shape = entry["shape"];
    if (!shape.is_array() || shape.size() > Shape::max_rank) throw Error(where + "shape must be a list of at most 6 sizes");
    std::size_t count = 1;
    for (const json& d : shape) {
      if (!d.is_number_unsigned()) throw Error(where + "shape holds " + d.dump() + ", not a size");
      const std::uint64_t v = d.get<std::uint64_t>();
      if (v != 0 && count > std::numeric_limits<std::size_t>::max() / 8 / v) throw Error(where + "shape overflows");
      count *= v;
      t.shape.push_back(v);
    }
    const json& offsets = entry["data_offsets"];
    if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() || !offsets[1].is_number_unsigned()) {
      throw Error(where + "data_offsets must be [begin, end]");
    }
    const std::uint64_t begin = offsets[0].get<std::uint64_t>(), end = offsets[1].get<std::uint64_t>();
    if (begin > end || end > data_size) {
      throw Error(where + "data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                  "] lie outside the data section of " + std::to_string(data_size) + " bytes");
    }
    const std::size_t element = t.dtype == "F32" ? 4 : 8;
    if (end - begin != count * element) {
      throw Error(where + "holds " + std::to_string(end - begin) + " bytes, but " + t.dtype + " " + shape.dump() +
                  " needs " + std::to_string(count * element));
    }
    t.begin = begin;
    t.end = end;
    f.tensors.push_back(std::move(t));
  }
  std::vector<const TensorEntry*> by_offset;
  for (const TensorEntry& t : f.tensors) by_offset.push_back(&t);
  std::sort(by_offset.begin(), by_offset.end(), [](auto* a, auto* b) { return a->begin < b->begin; });
  for (std::size_t k = 1; k < by_offset.size(); ++k) {
    if (by_offset[k]->begin < by_offset[k - 1]->end) {
      throw Error(path + ": tensors '" + by_offset[k - 1]->name + "' and '" + by_offset[k]->name + "' overlap");
    }
  }
  return f;
}

// Checks the file's tensors against the ones expected: each present with its shape, no others.
void check_tensors(const std::string& path, const ParsedFile& f, const std::vector<ParameterShape>& expected) {
  for (const ParameterShape& e : expected) {
    const auto t = std::find_if(f.tensors.begin(), f.tensors.end(), [&](const TensorEntry& t) { return t.name == e.name; });
    if (t == f.tensors.end()) throw Error(path + ": tensor '" + e.name + "' is missing");
    bool same = e.shape.rank() == t->shape.size();
    for (std::size_t d = 0; same && d < t->shape.size(); ++d) same = e.shape[d] == t->shape[d];
    if (!same) {
      throw Error(path + ": tensor '" + e.name + "' has shape " + json(t->shape).dump() + ", the network needs " +
                  e.shape.str());
    }
  }
  for (const TensorEntry& t : f.tensors) {
    const auto e = std::find_if(expected.begin(), expected.end(), [&](const ParameterShape& e) { return e.name == t.name; });
    if (e == expected.end()) throw Error(path + ": tensor '" + t.name + "' has no place in the network");
  }
}

// Element i of data stored as dtype (F32, F64 or I64), as T.
template <class T>
T read_element(const std::string& dtype, const char* data, std::size_t i) {
  if (dtype == "F32") {
    float v;
    std::memcpy(&v, data + 4 * i, 4);
    return static_cast<T>(v);
  }
  if (dtype == "F64") {
    double v;
    std::memcpy(&v, data + 8 * i, 8);
    return static_cast<T>(v);
  }
  std::int64_t v;
  std::memcpy(&v, data + 8 * i, 8);
  return static_cast<T>(v);
}

// Copies every tensor of a checked file into the model's parameter of the same name.
template <class T>
void copy_tensors(const ParsedFile& f, Sequential<T>& model) {
  ParameterStore<T>& params = model.parameters();
  for (const TensorEntry& t : f.tensors) {
    TensorView<T> values = params.value(t.name);
    const char* data = f.bytes.data() + f.data_start + t.begin;
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = read_element<T>(t.dtype, data, i);
  }
}

}  // namespace

template <class T>
void save_model(const std::string& path, const Sequential<T>& model, const Network& network,
                const ModelMetadata& metadata) {
  const ParameterStore<T>& params = model.parameters();
  json header = json::object();
  json meta = json::object();
  for (const auto& [key, value] : metadata) meta[key] = value;
  meta["format"] = "bpnn";
  meta["format_version"] = kFormatVersion;
  meta["bpnn.network"] = network.json;
  header["__metadata__"] = meta;
  // Tensors are stored in entry order, contiguously; counts (integer entries) as I64.
  std::string data;
  for (std::size_t k = 0; k < params.count(); ++k) {
    const ParameterEntry& e = params.entry(k);
    std::vector<std::size_t> shape;
    for (std::size_t d = 0; d < e.shape.rank(); ++d) shape.push_back(e.shape[d]);
    const std::size_t begin = data.size();
    TensorView<const T> values = params.value(k);
    if (e.integer) {
      for (T v : values.span()) {
        const auto count = static_cast<std::int64_t>(v);
        data.append(reinterpret_cast<const char*>(&count), 8);
      }
    } else {
      data.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
    }
    header[e.name] = {{"dtype", e.integer ? "I64" : dtype_of<T>()}, {"shape", shape}, {"data_offsets", {begin, data.size()}}};
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // the data section starts 8-byte aligned
  std::string file(8, '\0');
  const std::uint64_t size = text.size();
  std::memcpy(file.data(), &size, 8);
  file += text;
  file += data;
  write_file_atomically(path, file);
}

template <class T>
LoadedModel<T> load_model(const std::string& path) {
  const ParsedFile f = parse_file(path);
  auto text = [&](const char* key) -> std::string {
    return f.metadata.contains(key) ? f.metadata[key].get<std::string>() : "";
  };
  if (text("format") != "bpnn" || text("bpnn.network").empty()) {
    throw Error(path + ": not a bpnn model (its __metadata__ lacks format \"bpnn\" and the network); "
                "to load weights saved elsewhere, build the network and load them with --init");
  }
  if (text("format_version") != kFormatVersion) {
    throw Error(path + ": model format version '" + text("format_version") + "' is not supported (this bpnn reads " +
                kFormatVersion + ")");
  }
  Network network = parse_network(text("bpnn.network"), path + " (network)");
  // Checked before building, so nothing is allocated that the file's own tensors do not hold.
  check_tensors(path, f, parameter_shapes(network));
  Sequential<T> model = build_model<T>(network);
  copy_tensors(f, model);
  ModelMetadata metadata;
  for (const auto& [key, value] : f.metadata.items()) {
    if (key != "format" && key != "format_version" && key != "bpnn.network") metadata[key] = value.template get<std::string>();
  }
  return {std::move(network), std::move(model), std::move(metadata)};
}

template <class T>
void load_weights(const std::string& path, Sequential<T>& model) {
  const ParsedFile f = parse_file(path);
  std::vector<ParameterShape> expected;
  for (std::size_t k = 0; k < model.parameters().count(); ++k) {
    expected.push_back({model.parameters().entry(k).name, model.parameters().entry(k).shape});
  }
  check_tensors(path, f, expected);
  copy_tensors(f, model);
}

template void save_model(const std::string&, const Sequential<float>&, const Network&, const ModelMetadata&);
template void save_model(const std::string&, const Sequential<double>&, const Network&, const ModelMetadata&);
template LoadedModel<float> load_model(const std::string&);
template LoadedModel<double> load_model(const std::string&);
template void load_weights(const std::string&, Sequential<float>&);
template void load_weights(const std::string&, Sequential<double>&);

}  // namespace bpnn
