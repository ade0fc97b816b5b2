// The cpu backend in portable arithmetic (internal): the reference backend's results, bit for bit,
// made fast (docs/arithmetic.md).
#pragma once

#include <memory>

#include "bpnn/backend/backend.hpp"

namespace bpnn {

// Throws Error for a thread count out of range or threads that cannot start.
template <class T>
std::shared_ptr<Backend<T>> make_portable_backend(int threads);

}  // namespace bpnn
