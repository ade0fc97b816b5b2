#include "bpnn/io/text_formats.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
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

constexpr std::size_t kNone = static_cast<std::size_t>(-1);

// The column that spec names: a header name (exactly, else in any case), or a 0-based index;
// kNone when there is none. Throws Error for an index beyond the file's columns.
std::size_t lookup_column(const std::string& spec, const std::vector<std::string>& header, std::size_t width,
                          const std::string& path, const char* role) {
  for (std::size_t k = 0; k < header.size(); ++k) {
    if (header[k] == spec) return k;
  }
  if (!spec.empty() && spec.size() < 10 &&
      std::all_of(spec.begin(), spec.end(), [](char c) { return c >= '0' && c <= '9'; })) {
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
  return kNone;
}

std::string name_list(const std::vector<std::string>& names) {
  std::string list;
  for (std::size_t k = 0; k < names.size() && list.size() < 200; ++k) {
    list += (k ? ", " : "") + printable(names[k]);
    if (k + 1 < names.size() && list.size() >= 200) list += ", ...";
  }
  return list;
}

// lookup_column, which must find the column: otherwise an Error naming the header's columns.
std::size_t find_column(const std::string& spec, const std::vector<std::string>& header, std::size_t width,
                        const std::string& path, const char* role) {
  const std::size_t k = lookup_column(spec, header, width, path, role);
  if (k != kNone) return k;
  if (header.empty()) {
    throw Error(path + ": no column named '" + printable(spec) + "' for the " + role +
                ": the file has no header; give a 0-based column index");
  }
  throw Error(path + ": no column named '" + printable(spec) + "' for the " + role + "; the header has " +
              name_list(header));
}

// Sorts class names as scikit-learn's LabelEncoder does: numbers numerically first, then text.
bool class_name_less(const std::string& a, const std::string& b) {
  double x = 0, y = 0;
  const bool a_number = parse_number(a, x), b_number = parse_number(b, y);
  if (a_number != b_number) return a_number;
  if (a_number && x != y) return x < y;
  return a < b;
}

// How a CSV text is laid out: its delimiter, its first two records and whether the first is a
// header, and which column is what (an input and its place, a target and its place, the label, or
// left out).
struct CsvLayout {
  char delimiter = ',';
  bool decimal_comma = false;  // ';'-separated: "2,5" is 2.5
  CsvRecord first, second;
  bool has_second = false;
  bool header = false;
  bool inputs_only = false;
  std::size_t width = 0;
  std::vector<std::string> names;           // the header's, or none
  std::vector<bool> dropped;                // column -> left out by CsvOptions::drop
  std::vector<std::size_t> input_of;        // column -> its place among the inputs, or kNone
  std::vector<std::size_t> target_of;       // column -> its place among the targets, or kNone
  std::vector<std::size_t> target_columns;  // the target columns (or the label), in target order
  std::size_t inputs = 0;
  std::size_t label = kNone;

  // A column as the options name it: "column 'width' (index 1)", or "column index 1" without a header.
  std::string column(std::size_t k) const {
    const std::string index = "index " + std::to_string(k);
    if (k < names.size() && !names[k].empty()) return "column '" + printable(names[k]) + "' (" + index + ")";
    return "column " + index;
  }
  // What an option takes to name column k: its header name, else its index.
  std::string spec(std::size_t k) const {
    return k < names.size() && !names[k].empty() ? printable(names[k]) : std::to_string(k);
  }
  bool used(std::size_t k) const { return k == label || input_of[k] != kNone || target_of[k] != kNone; }
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
  const bool regression = options.target_columns > 0 || !options.targets.empty();
  if (regression && !options.label.empty()) {
    throw Error(path + ": regression target columns and a class label column (or none) are exclusive; give one");
  }
  return delimiter;
}

// Whether a field is text: not a number and not a missing value's mark.
bool is_text(std::string_view field, bool decimal_comma) {
  double v = 0;
  field = trim(field);
  return !is_missing(field) && !parse_number(field, v, decimal_comma);
}

// Whether the first record is a header: text over a number below it marks one (a first line of
// data with string labels has its text over more text), and so does a column asked for by name.
bool detect_header(const CsvLayout& l, const CsvOptions& options) {
  if (options.header != CsvHeader::auto_detect) return options.header == CsvHeader::yes;
  auto asked = [&](std::string_view field) {
    for (const auto* names : {&options.targets, &options.drop, &options.feature_names, &options.target_names}) {
      if (std::find(names->begin(), names->end(), field) != names->end()) return true;
    }
    return field == options.label;
  };
  for (std::size_t k = 0; k < l.width; ++k) {
    const std::string_view field = trim(l.first.fields[k]);
    if (!is_text(field, l.decimal_comma)) continue;
    if (!l.has_second || (k < l.second.fields.size() && !is_missing(trim(l.second.fields[k])) &&
                          !is_text(l.second.fields[k], l.decimal_comma))) {
      return true;
    }
    if (asked(field)) return true;
  }
  return false;
}

// The label column: as asked, else the one named label, class, target or y; in a file without a
// header its one column of text (in the first two records) if it has exactly one; else the first
// column. Columns already
// taken (dropped, or the model's inputs) are none of these.
std::size_t label_column(const CsvLayout& l, const CsvOptions& options, const std::string& path,
                         const std::vector<bool>& taken) {
  if (!options.label.empty()) return find_column(options.label, l.names, l.width, path, "label");
  for (std::size_t k = 0; k < l.names.size(); ++k) {
    for (const char* name : {"label", "class", "target", "y"}) {
      if (!taken[k] && iequals(l.names[k], name)) return k;
    }
  }
  std::vector<std::size_t> text, kept;
  for (std::size_t k = 0; k < l.width; ++k) {
    if (taken[k]) continue;
    kept.push_back(k);
    // Text in the first two records: a column of names, not one stray word.
    const bool second = !l.has_second || (k < l.second.fields.size() && is_text(l.second.fields[k], l.decimal_comma));
    if (!l.header && is_text(l.first.fields[k], l.decimal_comma) && second) text.push_back(k);
  }
  if (text.size() == 1) return text[0];
  return kept.empty() ? 0 : kept[0];
}

// The target columns (or the label) as the options say, among the columns not yet taken (by
// position, the inputs are among them too).
void targets_by_options(CsvLayout& l, const CsvOptions& options, const std::string& path,
                        const std::vector<bool>& taken, bool by_position) {
  std::vector<std::size_t> free;
  for (std::size_t k = 0; k < l.width; ++k) {
    if (!taken[k]) free.push_back(k);
  }
  if (options.target_columns > 0) {
    if (free.size() < options.target_columns + (by_position ? 1 : 0)) {
      throw Error(path + ": rows have " + std::to_string(free.size()) + " columns" +
                  (free.size() < l.width ? " not left out" : "") + ", leaving no inputs beside " +
                  std::to_string(options.target_columns) + " target column(s)");
    }
    l.target_columns.assign(free.end() - static_cast<std::ptrdiff_t>(options.target_columns), free.end());
  } else if (!options.targets.empty()) {
    for (const std::string& spec : options.targets) {
      const std::size_t k = find_column(spec, l.names, l.width, path, "target");
      if (std::find(l.target_columns.begin(), l.target_columns.end(), k) != l.target_columns.end()) {
        throw Error(path + ": " + l.column(k) + " is named twice among the targets");
      }
      l.target_columns.push_back(k);
    }
  } else {
    l.label = label_column(l, options, path, taken);
    l.target_columns.push_back(l.label);
  }
  for (const std::size_t k : l.target_columns) {
    if (taken[k]) {
      throw Error(path + ": " + l.column(k) + " cannot be " + (l.label == k ? "the label" : "a target") + ": it is " +
                  (l.dropped[k] ? "left out (drop)" : "one of the model's inputs"));
    }
  }
}

// Columns by position: the targets as the options say, every other column not dropped an input, in
// file order.
void assign_by_position(CsvLayout& l, const CsvOptions& options, const std::string& path) {
  if (!l.inputs_only) targets_by_options(l, options, path, l.dropped, true);
  for (std::size_t t = 0; t < l.target_columns.size(); ++t) l.target_of[l.target_columns[t]] = t;
  for (std::size_t k = 0; k < l.width; ++k) {
    if (!l.dropped[k] && l.target_of[k] == kNone) l.input_of[k] = l.inputs++;
  }
  if (l.inputs == 0) {
    throw Error(path + ": rows have " + std::to_string(l.width) + " columns, leaving no inputs beside " +
                std::to_string(l.target_columns.size()) + " target column(s)" +
                (std::count(l.dropped.begin(), l.dropped.end(), true) > 0 ? " and those left out" : ""));
  }
}

// Columns by name (a model's feature_names over a file with a header): the inputs in the model's
// order, the targets by the model's target names; anything else must be left out (drop), else the
// header does not match.
void assign_by_name(CsvLayout& l, const CsvOptions& options, const std::string& path) {
  for (std::size_t k = 0; k < l.width; ++k) {
    for (std::size_t j = 0; j < k; ++j) {
      if (!l.names[k].empty() && l.names[k] == l.names[j]) {
        throw Error(path + ": columns index " + std::to_string(j) + " and " + std::to_string(k) + " are both named '" +
                    printable(l.names[k]) + "'; rename one, so that each column is read by its name");
      }
    }
  }
  std::vector<bool> taken = l.dropped;
  std::vector<std::string> missing, unseen, absent_targets;
  l.inputs = options.feature_names.size();
  for (std::size_t i = 0; i < l.inputs; ++i) {
    const auto at = std::find(l.names.begin(), l.names.end(), options.feature_names[i]);
    if (at == l.names.end()) {
      missing.push_back(options.feature_names[i]);
      continue;
    }
    const auto k = static_cast<std::size_t>(at - l.names.begin());
    l.input_of[k] = i;
    taken[k] = true;
  }
  // The label or targets, by the model's names (or as an option given now says); read alone, the
  // inputs leave them out where the file has them.
  std::vector<std::string> target_specs = options.target_names;
  if (target_specs.empty()) {
    target_specs = options.targets;
    if (!options.label.empty() && options.label != "none") target_specs.push_back(options.label);
  }
  if (l.inputs_only || options.target_names.empty()) {
    for (const std::string& spec : target_specs) {
      const std::size_t k = lookup_column(spec, l.names, l.width, path, "target");
      if (k != kNone && l.inputs_only) taken[k] = true;
    }
    if (!l.inputs_only) targets_by_options(l, options, path, taken, false);
  } else {
    for (const std::string& name : options.target_names) {
      const std::size_t k = lookup_column(name, l.names, l.width, path, "target");
      if (k == kNone) absent_targets.push_back(name);
      if (k != kNone) l.target_columns.push_back(k);
    }
    if (options.target_columns == 0 && options.targets.empty() && absent_targets.empty()) l.label = l.target_columns[0];
  }
  for (std::size_t t = 0; t < l.target_columns.size(); ++t) {
    l.target_of[l.target_columns[t]] = t;
    taken[l.target_columns[t]] = true;
  }
  for (std::size_t k = 0; k < l.width; ++k) {
    if (!taken[k]) unseen.push_back(l.names[k]);
  }
  if (missing.empty() && unseen.empty() && absent_targets.empty()) return;
  if (missing.empty() && unseen.empty()) {
    const bool labels = options.target_columns == 0 && options.targets.empty();
    find_column(absent_targets[0], l.names, l.width, path, labels ? "label" : "target");  // throws, naming the header
  }
  std::string why = path + ": the header does not match the columns the model was trained on: ";
  if (!unseen.empty()) why += "feature names unseen at training: " + name_list(unseen);
  if (!missing.empty()) {
    why += std::string(unseen.empty() ? "" : "; ") + "seen at training, yet now missing: " + name_list(missing);
  }
  why += " (the model's inputs, in its order: " + name_list(options.feature_names) + ")";
  if (!unseen.empty()) why += "; a column the model does not use can be left out with --drop NAME";
  if (!absent_targets.empty()) {
    const bool labels = options.target_columns == 0 && options.targets.empty();
    why += std::string("; ") + (labels ? "the label column " : "the target columns ") + name_list(absent_targets) +
           (labels ? " is" : " are") + " missing too";
  }
  throw Error(why);
}

// Which column is what, from the options: by name when a model's feature names meet a header, else
// by position.
void assign_columns(CsvLayout& l, const CsvOptions& options, const std::string& path) {
  l.dropped.assign(l.width, false);
  l.input_of.assign(l.width, kNone);
  l.target_of.assign(l.width, kNone);
  // A model whose training header named two columns alike reads later files by position, as it read
  // its own.
  std::vector<std::string> model_names = options.feature_names;
  model_names.insert(model_names.end(), options.target_names.begin(), options.target_names.end());
  std::sort(model_names.begin(), model_names.end());
  const bool distinct = std::adjacent_find(model_names.begin(), model_names.end()) == model_names.end();
  const bool by_name = l.header && !options.feature_names.empty() && distinct;
  for (const std::string& spec : options.drop) {
    // Matched by name, a file without the column to leave out is fine (new data without its IDs).
    const std::size_t k = by_name ? lookup_column(spec, l.names, l.width, path, "dropped")
                                  : find_column(spec, l.names, l.width, path, "dropped");
    if (k != kNone) l.dropped[k] = true;
  }
  by_name ? assign_by_name(l, options, path) : assign_by_position(l, options, path);
}

// The values of the rows as read: inputs and targets row by row (in their places), the labels as
// written with their lines.
struct CsvRows {
  std::vector<float> inputs, targets;
  std::vector<std::string> labels;
  std::vector<std::size_t> lines;
  std::size_t count = 0;
};

void add_row(const CsvLayout& l, const CsvRecord& r, const std::string& path, CsvRows& rows) {
  if (r.fields.size() != l.width) {
    throw Error(where(path, r.line) + "has " + std::to_string(r.fields.size()) + " columns, " +
                (l.header && rows.count == 0 ? "the header has " : "earlier rows have ") + std::to_string(l.width));
  }
  const std::size_t value_targets = l.label == kNone ? l.target_columns.size() : 0;
  const std::size_t input_at = rows.inputs.size(), target_at = rows.targets.size();
  rows.inputs.resize(input_at + l.inputs);
  rows.targets.resize(target_at + value_targets);
  for (std::size_t k = 0; k < l.width; ++k) {
    if (!l.used(k)) continue;
    const std::string_view field = trim(r.fields[k]);
    if (is_missing(field)) {
      throw Error(where(path, r.line) + l.column(k) + " has no value (" +
                  (field.empty() ? "empty" : "'" + std::string(field) + "'") +
                  "); every value must be given: fill it in or drop the row");
    }
    if (k == l.label) {
      rows.lines.push_back(r.line);
      rows.labels.emplace_back(field);
      continue;
    }
    double v = 0;
    if (!parse_number(field, v, l.decimal_comma)) {
      const std::string hint = l.inputs_only || l.target_of[k] != kNone
                                   ? ""
                                   : "; if it holds the class labels, make it the label column (--label " + l.spec(k) +
                                         "); to leave it out, --drop " + l.spec(k);
      throw Error(where(path, r.line) + l.column(k) + ": '" + printable(field) + "' is not a number" + hint);
    }
    const auto value = static_cast<float>(v);
    if (!std::isfinite(value)) {
      throw Error(where(path, r.line) + l.column(k) + " is " +
                  (std::isnan(v) ? "NaN" : std::isinf(v) ? "infinite" : "beyond the range of a 32-bit float") +
                  "; every value must be a finite number");
    }
    if (l.input_of[k] != kNone) {
      rows.inputs[input_at + l.input_of[k]] = value;
    } else {
      rows.targets[target_at + l.target_of[k]] = value;
    }
  }
  ++rows.count;
}

// A label that is a whole number, as an integer's text ("1.0" and "01" are "1"); other labels as
// written.
std::string label_name(const std::string& label, bool decimal_comma) {
  double v = 0;
  if (!parse_number(label, v, decimal_comma) || !std::isfinite(v) || v != std::floor(v)) return label;
  char text[48];
  std::snprintf(text, sizeof text, "%.0f", v == 0 ? 0.0 : v);
  return text;
}

// Labels as the class ids themselves (a model's training labels were): whole numbers >= 0.
void set_class_ids(const CsvLayout& l, const CsvRows& rows, const std::string& path, Dataset& d) {
  constexpr double kLargest = 16777215;  // the largest id a float target holds exactly (2^24 - 1)
  for (std::size_t n = 0; n < rows.count; ++n) {
    double v = 0;
    const bool number = parse_number(rows.labels[n], v, l.decimal_comma);
    if (!number || !std::isfinite(v) || v != std::floor(v) || v < 0 || v > kLargest) {
      throw Error(where(path, rows.lines[n]) + "class label '" + printable(rows.labels[n]) + "' in " +
                  l.column(l.label) + " is not a class id: the model's classes are the whole numbers 0, 1, ... it was "
                  "trained on" + (number && v > kLargest ? ", and no class id is above 16777215" : ""));
    }
    d.targets[n] = static_cast<float>(v);
    d.classes = std::max(d.classes, static_cast<std::size_t>(v) + 1);
  }
}

// Labels mapped onto class names: a label is its name's index; a number matches a numeric name of
// the same value ("1.0" is the class "1").
void set_class_names(const CsvLayout& l, const CsvRows& rows, std::vector<std::string> names, const std::string& path,
                     Dataset& d) {
  std::unordered_map<std::string, std::size_t> id;
  for (std::size_t c = 0; c < names.size(); ++c) id.emplace(names[c], c);
  for (std::size_t n = 0; n < rows.count; ++n) {
    auto found = id.find(rows.labels[n]);
    if (found == id.end()) found = id.find(label_name(rows.labels[n], l.decimal_comma));
    double v = 0, w = 0;
    if (found == id.end() && parse_number(rows.labels[n], v, l.decimal_comma)) {
      for (std::size_t c = 0; c < names.size() && found == id.end(); ++c) {
        if (parse_number(names[c], w) && w == v) found = id.find(names[c]);
      }
    }
    if (found == id.end()) {
      throw Error(where(path, rows.lines[n]) + "class '" + printable(rows.labels[n]) + "' in " + l.column(l.label) +
                  " is not one of the " + std::to_string(names.size()) + " classes given (" + name_list(names) + ")");
    }
    d.targets[n] = static_cast<float>(found->second);
  }
  d.classes = names.size();
  d.class_names = std::move(names);
}

// Class ids for labels: the given classes (a training file's names, or ids); else the labels
// themselves when they are the whole numbers 0..n-1, each present; else names in sorted order.
void set_classes(const CsvLayout& l, const CsvRows& rows, const CsvOptions& options, const std::string& path,
                 Dataset& d) {
  d.targets = Tensor<float>(Shape{rows.count});
  if (!options.class_names.empty()) return set_class_names(l, rows, options.class_names, path, d);
  bool text = false;
  std::size_t fraction = kNone;  // the first label that is a number but not a whole one
  std::vector<std::string> names;
  std::vector<double> values;
  for (std::size_t n = 0; n < rows.count; ++n) {
    double v = 0;
    if (!parse_number(rows.labels[n], v, l.decimal_comma)) {
      text = true;
    } else if (!std::isfinite(v) || v != std::floor(v)) {
      if (fraction == kNone) fraction = n;
    } else {
      values.push_back(v);
    }
    names.push_back(label_name(rows.labels[n], l.decimal_comma));
  }
  if (options.class_ids && !text) return set_class_ids(l, rows, path, d);
  if (!text && fraction != kNone) {
    throw Error(where(path, rows.lines[fraction]) + "class label '" + printable(rows.labels[fraction]) + "' in " +
                l.column(l.label) + " is not a whole number: class labels are whole numbers or names (for regression " +
                "targets use --target-cols K or --target-columns NAMES; to pick another label column, --label)");
  }
  std::sort(names.begin(), names.end(), class_name_less);
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  const bool ids = !text && !values.empty() && values.front() == 0 &&
                   values.back() == static_cast<double>(values.size() - 1);
  if (!ids) return set_class_names(l, rows, std::move(names), path, d);
  for (std::size_t n = 0; n < rows.count; ++n) {
    double v = 0;
    parse_number(rows.labels[n], v, l.decimal_comma);
    d.targets[n] = static_cast<float>(v);
  }
  d.classes = values.size();
}

}  // namespace

