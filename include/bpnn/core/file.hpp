// Writing files so that a reader never sees a half-written one: write a temporary file beside the
// target, flush it, then rename it over the target (atomic on POSIX file systems).
#pragma once

#include <string>
#include <string_view>

namespace bpnn {

// Writes content to path atomically. Throws Error naming the path if any step fails; the
// temporary file is removed then and the target left as it was.
void write_file_atomically(const std::string& path, std::string_view content);

// The whole content of a file; throws Error naming the path if it cannot be read.
std::string read_file(const std::string& path);

}  // namespace bpnn
