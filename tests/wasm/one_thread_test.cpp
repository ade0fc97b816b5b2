// WebAssembly without threads (emscripten without pthreads, as the playground's engine is built): a
// cpu backend of one thread works, and one of more cannot start and says so, where a build with
// threads would start them.
#include <gtest/gtest.h>

#include "bpnn/bpnn.hpp"
#include "support/expect_error.hpp"

namespace bpnn {
namespace {

TEST(OneThread, ABackendOfMoreThreadsSaysItCannotStart) {
  EXPECT_EQ(make_cpu_backend<float>({.threads = 1})->threads(), 1u);
  testing::expect_error([] { make_cpu_backend<float>({.threads = 2}); }, {"cannot start 2 threads"});
  testing::expect_error([] { make_cpu_backend<double>({.threads = 3, .arithmetic = Arithmetic::portable}); },
                        {"cannot start 3 threads"});
}

}  // namespace
}  // namespace bpnn
