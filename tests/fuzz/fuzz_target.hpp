// What every fuzz target shares: the readers take paths, so each input is written to one scratch
// file first; and the only acceptable failure is bpnn::Error (anything else, or a crash, is a bug).
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "bpnn/core/error.hpp"

namespace bpnn::fuzz {

// Writes the input to a per-process scratch file ending in suffix and returns its path.
inline std::string scratch_file(const std::uint8_t* data, std::size_t size, const char* suffix) {
  static const std::string path = "/tmp/bpnn-fuzz-" + std::to_string(getpid()) + suffix;
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) __builtin_trap();
  if (size > 0) std::fwrite(data, 1, size, file);
  std::fclose(file);
  return path;
}

// Runs read on the input: bpnn::Error is the expected way to refuse; nothing else may escape.
template <class Read>
int run(const std::uint8_t* data, std::size_t size, const char* suffix, Read read) {
  const std::string path = scratch_file(data, size, suffix);
  try {
    read(path);
  } catch (const bpnn::Error&) {
  }
  return 0;
}

}  // namespace bpnn::fuzz
