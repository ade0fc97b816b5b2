// libFuzzer target: FANN training files, and the content test read_dataset uses to choose FANN.
#include "bpnn/io/text_formats.hpp"
#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  bpnn::looks_like_fann(std::string_view(reinterpret_cast<const char*>(data), size));
  return bpnn::fuzz::run(data, size, ".train", [](const std::string& path) { bpnn::read_fann(path); });
}
