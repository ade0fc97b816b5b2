// Reading and writing gzip-compressed files with zlib (gzip.hpp).
#include "io/gzip.hpp"

#include <zlib.h>

#include <cstdio>

#include "bpnn/core/error.hpp"
#include "bpnn/core/file.hpp"

namespace bpnn {

// Inflation must reach the end of the stream with its CRC and length verified, so a truncated or
// damaged file is an error; it may expand to at most 4 GiB, so a hostile one cannot exhaust memory.
std::vector<std::uint8_t> read_maybe_gzip(const std::string& path) {
  const std::string file = read_file(path, "data file");
  if (file.size() < 2 || static_cast<std::uint8_t>(file[0]) != 0x1f || static_cast<std::uint8_t>(file[1]) != 0x8b) {
    return {file.begin(), file.end()};
  }
  constexpr std::size_t max_bytes = std::size_t{4} << 30;
  z_stream stream{};
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) throw Error(path + ": cannot start gzip decompression");
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(file.data()));
  stream.avail_in = static_cast<uInt>(file.size());
  std::vector<std::uint8_t> bytes;
  int status = Z_OK;
  while (status == Z_OK) {
    if (bytes.size() >= max_bytes) {
      inflateEnd(&stream);
      throw Error(path + ": decompresses to more than 4 GiB; refusing to read it");
    }
    const std::size_t done = bytes.size();
    bytes.resize(done + (1 << 20));
    stream.next_out = bytes.data() + done;
    stream.avail_out = 1 << 20;
    status = inflate(&stream, Z_NO_FLUSH);
    bytes.resize(bytes.size() - stream.avail_out);
    if (status == Z_BUF_ERROR && stream.avail_in == 0) break;  // input ran out before the end
  }
  inflateEnd(&stream);
  if (status != Z_STREAM_END) {
    throw Error(path + ": damaged or truncated gzip data" + (stream.msg ? std::string(" (") + stream.msg + ")" : ""));
  }
  return bytes;
}

void write_gzip_atomically(const std::string& path, const std::string& bytes) {
  const std::string temporary = path + ".tmp";
  gzFile file = gzopen(temporary.c_str(), "wb");
  if (file == nullptr) throw Error(path + ": cannot write");
  const bool written =
      gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())) == static_cast<int>(bytes.size());
  if (gzclose(file) != Z_OK || !written || std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    throw Error(path + ": writing failed");
  }
}

}  // namespace bpnn
