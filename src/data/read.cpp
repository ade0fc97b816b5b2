#include "bpnn/data/read.hpp"

#include <zlib.h>

#include <array>

#include "bpnn/core/error.hpp"

namespace bpnn {
namespace {

// True when the file, gunzipped if need be, starts like an unsigned-byte IDX file.
bool looks_like_idx(const std::string& path) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) throw Error(path + ": cannot open");
  std::array<unsigned char, 3> magic{};
  const int n = gzread(file, magic.data(), 3);
  gzclose(file);
  return n == 3 && magic[0] == 0 && magic[1] == 0 && magic[2] == 0x08;
}

}  // namespace

Dataset read_dataset(const std::string& path, const DataOptions& options) {
  if (looks_like_idx(path)) return read_idx(path, options.idx);
  if (path.size() >= 5 && path.compare(path.size() - 5, 5, ".data") == 0) return read_fann(path);
  return read_csv(path, options.csv);
}

}  // namespace bpnn
