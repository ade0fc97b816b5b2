// A fresh folder under the system's temporary directory, removed with everything in it when the
// object goes: for tests that write files.
#pragma once

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace bpnn::testing {

class TempDir {
 public:
  TempDir() {
    std::random_device seed;
    path_ = std::filesystem::temp_directory_path() / ("bpnn-test-" + std::to_string(seed()) + std::to_string(seed()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // The path of name inside the folder.
  std::string file(const std::string& name) const { return (path_ / name).string(); }

  // Writes content to name and returns its path.
  std::string write(const std::string& name, const std::string& content) const {
    std::ofstream(file(name), std::ios::binary) << content;
    return file(name);
  }

 private:
  std::filesystem::path path_;
};

}  // namespace bpnn::testing
