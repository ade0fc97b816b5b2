// Field-by-field checks of the playground's request bodies.
#include "request.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <string_view>

namespace bpnn::serve {
namespace {

// A refused value as a message quotes it: its first 60 characters, or what kind of list or object
// it is (not a whole list of 2,000 points written out to show 60 characters of it).
std::string quoted(const json& v) {
  if (v.is_array()) return "a list of " + std::to_string(v.size());
  if (v.is_object()) return "an object";
  return v.dump().substr(0, 60);
}

}  // namespace

json parse_body(const std::string& body) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return json::object();
  // Nesting is refused as it is read, before any value deep enough to exhaust a stack (WebAssembly's
  // is small) is built, copied or destroyed: no request nests more than 3 levels.
  constexpr int kMaxDepth = 32;
  const json::parser_callback_t shallow = [](int depth, json::parse_event_t, json&) {
    if (depth > kMaxDepth) refuse("the request body nests deeper than " + std::to_string(kMaxDepth) + " levels");
    return true;
  };
  json value = json::parse(body, shallow, /*allow_exceptions=*/false);
  if (value.is_discarded()) refuse("the request body is not well-formed JSON");
  if (!value.is_object()) refuse("the request body must be a JSON object, got " + std::string(value.type_name()));
  return value;
}

Fields::Fields(const json& object, std::string where) : object_(object), where_(std::move(where)) {
  if (!object_.is_object()) {
    refuse("'" + where_.substr(0, where_.empty() ? 0 : where_.size() - 1) + "' must be an object");
  }
}

void Fields::only(std::initializer_list<const char*> known) const {
  for (const auto& [key, value] : object_.items()) {
    bool found = false;
    for (const char* k : known) found = found || key == k;
    if (!found) {
      std::string list;
      for (const char* k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      refuse("unknown field '" + where_ + key.substr(0, 60) + "' (known: " + list + ")");
    }
  }
}

double Fields::number(const char* name, double fallback, double low, double high) const {
  if (!has(name)) return fallback;
  const json& v = object_.at(name);
  if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < low || v.get<double>() > high) {
    refuse("field '" + where(name) + "' must be a number in [" + json(low).dump() + ", " + json(high).dump() +
           "], got " + quoted(v));
  }
  return v.get<double>();
}

std::int64_t Fields::integer(const char* name, std::int64_t fallback, std::int64_t low, std::int64_t high) const {
  if (!has(name)) return fallback;
  const json& v = object_.at(name);
  const bool whole =
      v.is_number_integer() || (v.is_number_float() && std::isfinite(v.get<double>()) &&
                                v.get<double>() == std::floor(v.get<double>()) && std::fabs(v.get<double>()) < 9e15);
  const double d = whole ? v.get<double>() : 0.0;
  if (!whole || d < static_cast<double>(low) || d > static_cast<double>(high)) {
    refuse("field '" + where(name) + "' must be a whole number in [" + std::to_string(low) + ", " +
           std::to_string(high) + "], got " + quoted(v));
  }
  return v.is_number_unsigned()  ? static_cast<std::int64_t>(v.get<std::uint64_t>())
         : v.is_number_integer() ? v.get<std::int64_t>()
                                 : static_cast<std::int64_t>(d);
}

bool Fields::boolean(const char* name, bool fallback) const {
  if (!has(name)) return fallback;
  if (!object_.at(name).is_boolean()) refuse("field '" + where(name) + "' must be true or false");
  return object_.at(name).get<bool>();
}

std::string Fields::choice(const char* name, const std::string& fallback,
                           std::initializer_list<const char*> allowed) const {
  return choice(name, fallback, std::vector<std::string>(allowed.begin(), allowed.end()));
}

std::string Fields::choice(const char* name, const std::string& fallback,
                           const std::vector<std::string>& allowed) const {
  std::string list;
  for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + a;
  if (!has(name)) return fallback;
  const json& v = object_.at(name);
  if (v.is_string()) {
    for (const std::string& a : allowed) {
      if (v.get<std::string>() == a) return a;
    }
  }
  refuse("field '" + where(name) + "' must be one of " + list + ", got " + quoted(v));
}

std::string Fields::file_name(const char* name, const std::string& fallback) const {
  if (!has(name)) return fallback;
  const json& v = object_.at(name);
  const std::string text = v.is_string() ? v.get<std::string>() : "";
  const bool plain = std::all_of(text.begin(), text.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '_' || c == '-';
  });
  if (text.empty() || text.size() > 100 || text[0] == '.' || !plain) {
    refuse("field '" + where(name) + "' must be a file name of letters, digits, '.', '_' and '-', got " + quoted(v));
  }
  return text;
}

std::string Fields::base64(const char* name) const {
  if (!has(name) || !object_.at(name).is_string()) refuse("field '" + where(name) + "' must be a base64 string");
  const std::string& text = object_.at(name).get_ref<const std::string&>();
  static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string bytes;
  bytes.reserve(text.size() / 4 * 3);
  std::uint32_t bits = 0;
  int held = 0;  // bits held, 0 to 14
  std::size_t k = 0;
  for (; k < text.size() && text[k] != '='; ++k) {
    const std::size_t digit = kAlphabet.find(text[k]);
    if (digit == std::string_view::npos) {
      refuse("field '" + where(name) + "': character " + std::to_string(k + 1) + " is not base64");
    }
    bits = (bits << 6) | static_cast<std::uint32_t>(digit);
    held += 6;
    if (held >= 8) {
      held -= 8;
      bytes.push_back(static_cast<char>((bits >> held) & 0xFF));
    }
  }
  const std::size_t padding = text.size() - k;
  if (held >= 6 || padding > 2 || text.find_first_not_of('=', k) != std::string::npos) {
    refuse("field '" + where(name) + "' is not whole base64 (it ends part-way through a byte)");
  }
  return bytes;
}

}  // namespace bpnn::serve
