// CSV, the one reader and the one writer every part of bpnn uses (data files, training logs, the
// playground's pasted points, predictions, exported data sets): RFC 4180 quoting, one delimiter
// per text, records numbered by the line they start on so that errors can name it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace bpnn {

struct CsvRecord {
  std::size_t line = 0;  // 1-based: the line the record starts on
  std::vector<std::string> fields;  // unquoted; unquoted fields are trimmed of blanks
};

// Reads the records of CSV text one after another, skipping blank lines. Quoted fields may hold
// the delimiter, "" (a quote) and line breaks.
class CsvReader {
 public:
  // Keeps text and source (the name messages give) by reference: both must outlive the reader.
  CsvReader(std::string_view text, char delimiter, const std::string& source)
      : text_(text), delimiter_(delimiter), source_(source) {}

  // The next record; false at the end of the text. Throws Error naming the source, line and field
  // for a quoted field that is not closed or is followed by more text.
  bool next(CsvRecord& record);

 private:
  // Reads one field starting at p into field, returning the position after it.
  std::size_t read_field(std::size_t p, std::size_t index, std::string& field);

  std::string_view text_;
  char delimiter_;
  const std::string& source_;
  std::size_t pos_ = 0, line_ = 1;
};

// Of ',', ';' and tab, the delimiter that splits the first two records into the most fields, the
// same number in each; ',' when none splits them.
char detect_csv_delimiter(std::string_view text, const std::string& source);

// Every record of text (a delimiter of 0: detect_csv_delimiter's).
std::vector<CsvRecord> read_csv_records(std::string_view text, const std::string& source, char delimiter = ',');

// CSV text built row by row: fields holding the delimiter, a quote or a line break are quoted.
class CsvWriter {
 public:
  explicit CsvWriter(char delimiter = ',') : delimiter_(delimiter) {}
  CsvWriter& row(const std::vector<std::string>& fields);
  const std::string& text() const { return text_; }

 private:
  char delimiter_;
  std::string text_;
};

// One field as CSV writes it (quoted only when it must be).
std::string csv_field(std::string_view text, char delimiter = ',');

}  // namespace bpnn
