// The one exception type bpnn throws: its message says what was wrong, where, and what to do.
#pragma once

#include <stdexcept>
#include <string>

namespace bpnn {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message);
};

}  // namespace bpnn
