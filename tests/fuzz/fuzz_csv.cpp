// libFuzzer target: CSV files, as classification data and as regression data with 2 targets.
#include "bpnn/data/text_formats.hpp"
#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  bpnn::fuzz::run(data, size, ".csv", [](const std::string& path) { bpnn::read_csv(path); });
  return bpnn::fuzz::run(data, size, ".csv", [](const std::string& path) {
    bpnn::read_csv(path, {.target_columns = 2});
  });
}
