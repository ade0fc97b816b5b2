// A number as the library's messages and the registry quote it: the shortest text that reads back
// as the same double (0.01, 1e-08, 3). std::to_chars gives it where the standard library has its
// floating-point overloads; where it has not (the libc++ of emscripten 3.1.6, which builds bpnn for
// WebAssembly), the shortest "%.*g" that reads back.
#pragma once

#include <charconv>
#include <string>

#if !defined(__cpp_lib_to_chars)
#include <cstdio>
#include <cstdlib>
#endif

namespace bpnn {

inline std::string number_text(double value) {
  char text[32];
#if defined(__cpp_lib_to_chars)
  return std::string(text, std::to_chars(text, text + sizeof text, value).ptr);
#else
  for (int digits = 1;; ++digits) {  // 17 significant digits always read back
    const int length = std::snprintf(text, sizeof text, "%.*g", digits, value);
    if (digits == 17 || std::strtod(text, nullptr) == value) return std::string(text, static_cast<std::size_t>(length));
  }
#endif
}

}  // namespace bpnn
