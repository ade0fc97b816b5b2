#include "bpnn/io/text_formats.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "bpnn/core/error.hpp"
#include "bpnn/core/file.hpp"
#include "bpnn/io/csv.hpp"

namespace bpnn {
namespace {

std::string_view trim(std::string_view field) {
  while (!field.empty() && std::isspace(static_cast<unsigned char>(field.front()))) field.remove_prefix(1);
  while (!field.empty() && std::isspace(static_cast<unsigned char>(field.back()))) field.remove_suffix(1);
  return field;
}

// Parses a whole field as a number (surrounding blanks allowed); false if it is not one. With
// decimal_comma (files separated by ';', as spreadsheets in many locales write them), "2,5" is 2.5.
bool parse_number(std::string_view field, double& value, bool decimal_comma = false) {
  field = trim(field);
  if (field.empty()) return false;
  // The common case without a copy; strtod below takes what from_chars does not ("+1", hex).
  if (const auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), value);
      error == std::errc() && end == field.data() + field.size()) {
    return true;
  }
  std::string text(field);
  if (const std::size_t comma = text.find(','); decimal_comma && comma != std::string::npos) {
    if (text.find(',', comma + 1) != std::string::npos || text.find('.') != std::string::npos) return false;
    text[comma] = '.';
  }
  char* end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}

// The marks spreadsheets and R leave for a value that is not there.
bool is_missing(std::string_view trimmed) { return trimmed.empty() || trimmed == "NA" || trimmed == "?"; }

