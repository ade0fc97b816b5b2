#include "io/safetensors.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <utility>

#include "bpnn/core/error.hpp"
#include "bpnn/core/file.hpp"
#include "bpnn/core/shape.hpp"

namespace bpnn {

static_assert(std::endian::native == std::endian::little, "safetensors files are little-endian; add byte swapping");

using nlohmann::json;

namespace {
constexpr std::uint64_t kMaxHeader = 100u << 20;  // 100 MiB of JSON is far beyond any real model
}  // namespace

ParsedFile parse_safetensors(const std::string& path) { return parse_safetensors_bytes(read_file(path), path); }

ParsedFile parse_safetensors_bytes(std::string bytes, const std::string& path) {
  ParsedFile f;
  f.bytes = std::move(bytes);
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
    // nlohmann's message quotes the bytes it last read, which may be anything.
    throw Error(path + ": the header is not valid JSON: " + printable(e.what(), 200));
  }
  if (!header.is_object()) throw Error(path + ": the header must be a JSON object");
  for (const auto& [name, entry] : header.items()) {
    const std::string where = path + ": tensor '" + printable(name, 80) + "': ";
    if (name == "__metadata__") {
      if (!entry.is_object()) throw Error(path + ": __metadata__ must be an object of strings");
      for (const auto& [key, value] : entry.items()) {
        if (!value.is_string()) throw Error(path + ": __metadata__ '" + printable(key, 80) + "' must be a string");
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
      throw Error(where + "dtype " + printable(t.dtype) + " is not supported (F32, F64, or I64 for a count)");
    }
    const json& shape = entry["shape"];
    if (!shape.is_array() || shape.size() > Shape::max_rank)
      throw Error(where + "shape must be a list of at most 6 sizes");
    std::size_t count = 1;
    for (const json& d : shape) {
      if (!d.is_number_unsigned()) throw Error(where + "shape holds " + d.dump() + ", not a size");
      const std::uint64_t v = d.get<std::uint64_t>();
      if (v != 0 && count > std::numeric_limits<std::size_t>::max() / 8 / v) throw Error(where + "shape overflows");
      count *= v;
      t.shape.push_back(v);
    }
    const json& offsets = entry["data_offsets"];
    if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
        !offsets[1].is_number_unsigned()) {
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
      throw Error(path + ": tensors '" + printable(by_offset[k - 1]->name, 80) + "' and '" +
                  printable(by_offset[k]->name, 80) + "' overlap");
    }
  }
  return f;
}

template <class T>
T read_element(const ParsedFile& f, const TensorEntry& t, std::size_t i) {
  const std::string& dtype = t.dtype;
  const char* data = f.bytes.data() + f.data_start + t.begin;
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

template float read_element(const ParsedFile&, const TensorEntry&, std::size_t);
template double read_element(const ParsedFile&, const TensorEntry&, std::size_t);

template <class T>
TensorBlob to_blob(std::string name, TensorView<const T> values, bool integer) {
  TensorBlob blob{std::move(name), integer ? "I64" : sizeof(T) == 4 ? "F32" : "F64", {}, {}};
  for (std::size_t d = 0; d < values.shape().rank(); ++d) blob.shape.push_back(values.shape()[d]);
  if (!integer) {
    blob.bytes.assign(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
    return blob;
  }
  for (T v : values.span()) {
    const auto count = static_cast<std::int64_t>(std::llround(static_cast<double>(v)));
    blob.bytes.append(reinterpret_cast<const char*>(&count), 8);
  }
  return blob;
}

template TensorBlob to_blob(std::string, TensorView<const float>, bool);
template TensorBlob to_blob(std::string, TensorView<const double>, bool);

std::string safetensors_bytes(const std::vector<TensorBlob>& tensors, const json& metadata) {
  json header = json::object();
  header["__metadata__"] = metadata;
  std::size_t offset = 0;
  for (const TensorBlob& t : tensors) {
    header[t.name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {offset, offset + t.bytes.size()}}};
    offset += t.bytes.size();
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // the data section starts 8-byte aligned
  std::string file(8, '\0');
  const std::uint64_t size = text.size();
  std::memcpy(file.data(), &size, 8);
  file += text;
  for (const TensorBlob& t : tensors) file += t.bytes;
  return file;
}

void write_safetensors(const std::string& path, const std::vector<TensorBlob>& tensors, const json& metadata) {
  write_file_atomically(path, safetensors_bytes(tensors, metadata));
}

}  // namespace bpnn
