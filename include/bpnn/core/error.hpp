// The one exception type bpnn throws: its message says what was wrong, where, and what to do.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace bpnn {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message);
};

// Bytes from a file made safe to put in a message: printable ASCII and valid UTF-8 characters are
// kept, every other byte (control characters, invalid or overlong UTF-8) is written as \xNN, and
// more than max characters are cut to max followed by "...".
std::string printable(std::string_view bytes, std::size_t max = 40);

}  // namespace bpnn