std::string where(const std::string& path, std::size_t line) { return path + ":" + std::to_string(line) + ": "; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view strip_bom(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  return text;
}

// The column that spec names: a header name (exactly, else in any case), or a 0-based index.
std::size_t find_column(const std::string& spec, const std::vector<std::string>& header, std::size_t width,
                        const std::string& path, const char* role) {
  for (std::size_t k = 0; k < header.size(); ++k) {
    if (header[k] == spec) return k;
  }
  if (!spec.empty() && spec.size() < 10 && std::all_of(spec.begin(), spec.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    const std::size_t index = std::stoul(spec);
    if (index >= width) {
      throw Error(path + ": the " + role + " column index " + spec + " is beyond the file's " + std::to_string(width) +
                  " columns (0-based: 0.." + std::to_string(width - 1) + ")");
    }
    return index;
  }
  for (std::size_t k = 0; k < header.size(); ++k) {
    if (iequals(header[k], spec)) return k;
  }
  if (header.empty()) {
    throw Error(path + ": no column named '" + printable(spec) + "' for the " + role +
                ": the file has no header; give a 0-based column index");
  }
  std::string names;
  for (std::size_t k = 0; k < header.size() && names.size() < 200; ++k) names += (k ? ", " : "") + printable(header[k]);
  throw Error(path + ": no column named '" + printable(spec) + "' for the " + role + "; the header has " + names);
}

// Sorts class names as scikit-learn's LabelEncoder does: numbers numerically first, then text.
bool class_name_less(const std::string& a, const std::string& b) {
  double x = 0, y = 0;
  const bool a_number = parse_number(a, x), b_number = parse_number(b, y);
  if (a_number != b_number) return a_number;
  if (a_number && x != y) return x < y;
  return a < b;
}

constexpr std::size_t kInput = static_cast<std::size_t>(-1);

// How a CSV text is laid out: its delimiter, its first two records and whether the first is a
// header, and which column is what (the label, the targets in order, the inputs in file order).
struct CsvLayout {
  char delimiter = ',';
  bool decimal_comma = false;  // ';'-separated: "2,5" is 2.5
  CsvRecord first, second;
  bool has_second = false;
  bool header = false;
  std::size_t width = 0;
  std::vector<std::string> names;        // the header's, or none
  std::vector<std::size_t> target_of;    // column -> its place among the targets, or kInput
  std::vector<std::size_t> target_columns;
  std::size_t label = kInput;

  // "column 3 (petal_length)": a column as messages name it.
  std::string column(std::size_t k) const {
    std::string s = "column " + std::to_string(k + 1);
    if (k < names.size() && !names[k].empty()) s += " (" + printable(names[k]) + ")";
    return s;
  }
};

char checked_delimiter(std::string_view text, const std::string& path, const CsvOptions& options) {
  if (text.substr(0, 2) == "\xFF\xFE" || text.substr(0, 2) == "\xFE\xFF") {
    throw Error(path + ": is UTF-16 text; save it as UTF-8 (or plain ASCII) CSV");
  }
  const char delimiter = options.delimiter != 0 ? options.delimiter : detect_csv_delimiter(text, path);
  if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
    throw Error(path + ": '" + printable(std::string_view(&delimiter, 1)) + "' cannot be a CSV delimiter");
  }
  if (options.target_columns > 0 && !options.targets.empty()) {
    throw Error(path + ": give the target columns by count or by name, not both");
  }
  const bool inputs_only = options.no_labels || options.label == "none";
  const bool regression = options.target_columns > 0 || !options.targets.empty();
  if (regression && (inputs_only || !options.label.empty())) {
    throw Error(path + ": regression target columns and a class label column (or none) are exclusive; give one");
  }
  return delimiter;
}

// Whether the first record is a header: text over a number below it marks one (a first line of
// data with string labels has its text over more text), and so does a column asked for by name.
bool detect_header(const CsvLayout& l, const CsvOptions& options) {
  if (options.header != CsvHeader::auto_detect) return options.header == CsvHeader::yes;
  for (std::size_t k = 0; k < l.width; ++k) {
    double v = 0;
    const std::string_view field = trim(l.first.fields[k]);
    const bool text_field = !is_missing(field) && !parse_number(field, v, l.decimal_comma);
    if (text_field && (!l.has_second || (k < l.second.fields.size() &&
                                         parse_number(l.second.fields[k], v, l.decimal_comma)))) {
      return true;
    }
    const auto& targets = options.targets;
    if (text_field && (field == options.label || std::find(targets.begin(), targets.end(), field) != targets.end())) {
      return true;
    }
  }
  return false;
}

// The label column: as asked, else the one named label, class, target or y, else the first.
std::size_t label_column(const CsvLayout& l, const CsvOptions& options, const std::string& path) {
  if (!options.label.empty()) return find_column(options.label, l.names, l.width, path, "label");
  for (std::size_t k = 0; k < l.names.size(); ++k) {
    for (const char* name : {"label", "class", "target", "y"}) {
      if (iequals(l.names[k], name)) return k;
    }
  }
  return 0;
}

// Which column is what, from the options.
void assign_columns(CsvLayout& l, const CsvOptions& options, const std::string& path) {
  const bool inputs_only = options.no_labels || options.label == "none";
  if (options.target_columns > 0) {
    if (l.width <= options.target_columns) {
      throw Error(path + ": rows have " + std::to_string(l.width) + " columns, leaving no inputs beside " +
                  std::to_string(options.target_columns) + " target column(s)");
    }
    for (std::size_t k = l.width - options.target_columns; k < l.width; ++k) l.target_columns.push_back(k);
  } else if (!options.targets.empty()) {
    for (const std::string& spec : options.targets) {
      const std::size_t k = find_column(spec, l.names, l.width, path, "target");
      if (std::find(l.target_columns.begin(), l.target_columns.end(), k) != l.target_columns.end()) {
        throw Error(path + ": " + l.column(k) + " is named twice among the targets");
      }
      l.target_columns.push_back(k);
    }
  } else if (!inputs_only) {
    l.label = label_column(l, options, path);
    l.target_columns.push_back(l.label);
  }
  l.target_of.assign(l.width, kInput);
  for (std::size_t t = 0; t < l.target_columns.size(); ++t) l.target_of[l.target_columns[t]] = t;
  if (l.width == l.target_columns.size()) {
    throw Error(path + ": rows have " + std::to_string(l.width) + " columns, leaving no inputs beside " +
                std::to_string(l.target_columns.size()) + " target column(s)");
  }
}

// The values of the rows as read: inputs and targets row by row (targets in file order), the
// labels as written with their lines, and the first numeric label that is not a class id.
struct CsvRows {
  std::vector<float> inputs, targets;
  std::vector<std::string> labels;
  std::vector<std::size_t> lines;
  bool label_names = false;  // a label that is not a number: the labels are names
  std::string bad_label;
  std::size_t bad_label_line = 0;
  std::size_t count = 0;
};

void add_row(const CsvLayout& l, const CsvRecord& r, bool inputs_only, const std::string& path, CsvRows& rows) {
  if (r.fields.size() != l.width) {
    throw Error(where(path, r.line) + "has " + std::to_string(r.fields.size()) + " columns, " +
                (l.header && rows.count == 0 ? "the header has " : "earlier rows have ") + std::to_string(l.width));
  }
  for (std::size_t k = 0; k < l.width; ++k) {
    const std::string_view field = trim(r.fields[k]);
    if (is_missing(field)) {
      throw Error(where(path, r.line) + l.column(k) + " has no value (" +
                  (field.empty() ? "empty" : "'" + std::string(field) + "'") +
                  "); every value must be given: fill it in or drop the row");
    }
    double v = 0;
    const bool number = parse_number(field, v, l.decimal_comma);
    if (k == l.label) {
      rows.lines.push_back(r.line);
      rows.labels.emplace_back(field);
      if (!number) {
        rows.label_names = true;
      } else if (rows.bad_label.empty() && !(v >= 0 && v == std::floor(v) && v <= 1e6)) {
        rows.bad_label = field;
        rows.bad_label_line = r.line;
      }
      continue;
    }
    if (!number) {
      throw Error(where(path, r.line) + l.column(k) + ": '" + printable(field) + "' is not a number" +
                  (inputs_only ? "" : "; if this column holds the class labels, choose it as the label column"));
    }
    const auto value = static_cast<float>(v);
    if (!std::isfinite(value)) {
      throw Error(where(path, r.line) + l.column(k) + " is " +
                  (std::isnan(v) ? "NaN" : std::isinf(v) ? "infinite" : "beyond the range of a 32-bit float") +
                  "; every value must be a finite number");
    }
    (l.target_of[k] == kInput ? rows.inputs : rows.targets).push_back(value);
  }
  ++rows.count;
}

// Class ids for labels: the given classes (a training file's), else names in sorted order when any
// label is text, else the whole numbers themselves.
void set_classes(const CsvLayout& l, const CsvRows& rows, const CsvOptions& options, const std::string& path,
                 Dataset& d) {
  d.targets = Tensor<float>(Shape{rows.count});
  std::vector<std::string> names = options.class_names;
  if (names.empty() && rows.label_names) {
    names = rows.labels;
    std::sort(names.begin(), names.end(), class_name_less);
    names.erase(std::unique(names.begin(), names.end()), names.end());
  }
  if (names.empty()) {
    if (!rows.bad_label.empty()) {
      throw Error(where(path, rows.bad_label_line) + "class label '" + printable(rows.bad_label) + "' in " +
                  l.column(l.label) +
                  " is not a whole number >= 0 (for regression targets use --target-cols; to pick another label "
                  "column, --label)");
    }
    for (std::size_t n = 0; n < rows.count; ++n) {
      double v = 0;
      parse_number(rows.labels[n], v, l.decimal_comma);
      d.targets[n] = static_cast<float>(v);
      d.classes = std::max(d.classes, static_cast<std::size_t>(v) + 1);
    }
    return;
  }
  std::unordered_map<std::string, std::size_t> id;
  for (std::size_t c = 0; c < names.size(); ++c) id.emplace(names[c], c);
  for (std::size_t n = 0; n < rows.count; ++n) {
    auto found = id.find(rows.labels[n]);
    double v = 0, w = 0;
    if (found == id.end() && parse_number(rows.labels[n], v)) {  // "1.0" is the class "1"
      for (std::size_t c = 0; c < names.size() && found == id.end(); ++c) {
        if (parse_number(names[c], w) && w == v) found = id.find(names[c]);
      }
    }
    if (found == id.end()) {
      std::string known;
      for (std::size_t c = 0; c < names.size() && known.size() < 200; ++c) known += (c ? ", " : "") + printable(names[c]);
      throw Error(where(path, rows.lines[n]) + "class '" + printable(rows.labels[n]) + "' in " + l.column(l.label) +
                  " is not one of the " + std::to_string(names.size()) + " classes given (" + known + ")");
    }
    d.targets[n] = static_cast<float>(found->second);
  }
  d.classes = names.size();
  d.class_names = std::move(names);
}

}  // namespace

