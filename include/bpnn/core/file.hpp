// Reading whole files with one kind of error for every reader, and writing files so that a reader
// never sees a half-written one: write a temporary file beside the target, flush it, then rename it
// over the target (atomic on POSIX file systems).
#pragma once

#include <string>
#include <string_view>

namespace bpnn {

// Writes content to path atomically. Throws Error naming the path if any step fails; the
// temporary file is removed then and the target left as it was.
void write_file_atomically(const std::string& path, std::string_view content);

// Throws Error unless path is a regular file (or a pipe) that can be opened for reading:
// "PATH: no such file", "PATH: is a directory, not a WHAT", "PATH: cannot open: <strerror>".
void check_readable_file(const std::string& path, std::string_view what = "file");

// The whole content of a file; throws Error naming the path if it cannot be read, with the
// messages of check_readable_file.
std::string read_file(const std::string& path, std::string_view what = "file");

}  // namespace bpnn
