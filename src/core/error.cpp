#include "bpnn/core/error.hpp"

namespace bpnn {

Error::Error(const std::string& message) : std::runtime_error(message) {}

namespace {

// The length of the valid UTF-8 sequence of a printable character starting at s[0], or 0 if
// there is none: no continuation byte alone, no overlong form, no surrogate, nothing above
// U+10FFFF, and no C1 control character (U+0080..U+009F).
std::size_t utf8_length(std::string_view s) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char b0 = byte(0);
  std::size_t length = 0;
  char32_t code = 0;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    length = 2, code = b0 & 0x1f;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    length = 3, code = b0 & 0x0f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    length = 4, code = b0 & 0x07;
  } else {
    return 0;
  }
  if (s.size() < length) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xc0) != 0x80) return 0;
    code = (code << 6) | (byte(i) & 0x3f);
  }
  const char32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code < least[length] || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) || code < 0xa0) return 0;
  return length;
}

}  // namespace

std::string printable(std::string_view bytes, std::size_t max) {
  static const char hex[] = "0123456789abcdef";
  std::string out;
  std::size_t characters = 0;
  for (std::size_t i = 0; i < bytes.size(); ++characters) {
    if (characters == max) return out + "...";
    const auto b = static_cast<unsigned char>(bytes[i]);
    if (b >= 0x20 && b < 0x7f) {
      out += static_cast<char>(b);
      ++i;
    } else if (const std::size_t n = utf8_length(bytes.substr(i)); n > 0) {
      out.append(bytes.substr(i, n));
      i += n;
    } else {
      out += "\\x";
      out += hex[b >> 4];
      out += hex[b & 0xf];
      ++i;
    }
  }
  return out;
}

}  // namespace bpnn