Dataset parse_csv(std::string_view text, const std::string& path, const CsvOptions& options) {
  text = strip_bom(text);
  CsvLayout l;
  l.delimiter = checked_delimiter(text, path, options);
  l.decimal_comma = l.delimiter == ';';
  CsvReader reader(text, l.delimiter, path);
  if (!reader.next(l.first)) throw Error(path + ": no samples (the file is empty)");
  l.has_second = reader.next(l.second);
  l.width = l.first.fields.size();
  l.header = detect_header(l, options);
  if (l.header) {
    for (const std::string& f : l.first.fields) l.names.emplace_back(trim(f));
  }
  assign_columns(l, options, path);

  const bool inputs_only = options.no_labels || options.label == "none";
  CsvRows rows;
  if (!l.header) add_row(l, l.first, inputs_only, path, rows);
  if (l.has_second) {
    add_row(l, l.second, inputs_only, path, rows);
    for (CsvRecord r; reader.next(r);) add_row(l, r, inputs_only, path, rows);
  }
  if (rows.count == 0) throw Error(path + ": no samples (the file holds only a header)");

  Dataset d;
  d.source = path;
  const std::size_t n_targets = l.target_columns.size();
  d.inputs = Tensor<float>(Shape{rows.count, l.width - n_targets}, std::move(rows.inputs));
  if (l.header) {
    for (std::size_t k = 0; k < l.width; ++k) {
      if (l.target_of[k] == kInput) d.feature_names.push_back(l.names[k]);
    }
    for (const std::size_t k : l.target_columns) d.target_names.push_back(l.names[k]);
  }
  if (inputs_only) {
    d.targets = Tensor<float>(Shape{rows.count, 0});
  } else if (l.label == kInput) {  // regression: rows hold the target columns in file order; reorder as asked
    std::vector<std::size_t> file_order(l.target_columns);
    std::sort(file_order.begin(), file_order.end());
    d.targets = Tensor<float>(Shape{rows.count, n_targets});
    for (std::size_t n = 0; n < rows.count; ++n) {
      for (std::size_t j = 0; j < n_targets; ++j) d.targets(n, l.target_of[file_order[j]]) = rows.targets[n * n_targets + j];
    }
  } else {
    set_classes(l, rows, options, path, d);
  }
  return d;
}

