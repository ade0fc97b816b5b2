#include "bpnn/io/idx.hpp"

#include <filesystem>
#include <limits>

#include "bpnn/core/error.hpp"
#include "bpnn/core/file.hpp"
#include "io/gzip.hpp"

namespace bpnn {
namespace {

std::uint32_t big_endian(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

IdxArray parse_idx(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  if (bytes.size() < 4) {
    throw Error(path + ": " + std::to_string(bytes.size()) + " bytes is too short for an IDX header (4 bytes or more)");
  }
  if (bytes[0] != 0 || bytes[1] != 0) throw Error(path + ": not an IDX file (its first two bytes are not 0)");
  if (bytes[2] != 0x08) {
    throw Error(path + ": IDX value type " + std::to_string(bytes[2]) + " is not supported (only 8, unsigned bytes)");
  }
  const std::size_t rank = bytes[3];
  if (rank == 0 || rank > 4)
    throw Error(path + ": IDX header declares " + std::to_string(rank) + " dimensions (1 to 4 supported)");
  const std::size_t header = 4 + 4 * rank;
  if (bytes.size() < header) {
    throw Error(path + ": truncated IDX header: " + std::to_string(rank) + " dimensions need " +
                std::to_string(header) + " bytes, the file has " + std::to_string(bytes.size()));
  }
  IdxArray array;
  std::size_t count = 1;
  for (std::size_t k = 0; k < rank; ++k) {
    const std::size_t d = big_endian(&bytes[4 + 4 * k]);
    if (d != 0 && count > std::numeric_limits<std::size_t>::max() / d) throw Error(path + ": IDX dimensions overflow");
    count *= d;
  }
  switch (rank) {
    case 1: array.shape = Shape{big_endian(&bytes[4])}; break;
    case 2: array.shape = Shape{big_endian(&bytes[4]), big_endian(&bytes[8])}; break;
    case 3: array.shape = Shape{big_endian(&bytes[4]), big_endian(&bytes[8]), big_endian(&bytes[12])}; break;
    default:
      array.shape = Shape{big_endian(&bytes[4]), big_endian(&bytes[8]), big_endian(&bytes[12]), big_endian(&bytes[16])};
  }
  const std::size_t data = bytes.size() - header;
  if (data != count) {
    throw Error(path + ": the IDX header " + array.shape.str() + " promises " + std::to_string(count) +
                " values, the file holds " + std::to_string(data) +
                (data < count ? " (truncated)" : " (trailing bytes)"));
  }
  array.values.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header), bytes.end());
  return array;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

IdxArray read_idx_array(const std::string& path) { return parse_idx(path, read_maybe_gzip(path)); }

void write_idx_array(const std::string& path, const IdxArray& array) {
  std::string bytes = {0, 0, 0x08, static_cast<char>(array.shape.rank())};
  for (std::size_t k = 0; k < array.shape.rank(); ++k) {
    const auto d = static_cast<std::uint32_t>(array.shape[k]);
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<char>((d >> shift) & 0xff));
  }
  bytes.append(reinterpret_cast<const char*>(array.values.data()), array.values.size());
  if (!ends_with(path, ".gz")) {
    write_file_atomically(path, bytes);
    return;
  }
  write_gzip_atomically(path, bytes);
}

std::string idx_labels_path_for(const std::string& images_path) {
  for (const char* images : {"-images-idx3-ubyte", "-images.idx3-ubyte"}) {
    const std::size_t at = images_path.rfind(images);
    if (at == std::string::npos) continue;
    std::string labels = images_path;
    labels.replace(at, std::string(images).size(), images[7] == '-' ? "-labels-idx1-ubyte" : "-labels.idx1-ubyte");
    if (std::filesystem::exists(labels)) return labels;
    // The other of compressed and uncompressed.
    const std::string other = ends_with(labels, ".gz") ? labels.substr(0, labels.size() - 3) : labels + ".gz";
    return std::filesystem::exists(other) ? other : labels;
  }
  return "";
}

Dataset read_idx(const std::string& images_path, const IdxOptions& options) {
  const IdxArray images = read_idx_array(images_path);
  if (images.shape.rank() != 3) {
    throw Error(images_path + ": IDX images must have 3 dimensions [count, rows, columns], this file has " +
                images.shape.str());
  }
  Dataset d;
  d.source = images_path;
  d.inputs = Tensor<float>(images.shape);
  const float scale = (options.high - options.low) / 255.0f;
  for (std::size_t i = 0; i < images.values.size(); ++i) d.inputs[i] = options.low + scale * images.values[i];
  const std::size_t N = images.shape[0];
  const std::string labels_path = options.labels_path.empty() ? idx_labels_path_for(images_path) : options.labels_path;
  const bool no_labels_found = options.labels_optional && options.labels_path.empty() &&
                               (labels_path.empty() || !std::filesystem::exists(labels_path));
  if (options.no_labels || no_labels_found) {
    d.targets = Tensor<float>(Shape{N, 0});
    return d;
  }
  if (labels_path.empty()) {
    throw Error(images_path + ": cannot find its labels by the MNIST naming (...-images-idx3-ubyte -> "
                "...-labels-idx1-ubyte); give the labels file explicitly");
  }
  const IdxArray labels = read_idx_array(labels_path);
  if (labels.shape.rank() != 1) {
    throw Error(labels_path + ": IDX labels must have 1 dimension [count], this file has " + labels.shape.str());
  }
  if (labels.shape[0] != N) {
    throw Error(labels_path + ": holds " + std::to_string(labels.shape[0]) + " labels but " + images_path + " holds " +
                std::to_string(N) + " images");
  }
  d.targets = Tensor<float>(Shape{N});
  for (std::size_t n = 0; n < N; ++n) {
    d.targets[n] = labels.values[n];
    d.classes = std::max<std::size_t>(d.classes, labels.values[n] + 1u);
  }
  return d;
}

}  // namespace bpnn
