#include "bpnn/core/error.hpp"

namespace bpnn {

Error::Error(const std::string& message) : std::runtime_error(message) {}

}  // namespace bpnn
