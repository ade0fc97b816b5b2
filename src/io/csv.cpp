// The CSV reader and writer (RFC 4180).
#include "bpnn/io/csv.hpp"

#include <algorithm>

#include "bpnn/core/error.hpp"

namespace bpnn {
namespace {

std::string where(const std::string& source, std::size_t line) { return source + ":" + std::to_string(line) + ": "; }

std::string_view trim(std::string_view field) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; };
  while (!field.empty() && blank(field.front())) field.remove_prefix(1);
  while (!field.empty() && blank(field.back())) field.remove_suffix(1);
  return field;
}

}  // namespace

std::size_t CsvReader::read_field(std::size_t p, std::size_t index, std::string& field) {
  const std::size_t size = text_.size();
  const auto blank = [&](char c) { return c == ' ' || c == '\r' || (c == '\t' && delimiter_ != '\t'); };
  std::size_t q = p;
  while (q < size && blank(text_[q]) && text_[q] != '\r') ++q;
  if (q >= size || text_[q] != '"') {
    while (q < size && text_[q] != delimiter_ && text_[q] != '\n') ++q;
    field = std::string(trim(text_.substr(p, q - p)));
    return q;
  }
  const std::size_t opened = line_;
  for (++q;; ++q) {
    if (q >= size)
      throw Error(where(source_, opened) + "field " + std::to_string(index) + " opens a quote that is never closed");
    if (text_[q] == '"') {
      if (q + 1 < size && text_[q + 1] == '"') {
        field += '"';
        ++q;
        continue;
      }
      ++q;
      break;
    }
    line_ += text_[q] == '\n';
    field += text_[q];
  }
  while (q < size && blank(text_[q])) ++q;
  if (q < size && text_[q] != delimiter_ && text_[q] != '\n') {
    throw Error(where(source_, line_) + "field " + std::to_string(index) +
                " has text after its closing quote (a quote inside a quoted field is written \"\")");
  }
  return q;
}

bool CsvReader::next(CsvRecord& record) {
  const std::size_t size = text_.size();
  while (pos_ < size) {  // blank lines
    std::size_t eol = text_.find('\n', pos_);
    if (eol == std::string_view::npos) eol = size;
    if (text_.substr(pos_, eol - pos_).find_first_not_of(" \t\r") != std::string_view::npos) break;
    pos_ = std::min(eol + 1, size);
    line_ += eol < size;
  }
  if (pos_ >= size) return false;
  record.line = line_;
  record.fields.clear();
  std::size_t p = pos_;
  for (;;) {
    std::string field;
    p = read_field(p, record.fields.size() + 1, field);
    record.fields.push_back(std::move(field));
    if (p < size && text_[p] == delimiter_) {
      ++p;
      continue;
    }
    if (p < size) {  // the line break
      ++p;
      ++line_;
    }
    pos_ = p;
    return true;
  }
}

char detect_csv_delimiter(std::string_view text, const std::string& source) {
  char best = ',';
  std::size_t best_fields = 1;
  for (const char candidate : {',', ';', '\t'}) {
    try {
      CsvReader reader(text, candidate, source);
      CsvRecord first, second;
      if (!reader.next(first)) return ',';
      if (reader.next(second) && second.fields.size() != first.fields.size()) continue;
      if (first.fields.size() > best_fields) {
        best = candidate;
        best_fields = first.fields.size();
      }
    } catch (const Error&) {  // a quote this delimiter cannot close: not this one
    }
  }
  return best;
}

std::vector<CsvRecord> read_csv_records(std::string_view text, const std::string& source, char delimiter) {
  CsvReader reader(text, delimiter == 0 ? detect_csv_delimiter(text, source) : delimiter, source);
  std::vector<CsvRecord> records;
  for (CsvRecord record; reader.next(record);) records.push_back(record);
  return records;
}

std::string csv_field(std::string_view text, char delimiter) {
  if (text.find_first_of(std::string{delimiter, '"', '\n', '\r'}) == std::string_view::npos) return std::string(text);
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

CsvWriter& CsvWriter::row(const std::vector<std::string>& fields) {
  for (std::size_t k = 0; k < fields.size(); ++k) {
    if (k > 0) text_ += delimiter_;
    text_ += csv_field(fields[k], delimiter_);
  }
  text_ += '\n';
  return *this;
}

}  // namespace bpnn