Dataset parse_csv(std::string_view text, const std::string& path, const CsvOptions& options) {
  text = strip_bom(text);
  CsvLayout l;
  l.delimiter = checked_delimiter(text, path, options);
  l.decimal_comma = l.delimiter == ';';
  l.inputs_only = options.no_labels || options.label == "none";
  CsvReader reader(text, l.delimiter, path);
  if (!reader.next(l.first)) throw Error(path + ": no samples (the file is empty)");
  l.has_second = reader.next(l.second);
  l.width = l.first.fields.size();
  l.header = detect_header(l, options);
  if (l.header) {
    for (const std::string& f : l.first.fields) l.names.emplace_back(trim(f));
  }
  assign_columns(l, options, path);

  CsvRows rows;
  if (!l.header) add_row(l, l.first, path, rows);
  if (l.has_second) {
    add_row(l, l.second, path, rows);
    for (CsvRecord r; reader.next(r);) add_row(l, r, path, rows);
  }
  if (rows.count == 0) throw Error(path + ": no samples (the file holds only a header)");

  Dataset d;
  d.source = path;
  d.inputs = Tensor<float>(Shape{rows.count, l.inputs}, std::move(rows.inputs));
  if (l.header) {
    d.feature_names.resize(l.inputs);
    for (std::size_t k = 0; k < l.width; ++k) {
      if (l.input_of[k] != kNone) d.feature_names[l.input_of[k]] = l.names[k];
      if (l.dropped[k]) d.dropped_names.push_back(l.names[k]);
    }
    for (const std::size_t k : l.target_columns) d.target_names.push_back(l.names[k]);
  }
  if (l.inputs_only) {
    d.targets = Tensor<float>(Shape{rows.count, 0});
  } else if (l.label == kNone) {
    d.targets = Tensor<float>(Shape{rows.count, l.target_columns.size()}, std::move(rows.targets));
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
  return !token.empty() && token.size() <= 12 &&
         std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; });
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
      throw Error(where(path, at) + "the FANN header's " + names[k] + " '" + printable(token) +
                  "' is not a valid count");
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
