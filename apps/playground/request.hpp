// What the playground's JSON API accepts: a request body checked field by field before any work,
// so a bad request is answered 400 with a message naming the field, never a crash.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace bpnn::serve {

using nlohmann::json;

// A request the API refuses: status (400, 404, 413, 503) and a message naming the field.
class RequestError : public std::runtime_error {
 public:
  RequestError(int status, const std::string& message) : std::runtime_error(message), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

// Throws a 400 RequestError unless body is a JSON object (empty text counts as {}).
json parse_body(const std::string& body);

// The fields of one JSON object, checked as they are read. `where` prefixes messages ("data.").
class Fields {
 public:
  Fields(const json& object, std::string where = "");
  // Throws 400 naming the first field of the object that is not in known.
  void only(std::initializer_list<const char*> known) const;
  bool has(const char* name) const { return object_.contains(name); }
  const json& raw(const char* name) const { return object_.at(name); }
  std::string where(const char* name) const { return where_ + name; }

  // A finite number in [low, high]; fallback when absent.
  double number(const char* name, double fallback, double low, double high) const;
  // A whole number in [low, high]; fallback when absent.
  std::int64_t integer(const char* name, std::int64_t fallback, std::int64_t low, std::int64_t high) const;
  bool boolean(const char* name, bool fallback) const;
  // One of the listed names; fallback when absent.
  std::string choice(const char* name, const std::string& fallback, std::initializer_list<const char*> allowed) const;
  std::string choice(const char* name, const std::string& fallback, const std::vector<std::string>& allowed) const;
  // A file name of letters, digits, '.', '_' and '-' (at most 100, no leading '.'); fallback when absent.
  std::string file_name(const char* name, const std::string& fallback) const;
  // A base64 string's bytes (RFC 4648's alphabet, '=' padding optional); required.
  std::string base64(const char* name) const;

 private:
  const json& object_;
  std::string where_;
};

[[noreturn]] inline void refuse(const std::string& message) { throw RequestError(400, message); }

}  // namespace bpnn::serve
