#include "checks.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "bpnn/core/error.hpp"

namespace bpnn::cli {
namespace {

// The value as a finite double, or false.
bool parse_real(const std::string& text, double& value) {
  if (text.empty()) return false;
  char* end = nullptr;
  errno = 0;
  value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && errno == 0 && std::isfinite(value);
}

CLI::Validator real_check(const std::string& description, bool (*ok)(double)) {
  return CLI::Validator(
      [description, ok](std::string& text) -> std::string {
        double value = 0;
        if (parse_real(text, value) && ok(value)) return "";
        return "must be " + description + ", got '" + text + "'";
      },
      description);
}

}  // namespace

CLI::Validator whole_number(long long minimum, long long maximum) {
  const std::string description = maximum >= 1000000000000LL
                                      ? "a whole number of at least " + std::to_string(minimum)
                                      : "a whole number from " + std::to_string(minimum) + " to " + std::to_string(maximum);
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        char* end = nullptr;
        errno = 0;
        const long long value = std::strtoll(text.c_str(), &end, 10);
        if (!text.empty() && end == text.c_str() + text.size() && errno == 0 && value >= minimum && value <= maximum) {
          return "";
        }
        return "must be " + description + ", got '" + text + "'";
      },
      description);
}

CLI::Validator positive_number() {
  return real_check("a number > 0", [](double v) { return v > 0; });
}

CLI::Validator non_negative_number() {
  return real_check("a number >= 0", [](double v) { return v >= 0; });
}

CLI::Validator fraction() {
  return real_check("a number between 0 and 1", [](double v) { return v > 0 && v < 1; });
}

void check_writable(const std::string& path, const std::string& flag) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (fs::is_directory(path, error)) throw Error(flag + " " + path + ": is a directory; give a file name");
  const fs::path folder = fs::path(path).parent_path();
  if (!folder.empty() && !fs::is_directory(folder, error)) {
    throw Error(flag + " " + path + ": the folder " + folder.string() + " does not exist");
  }
  // The file is written as path.tmp, then renamed (write_file_atomically): try that name now.
  const std::string probe = path + ".tmp";
  std::FILE* file = std::fopen(probe.c_str(), "wb");
  if (file == nullptr) throw Error(flag + " " + path + ": cannot write there: " + std::strerror(errno));
  std::fclose(file);
  std::remove(probe.c_str());
}

}  // namespace bpnn::cli
