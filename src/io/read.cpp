#include "bpnn/io/read.hpp"

#include <zlib.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "bpnn/core/error.hpp"
#include "bpnn/core/file.hpp"

namespace bpnn {
namespace {

// True when the file, gunzipped if need be, starts like an unsigned-byte IDX file.
bool looks_like_idx(const std::string& path) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) throw Error(path + ": cannot open: " + std::strerror(errno));
  std::array<unsigned char, 3> magic{};
  const int n = gzread(file, magic.data(), 3);
  gzclose(file);
  return n == 3 && magic[0] == 0 && magic[1] == 0 && magic[2] == 0x08;
}

}  // namespace

Dataset read_dataset(const std::string& path, const DataOptions& options) {
  // One check first, so that every format reports a missing file or a directory the same way.
  check_readable_file(path, "data file");
  if (looks_like_idx(path)) return read_idx(path, options.idx);
  const std::string text = read_file(path, "data file");
  if (looks_like_fann(text)) return parse_fann(text, path);
  return parse_csv(text, path, options.csv);
}

}  // namespace bpnn