Dataset read_csv(const std::string& path, const CsvOptions& options) {
  return parse_csv(read_file(path, "data file"), path, options);
}

namespace {

// Whitespace-separated tokens and the line each is on.
class Tokens {
 public:
  explicit Tokens(std::string_view text) : text_(text) {}
  // The next token; false at the end of the text.
  bool next(std::string_view& token, std::size_t& token_line) {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) line_ += text_[pos_++] == '\n';
    if (pos_ >= text_.size()) return false;
    const std::size_t start = pos_;
    while (pos_ < text_.size() && !std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    token = text_.substr(start, pos_ - start);
    token_line = line_;
    return true;
  }
  std::size_t line() const { return line_; }

 private:
  std::string_view text_;
  std::size_t pos_ = 0, line_ = 1;
};

bool is_count(std::string_view token) {
  return !token.empty() && token.size() <= 12 && std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

bool looks_like_fann(std::string_view text) {
  text = strip_bom(text);
  std::size_t start = 0;
  std::string_view line;
  while (start < text.size()) {  // the first non-blank line
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    line = text.substr(start, end - start);
    start = end + 1;
    if (line.find_first_not_of(" \t\r") != std::string_view::npos) break;
    line = {};
  }
  Tokens tokens(line);
  std::string_view token;
  std::size_t at = 0, count[3] = {0, 0, 0}, n = 0;
  while (tokens.next(token, at)) {
    if (n == 3 || !is_count(token)) return false;
    count[n++] = std::stoull(std::string(token));
  }
  if (n != 3) return false;
  if (line.find('\t') == std::string_view::npos) return true;
  // Tabs: FANN only if the rest holds exactly the values promised, unlike a tab-separated CSV.
  if (count[0] > 1000000000 || count[1] + count[2] > 1000000000) return false;
  Tokens rest(text.substr(std::min(start, text.size())));
  const std::size_t promised = count[0] * (count[1] + count[2]);
  std::size_t held = 0;
  while (held <= promised && rest.next(token, at)) ++held;
  return held == promised;
}

Dataset parse_fann(std::string_view text, const std::string& path) {
  text = strip_bom(text);
  Tokens tokens(text);
  std::size_t header[3];
  const char* names[3] = {"number of pairs", "number of inputs", "number of outputs"};
  for (int k = 0; k < 3; ++k) {
    std::string_view token;
    std::size_t at = 0;
    double v = 0;
    if (!tokens.next(token, at)) {
      throw Error(path + ":1: the FANN header needs 'pairs inputs outputs'; " + names[k] + " is missing");
    }
    if (!parse_number(token, v) || v < (k == 0 ? 0 : 1) || v != std::floor(v) || v > 1e9) {
      throw Error(where(path, at) + "the FANN header's " + names[k] + " '" + printable(token) + "' is not a valid count");
    }
    header[k] = static_cast<std::size_t>(v);
  }
  const std::size_t N = header[0], I = header[1], O = header[2];
  // Each value takes at least two characters ("0 "), so a header promising more cannot be true.
  if ((I + O) > text.size() || N > text.size() / (I + O)) {
    throw Error(path + ":1: the header promises " + std::to_string(N) + " pairs of " + std::to_string(I + O) +
                " values, more than the file can hold");
  }
  Dataset d;
  d.source = path;
  d.inputs = Tensor<float>(Shape{N, I});
  d.targets = Tensor<float>(Shape{N, O});
  for (std::size_t n = 0; n < N; ++n) {
    for (std::size_t k = 0; k < I + O; ++k) {
      std::string_view token;
      std::size_t at = 0;
      double v = 0;
      if (!tokens.next(token, at)) {
        throw Error(path + ": ends early: pair " + std::to_string(n + 1) + " of " + std::to_string(N) + " lacks its " +
                    (k < I ? "input " + std::to_string(k + 1) : "output " + std::to_string(k - I + 1)));
      }
      if (!parse_number(token, v)) throw Error(where(path, at) + "'" + printable(token) + "' is not a number");
      const auto value = static_cast<float>(v);
      if (!std::isfinite(value)) {
        throw Error(where(path, at) + "a value is " +
                    (std::isnan(v) ? "NaN" : std::isinf(v) ? "infinite" : "beyond the range of a 32-bit float") +
                    "; every value must be a finite number");
      }
      (k < I ? d.inputs(n, k) : d.targets(n, k - I)) = value;
    }
  }
  std::string_view extra;
  std::size_t at = 0;
  if (tokens.next(extra, at)) {
    throw Error(where(path, at) + "more values than the header's " + std::to_string(N) + " pairs of " +
                std::to_string(I) + " inputs and " + std::to_string(O) + " outputs");
  }
  return d;
}

Dataset read_fann(const std::string& path) { return parse_fann(read_file(path, "data file"), path); }

}  // namespace bpnn
