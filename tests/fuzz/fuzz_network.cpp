// libFuzzer target: network descriptions, JSON and the compact form (parse_network builds the model,
// so shapes are checked too). Inputs that ask for huge layers are skipped: they are valid, only big.
#include <string>

#include "bpnn/io/network.hpp"
#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  // A description of a network with billions of weights is legal; building it only costs memory.
  for (std::size_t i = 0, digits = 0; i < text.size(); ++i) {
    digits = text[i] >= '0' && text[i] <= '9' ? digits + 1 : 0;
    if (digits > 4) return 0;
  }
  try {
    bpnn::parse_network(text, "fuzz");
  } catch (const bpnn::Error&) {
  }
  return 0;
}
