// libFuzzer target: FANN .data training files.
#include "bpnn/data/text_formats.hpp"
#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return bpnn::fuzz::run(data, size, ".data", [](const std::string& path) { bpnn::read_fann(path); });
}
