// Whole files that may be gzip-compressed: the one place that calls zlib for the IDX reader and
// writer. A build without zlib (the playground's WebAssembly engine) compiles gzip_absent.cpp in
// place of gzip.cpp: it reads and writes plain files and refuses compressed ones.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bpnn {

// The whole file, gunzipped if it starts with the gzip magic. Throws Error naming the path for a
// file that cannot be read, or damaged or truncated gzip data.
std::vector<std::uint8_t> read_maybe_gzip(const std::string& path);

// Writes bytes gzip-compressed to path, atomically (through a temporary file beside it).
void write_gzip_atomically(const std::string& path, const std::string& bytes);

}  // namespace bpnn
