// A test program built with this file runs with the GEMM provider named by BPNN_TEST_GEMM (loops,
// openblas or onednn; kernels/gemm.hpp), chosen before its first test, or with the default where
// it is not set: tests/CMakeLists.txt runs backend_test once per provider the build has.
#include <cstdlib>
#include <string>

#include "bpnn/core/error.hpp"
#include "kernels/gemm.hpp"

namespace bpnn {
namespace {

bool choose_provider() {
  const char* name = std::getenv("BPNN_TEST_GEMM");
  if (name == nullptr) return false;
  for (kernels::GemmProvider p : kernels::gemm_providers()) {
    if (to_string(p) == name) {
      kernels::set_gemm_provider(p);
      return true;
    }
  }
  throw Error("BPNN_TEST_GEMM=" + std::string(name) +
              " names no GEMM provider of this build: use loops, openblas or onednn (where built in)");
}

[[maybe_unused]] const bool provider_chosen = choose_provider();

}  // namespace
}  // namespace bpnn
