// The protobuf wire format: writing fields, and reading them with every length checked.
#include "io/protobuf.hpp"

#include <bit>
#include <cstring>

#include "bpnn/core/error.hpp"

namespace bpnn::protobuf {

static_assert(std::endian::native == std::endian::little,
              "protobuf fixed-size numbers are little-endian; add byte swapping");

void Writer::raw_varint(std::uint64_t value) {
  while (value >= 0x80) {
    out_.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out_.push_back(static_cast<char>(value));
}

void Writer::key(std::uint32_t field, WireType type) {
  raw_varint((static_cast<std::uint64_t>(field) << 3) | static_cast<std::uint64_t>(type));
}

void Writer::varint(std::uint32_t field, std::uint64_t value) {
  key(field, WireType::varint);
  raw_varint(value);
}

void Writer::float32(std::uint32_t field, float value) {
  key(field, WireType::fixed32);
  char bytes[4];
  std::memcpy(bytes, &value, 4);
  out_.append(bytes, 4);
}

void Writer::bytes(std::uint32_t field, std::string_view value) {
  key(field, WireType::bytes);
  raw_varint(value.size());
  out_.append(value);
}

std::uint64_t Reader::read_varint() {
  std::uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (at_ >= data_.size())
      throw Error(what_ + ": truncated (a number runs past the end at byte " + std::to_string(at_) + ")");
    const auto byte = static_cast<std::uint8_t>(data_[at_++]);
    value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return value;
  }
  throw Error(what_ + ": a number longer than 10 bytes at byte " + std::to_string(at_));
}

bool Reader::next(Field& field) {
  if (at_ >= data_.size()) return false;
  const std::size_t start = at_;
  const std::uint64_t key = read_varint();
  const std::uint64_t number = key >> 3;
  const auto type = static_cast<unsigned>(key & 7);
  if (number == 0 || number > 0x1fffffff) {
    throw Error(what_ + ": invalid field number " + std::to_string(number) + " at byte " + std::to_string(start) +
                " (not a protobuf message, or a corrupt one)");
  }
  field = Field{};
  field.number = static_cast<std::uint32_t>(number);
  const std::size_t left = data_.size() - at_;
  switch (type) {
    case 0:
      field.type = WireType::varint;
      field.number_value = read_varint();
      return true;
    case 1:
    case 5: {
      const std::size_t size = type == 1 ? 8 : 4;
      if (left < size) throw Error(what_ + ": truncated (field " + std::to_string(number) + " runs past the end)");
      field.type = type == 1 ? WireType::fixed64 : WireType::fixed32;
      std::memcpy(&field.number_value, data_.data() + at_, size);  // little-endian, zero-extended
      at_ += size;
      return true;
    }
    case 2: {
      const std::uint64_t size = read_varint();
      if (size > data_.size() - at_) {
        throw Error(what_ + ": truncated (field " + std::to_string(number) + " says " + std::to_string(size) +
                    " bytes at byte " + std::to_string(at_) + ", " + std::to_string(data_.size() - at_) + " are left)");
      }
      field.type = WireType::bytes;
      field.bytes = data_.substr(at_, static_cast<std::size_t>(size));
      at_ += static_cast<std::size_t>(size);
      return true;
    }
    default:
      throw Error(what_ + ": field " + std::to_string(number) + " has wire type " + std::to_string(type) +
                  ", which ONNX does not use (a corrupt file?)");
  }
}

namespace {

const char* type_name(WireType type) {
  switch (type) {
    case WireType::varint: return "an integer";
    case WireType::fixed64: return "8 bytes";
    case WireType::bytes: return "length-delimited bytes";
    case WireType::fixed32: return "4 bytes";
  }
  return "?";
}

void expect(const Field& field, WireType type, std::string_view name) {
  if (field.type != type) {
    throw Error("field " + std::string(name) + " (" + std::to_string(field.number) + ") holds " +
                type_name(field.type) + ", expected " + type_name(type));
  }
}

}  // namespace

std::uint64_t varint_value(const Field& field, std::string_view name) {
  expect(field, WireType::varint, name);
  return field.number_value;
}

std::int64_t int64_value(const Field& field, std::string_view name) {
  return static_cast<std::int64_t>(varint_value(field, name));
}

std::int32_t int32_value(const Field& field, std::string_view name) {
  const std::int64_t value = int64_value(field, name);
  if (value < INT32_MIN || value > INT32_MAX) {
    throw Error("field " + std::string(name) + " (" + std::to_string(field.number) + ") is " + std::to_string(value) +
                ", out of range for a 32-bit integer");
  }
  return static_cast<std::int32_t>(value);
}

float float_value(const Field& field, std::string_view name) {
  expect(field, WireType::fixed32, name);
  const auto bits = static_cast<std::uint32_t>(field.number_value);
  float value;
  std::memcpy(&value, &bits, 4);
  return value;
}

std::string_view bytes_value(const Field& field, std::string_view name) {
  expect(field, WireType::bytes, name);
  return field.bytes;
}

void append_int64s(const Field& field, std::string_view name, std::vector<std::int64_t>& out) {
  if (field.type == WireType::varint) {
    out.push_back(static_cast<std::int64_t>(field.number_value));
    return;
  }
  if (field.type != WireType::bytes) expect(field, WireType::varint, name);
  // A packed run is varints back to back, without keys.
  const std::string what = "packed field " + std::string(name);
  std::size_t at = 0;
  const std::string_view data = field.bytes;
  while (at < data.size()) {
    std::uint64_t value = 0;
    bool done = false;
    for (int shift = 0; shift < 64 && !done; shift += 7) {
      if (at >= data.size()) throw Error(what + ": truncated (a number runs past its end)");
      const auto byte = static_cast<std::uint8_t>(data[at++]);
      value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      done = (byte & 0x80) == 0;
    }
    if (!done) throw Error(what + ": a number longer than 10 bytes");
    out.push_back(static_cast<std::int64_t>(value));
  }
}

void append_floats(const Field& field, std::string_view name, std::vector<float>& out) {
  if (field.type == WireType::fixed32) {
    out.push_back(float_value(field, name));
    return;
  }
  if (field.type != WireType::bytes) expect(field, WireType::fixed32, name);
  if (field.bytes.size() % 4 != 0) {
    throw Error("packed field " + std::string(name) + " is " + std::to_string(field.bytes.size()) +
                " bytes long, not a whole number of 4-byte floats");
  }
  const std::size_t first = out.size();
  out.resize(first + field.bytes.size() / 4);
  if (!field.bytes.empty()) std::memcpy(out.data() + first, field.bytes.data(), field.bytes.size());
}

}  // namespace bpnn::protobuf
