#include "bpnn/core/file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

#include "bpnn/core/error.hpp"

namespace bpnn {

void write_file_atomically(const std::string& path, std::string_view content) {
  const std::string temporary = path + ".tmp";
  std::FILE* file = std::fopen(temporary.c_str(), "wb");
  if (file == nullptr) throw Error(path + ": cannot write: " + std::strerror(errno));
  const bool written = std::fwrite(content.data(), 1, content.size(), file) == content.size();
  const bool closed = std::fclose(file) == 0;
  if (!written || !closed) {
    const int error = errno;
    std::remove(temporary.c_str());
    throw Error(path + ": writing failed: " + std::strerror(error));
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error = errno;
    std::remove(temporary.c_str());
    throw Error(path + ": cannot replace: " + std::strerror(error));
  }
}

void check_readable_file(const std::string& path, std::string_view what) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    const int error = errno;
    if (error == ENOENT) throw Error(path + ": no such file");
    throw Error(path + ": cannot open: " + std::strerror(error));
  }
  // An ifstream opens a directory without complaint and reads it as empty, hence the check.
  if (S_ISDIR(info.st_mode)) throw Error(path + ": is a directory, not a " + std::string(what));
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) throw Error(path + ": cannot open: " + std::strerror(errno));
  std::fclose(file);
}

std::string read_file(const std::string& path, std::string_view what) {
  check_readable_file(path, what);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open: " + std::strerror(errno));
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) throw Error(path + ": reading failed");
  return content.str();
}

}  // namespace bpnn
