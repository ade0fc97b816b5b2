// libFuzzer target: IDX files, plain and gzip (read_idx_array detects gzip by content).
#include "bpnn/io/idx.hpp"
#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return bpnn::fuzz::run(data, size, ".idx", [](const std::string& path) { bpnn::read_idx_array(path); });
}
