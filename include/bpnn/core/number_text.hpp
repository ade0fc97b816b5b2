// A number as text, the same on every platform: the shortest text that reads back as the same
// double, in std::to_chars's notation (0.01, 1e-08, 100, 1.5e+300), and fixed decimals. The library's
// messages and registry, and the playground's JSON, quote numbers this way. std::to_chars gives it
// where the standard library has its floating-point overloads; where it has not (the libc++ of
// emscripten 3.1.6, which builds bpnn for WebAssembly), printf-based twins give the same characters,
// so that the page's engine writes the text the native build writes (tests/playground_api_test).
#pragma once

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace bpnn {

// std::to_chars(value) (shortest round trip, fixed or scientific, whichever is shorter, fixed on a
// tie; an integer value in fixed notation written exactly), by printf and strtod alone.
inline std::string number_text_by_printf(double value) {
  if (std::isnan(value)) return std::signbit(value) ? "-nan" : "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  if (value == 0) return std::signbit(value) ? "-0" : "0";
  // The fewest significant digits that read back (17 always do): printf rounds correctly, so if any
  // text of that many digits reads back, its does, and it is the closest one, as to_chars's. More
  // digits read back whenever fewer do, so a binary search finds the count (5 tries, not up to 17:
  // the page's state writes thousands of numbers).
  char text[40];
  int low = 1, high = 17;  // high reads back; the answer is in [low, high]
  while (low < high) {
    const int digits = (low + high) / 2;
    std::snprintf(text, sizeof text, "%.*e", digits - 1, value);
    if (std::strtod(text, nullptr) == value) {
      high = digits;
    } else {
      low = digits + 1;
    }
  }
  std::snprintf(text, sizeof text, "%.*e", high - 1, value);
  const std::string printed = text;  // [-]d[.ddd]e(+|-)XX
  const bool negative = printed[0] == '-';
  const std::size_t e = printed.find('e');
  std::string mantissa = printed.substr(negative ? 1 : 0, e - (negative ? 1 : 0));
  const int exponent = std::atoi(printed.c_str() + e + 1);
  const std::string scientific = mantissa + printed.substr(e);
  std::string significant = mantissa;
  if (significant.size() > 1) significant.erase(1, 1);  // the decimal point
  const int count = static_cast<int>(significant.size());
  std::string fixed;
  if (exponent < 0) {
    fixed = "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + significant;
  } else if (count > exponent + 1) {
    fixed = significant.substr(0, static_cast<std::size_t>(exponent) + 1) + "." +
            significant.substr(static_cast<std::size_t>(exponent) + 1);
  } else {
    fixed = significant + std::string(static_cast<std::size_t>(exponent + 1 - count), '0');
  }
  if (fixed.size() > scientific.size()) return (negative ? "-" : "") + scientific;
  if (exponent + 1 > count) {  // an integer: to_chars writes its exact digits, as %.0f does
    std::snprintf(text, sizeof text, "%.0f", value);
    return text;
  }
  return (negative ? "-" : "") + fixed;
}

// std::to_chars(value, std::chars_format::fixed, decimals), by printf (correctly rounded, as it).
inline std::string fixed_text_by_printf(double value, int decimals) {
  char text[400];  // the largest double has 309 digits before the point
  const int length = std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return length > 0 && static_cast<std::size_t>(length) < sizeof text ? std::string(text)
                                                                      : number_text_by_printf(value);
}

// The shortest text that reads back as value (0.01, 1e-08, 3).
inline std::string number_text(double value) {
#if defined(__cpp_lib_to_chars)
  char text[32];
  return std::string(text, std::to_chars(text, text + sizeof text, value).ptr);
#else
  return number_text_by_printf(value);
#endif
}

// value with `decimals` digits after the point (0 <= decimals <= 40).
inline std::string fixed_text(double value, int decimals) {
#if defined(__cpp_lib_to_chars)
  char text[400];
  const auto [end, error] = std::to_chars(text, text + sizeof text, value, std::chars_format::fixed, decimals);
  return error == std::errc() ? std::string(text, end) : number_text(value);
#else
  return fixed_text_by_printf(value, decimals);
#endif
}

}  // namespace bpnn
