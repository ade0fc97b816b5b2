// The protocol-buffers wire format, the little of it that ONNX files need, so that bpnn reads and
// writes ONNX without a protobuf dependency. A message is a sequence of fields, each a key
// (field number << 3 | wire type, a varint) then the value: a varint (wire type 0), 8 bytes
// (1), a varint length then that many bytes (2: strings, bytes, nested messages, packed
// repeated numbers) or 4 bytes (5). Integers are little-endian; varints 7 bits a byte, low first.
// The reader takes untrusted bytes: every length is checked against what is left before use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bpnn::protobuf {

enum class WireType : std::uint8_t { varint = 0, fixed64 = 1, bytes = 2, fixed32 = 5 };

// Appends fields to a message. Nested messages are written into their own Writer first, then
// added with message() (their length must be known before their bytes).
class Writer {
 public:
  // int32, int64, enum and bool fields (a negative int64 takes ten bytes, as protobuf writes it).
  void varint(std::uint32_t field, std::uint64_t value);
  void int64(std::uint32_t field, std::int64_t value) { varint(field, static_cast<std::uint64_t>(value)); }
  void float32(std::uint32_t field, float value);
  void bytes(std::uint32_t field, std::string_view value);
  void message(std::uint32_t field, const Writer& nested) { bytes(field, nested.data()); }

  const std::string& data() const { return out_; }

 private:
  void key(std::uint32_t field, WireType type);
  void raw_varint(std::uint64_t value);
  std::string out_;
};

// One field as read: its number, wire type and value (numbers in `number`, bytes in `bytes`).
struct Field {
  std::uint32_t number = 0;
  WireType type = WireType::varint;
  std::uint64_t number_value = 0;  // varint, or the bits of a fixed32 / fixed64
  std::string_view bytes;          // wire type 2: a view into the reader's data
};

// Reads the fields of one message in order. Throws Error (naming `what`, the message's place, and
// the byte offset) for a truncated varint or key, a length past the end, a field number of 0 or a
// wire type ONNX never uses (3 and 4, groups; 6 and 7 do not exist).
class Reader {
 public:
  Reader(std::string_view data, std::string what) : data_(data), what_(std::move(what)) {}
  // The next field, or false at the end of the message.
  bool next(Field& field);
  const std::string& what() const { return what_; }

 private:
  std::uint64_t read_varint();
  std::string_view data_;
  std::size_t at_ = 0;
  std::string what_;
};

// Field values with their wire type checked; `name` ("NodeProto.op_type") goes into the error.
std::uint64_t varint_value(const Field& field, std::string_view name);
std::int64_t int64_value(const Field& field, std::string_view name);
// An int32 or enum field: a varint that fits in 32 bits (signed).
std::int32_t int32_value(const Field& field, std::string_view name);
float float_value(const Field& field, std::string_view name);
std::string_view bytes_value(const Field& field, std::string_view name);
// Repeated numbers, packed (one length-delimited field) or not (one field per number): appends.
void append_int64s(const Field& field, std::string_view name, std::vector<std::int64_t>& out);
void append_floats(const Field& field, std::string_view name, std::vector<float>& out);

}  // namespace bpnn::protobuf
