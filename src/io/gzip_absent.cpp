// gzip.hpp in a build without zlib (the playground's WebAssembly engine, whose page hands it the
// MNIST digits uncompressed): plain files only; a compressed one is refused, saying what to do.
#include "io/gzip.hpp"

#include "bpnn/core/error.hpp"
#include "bpnn/core/file.hpp"

namespace bpnn {

std::vector<std::uint8_t> read_maybe_gzip(const std::string& path) {
  const std::string file = read_file(path, "data file");
  if (file.size() >= 2 && static_cast<std::uint8_t>(file[0]) == 0x1f && static_cast<std::uint8_t>(file[1]) == 0x8b) {
    throw Error(path + ": is gzip-compressed, which this build of bpnn (without zlib) cannot read: "
                "decompress it first (gunzip)");
  }
  return {file.begin(), file.end()};
}

void write_gzip_atomically(const std::string& path, const std::string&) {
  throw Error(path + ": this build of bpnn (without zlib) cannot write gzip-compressed files: "
              "name the file without .gz");
}

}  // namespace bpnn
