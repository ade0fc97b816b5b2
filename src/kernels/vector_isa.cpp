// See vector_isa.hpp: which instruction sets the CPU runs, and the one chosen.
#include "kernels/vector_isa.hpp"

#include <algorithm>
#include <atomic>
#include <string>

#include "bpnn/core/error.hpp"

namespace bpnn::kernels {
namespace {

std::vector<VectorIsa> detect_isas() {
  std::vector<VectorIsa> isas{VectorIsa::baseline};
#if BPNN_X86_COPIES
  __builtin_cpu_init();  // may run before the runtime's own initialization (a static object's constructor)
  // The levels' features one by one: Clang 14's builtin knows neither the level names nor f16c and
  // movbe (every CPU with AVX2 and BMI2 has those two).
  const bool v3 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi") &&
                  __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("popcnt");
  const bool v4 = v3 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                  __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512dq") &&
                  __builtin_cpu_supports("avx512vl");
  if (v3) isas.push_back(VectorIsa::avx2);
  if (v4) isas.push_back(VectorIsa::avx512);
#endif
  return isas;
}

const std::vector<VectorIsa>& runnable_isas() {
  static const std::vector<VectorIsa> isas = detect_isas();
  return isas;
}

// Read once per kernel call, so all of its blocks take the same copy.
std::atomic<VectorIsa>& chosen() {
  static std::atomic<VectorIsa> isa{runnable_isas().back()};
  return isa;
}

}  // namespace

std::vector<VectorIsa> vector_isas() { return runnable_isas(); }

VectorIsa vector_isa() { return chosen().load(std::memory_order_relaxed); }

void set_vector_isa(VectorIsa isa) {
  const std::vector<VectorIsa>& isas = runnable_isas();
  if (std::find(isas.begin(), isas.end(), isa) == isas.end()) {
    throw Error("this CPU does not run " + std::string(to_string(isa)) + " instructions");
  }
  chosen().store(isa, std::memory_order_relaxed);
}

std::string_view to_string(VectorIsa isa) {
  switch (isa) {
    case VectorIsa::baseline:
      return "baseline";
    case VectorIsa::avx2:
      return "avx2";
    case VectorIsa::avx512:
      return "avx512";
  }
  return "unknown";
}

}  // namespace bpnn::kernels
