// libFuzzer target: safetensors model files from strangers.
#include "bpnn/io/model_file.hpp"
#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return bpnn::fuzz::run(data, size, ".safetensors", [](const std::string& path) { bpnn::load_model<float>(path); });
}
