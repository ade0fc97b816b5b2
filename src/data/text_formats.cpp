#include "bpnn/data/text_formats.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "bpnn/core/error.hpp"
#include "bpnn/core/file.hpp"

namespace bpnn {
namespace {

// Parses a whole field as a finite number (surrounding blanks allowed); false if it is not one.
bool parse_number(std::string_view field, double& value) {
  while (!field.empty() && std::isspace(static_cast<unsigned char>(field.front()))) field.remove_prefix(1);
  while (!field.empty() && std::isspace(static_cast<unsigned char>(field.back()))) field.remove_suffix(1);
  if (field.empty()) return false;
  const std::string text(field);
  char* end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}

std::vector<std::string_view> split(std::string_view line, char separator) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= line.size(); ++i) {
    if (i == line.size() || line[i] == separator) {
      fields.push_back(line.substr(start, i - start));
      start = i + 1;
    }
  }
  return fields;
}

std::string where(const std::string& path, std::size_t line) { return path + ":" + std::to_string(line) + ": "; }

void check_finite(double v, const std::string& path, std::size_t line, std::size_t column) {
  if (!std::isfinite(v)) {
    throw Error(where(path, line) + "column " + std::to_string(column) + " is " + (std::isnan(v) ? "NaN" : "infinite") +
                "; every value must be a finite number");
  }
}

}  // namespace

Dataset read_csv(const std::string& path, const CsvOptions& options) {
  const std::string text = read_file(path);
  std::vector<double> values;  // row-major, `width` per row
  std::size_t width = 0, rows = 0, first_line = 0;
  std::size_t line_number = 0, start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    start = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;  // blank lines
    const std::vector<std::string_view> fields = split(line, ',');
    std::vector<double> row(fields.size());
    bool numeric = true;
    for (std::size_t k = 0; k < fields.size() && numeric; ++k) numeric = parse_number(fields[k], row[k]);
    if (!numeric) {
      if (rows == 0 && first_line == 0) {  // the first non-blank line may be a header
        first_line = line_number;
        continue;
      }
      for (std::size_t k = 0; k < fields.size(); ++k) {
        double ignored = 0;
        if (!parse_number(fields[k], ignored)) {
          throw Error(where(path, line_number) + "column " + std::to_string(k + 1) + " ('" + std::string(fields[k]) +
                      "') is not a number");
        }
      }
    }
    if (rows == 0) width = row.size();
    if (row.size() != width) {
      throw Error(where(path, line_number) + "has " + std::to_string(row.size()) + " columns, earlier rows have " +
                  std::to_string(width));
    }
    for (std::size_t k = 0; k < row.size(); ++k) check_finite(row[k], path, line_number, k + 1);
    if (options.target_columns == 0) {
      const double label = row[0];
      if (label < 0 || label != std::floor(label) || label > 1e6) {
        throw Error(where(path, line_number) + "class label '" + std::string(fields[0]) +
                    "' in column 1 is not a whole number >= 0 (for regression targets use --target-cols)");
      }
    }
    values.insert(values.end(), row.begin(), row.end());
    ++rows;
  }
  if (rows == 0) throw Error(path + ": no samples (the file is empty or holds only a header)");
  const std::size_t targets = options.target_columns == 0 ? 1 : options.target_columns;
  if (width <= targets) {
    throw Error(path + ": rows have " + std::to_string(width) + " columns, leaving no inputs beside " +
                std::to_string(targets) + " target column(s)");
  }
  Dataset d;
  d.source = path;
  const std::size_t inputs = width - targets;
  d.inputs = Tensor<float>(Shape{rows, inputs});
  d.targets = options.target_columns == 0 ? Tensor<float>(Shape{rows}) : Tensor<float>(Shape{rows, targets});
  for (std::size_t n = 0; n < rows; ++n) {
    const double* row = values.data() + n * width;
    if (options.target_columns == 0) {
      d.targets[n] = static_cast<float>(row[0]);
      d.classes = std::max(d.classes, static_cast<std::size_t>(row[0]) + 1);
      for (std::size_t k = 0; k < inputs; ++k) d.inputs(n, k) = static_cast<float>(row[1 + k]);
    } else {
      for (std::size_t k = 0; k < inputs; ++k) d.inputs(n, k) = static_cast<float>(row[k]);
      for (std::size_t k = 0; k < targets; ++k) d.targets(n, k) = static_cast<float>(row[inputs + k]);
    }
  }
  return d;
}

Dataset read_fann(const std::string& path) {
  const std::string text = read_file(path);
  std::size_t pos = 0, line = 1;
  // The next whitespace-separated token and the line it is on; false at the end of the file.
  auto next = [&](std::string_view& token, std::size_t& token_line) {
    while (pos < text.size() && std::isspace(static_cast<unsigned char>(text[pos]))) line += text[pos++] == '\n';
    if (pos >= text.size()) return false;
    const std::size_t start = pos;
    while (pos < text.size() && !std::isspace(static_cast<unsigned char>(text[pos]))) ++pos;
    token = std::string_view(text.data() + start, pos - start);
    token_line = line;
    return true;
  };
  std::size_t header[3];
  const char* names[3] = {"number of pairs", "number of inputs", "number of outputs"};
  for (int k = 0; k < 3; ++k) {
    std::string_view token;
    std::size_t at = 0;
    double v = 0;
    if (!next(token, at)) throw Error(path + ":1: the FANN header needs 'pairs inputs outputs'; " + names[k] + " is missing");
    if (!parse_number(token, v) || v < (k == 0 ? 0 : 1) || v != std::floor(v) || v > 1e9) {
      throw Error(where(path, at) + "the FANN header's " + names[k] + " '" + std::string(token) + "' is not a valid count");
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
      if (!next(token, at)) {
        throw Error(path + ": ends early: pair " + std::to_string(n + 1) + " of " + std::to_string(N) + " lacks its " +
                    (k < I ? "input " + std::to_string(k + 1) : "output " + std::to_string(k - I + 1)));
      }
      if (!parse_number(token, v)) throw Error(where(path, at) + "'" + std::string(token) + "' is not a number");
      check_finite(v, path, at, 0);
      (k < I ? d.inputs(n, k) : d.targets(n, k - I)) = static_cast<float>(v);
    }
  }
  std::string_view extra;
  std::size_t at = 0;
  if (next(extra, at)) {
    throw Error(where(path, at) + "more values than the header's " + std::to_string(N) + " pairs of " +
                std::to_string(I) + " inputs and " + std::to_string(O) + " outputs");
  }
  return d;
}

}  // namespace bpnn
