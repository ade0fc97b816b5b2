// libFuzzer target: ONNX files from strangers (bpnn's own protobuf reader and the import's checks).
#include "bpnn/io/onnx.hpp"
#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return bpnn::fuzz::run(data, size, ".onnx", [](const std::string& path) { bpnn::import_onnx(path); });
}
