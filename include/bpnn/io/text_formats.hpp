// Data in text: CSV as people have it (a header or not, `,` `;` or tab, quoted fields, string class
// labels) and FANN's training files ("pairs inputs outputs", then the values).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "bpnn/data/dataset.hpp"

namespace bpnn {

enum class CsvHeader {
  auto_detect,  // a header when a field of the first line is text over a number in the next line, or
                // is the name of the label or a target column asked for
  yes,          // the first line is a header, whatever it holds
  no,           // the first line is data
};

struct CsvOptions {
  // 0: classification, one label column (see label). K > 0: regression, the last K columns are the
  // targets and the others the inputs.
  std::size_t target_columns = 0;
  // Classification: the label column. Empty: the column named label, class, target or y (any
  // case) if the header has one, else the first column. Otherwise a header name, or a 0-based
  // column index written as a number ("4"). "none": no labels, as no_labels.
  std::string label = "";
  // Regression by name: these columns (header names or 0-based indices) are the targets, in this
  // order; instead of target_columns.
  std::vector<std::string> targets = {};
  // Inputs only (for predicting on new data): every column is an input; targets are [N, 0].
  bool no_labels = false;
  CsvHeader header = CsvHeader::auto_detect;
  // ',', ';' or '\t'; 0: the one of these that splits the first two lines into the most fields,
  // the same number in both.
  char delimiter = 0;
  // The classes to map labels onto (a training file's Dataset::class_names, so that a test file
  // numbers its classes the same way); a label not among them is an error. Empty: found from the
  // file.
  std::vector<std::string> class_names = {};
};

// One sample per record (RFC 4180: quoted fields may hold the delimiter, "" and line breaks; a
// UTF-8 byte order mark is skipped, CRLF and blank lines are accepted). In a ';'-separated file a
// decimal comma is accepted ("2,5" is 2.5).
// Class labels that are whole numbers >= 0 are the class ids themselves (class_names empty); if
// any label is not a number, the labels are class names, numbered in sorted order (numbers
// numerically first, then text bytewise, as scikit-learn's LabelEncoder) unless
// options.class_names gives the classes. Errors name the file, the line and the column (by its
// header name where there is one): ragged rows, non-numbers, missing values ("", NA, ?), NaN or
// infinity, negative or fractional numeric labels, unknown columns or classes, no samples.
Dataset read_csv(const std::string& path, const CsvOptions& options = {});
// read_csv on text already in memory; source names it in messages.
Dataset parse_csv(std::string_view text, const std::string& source, const CsvOptions& options = {});

// FANN training data: "pairs inputs outputs" first, then for each pair its inputs and its outputs
// (whitespace-separated; FANN writes them on alternating lines). Targets [N, outputs].
Dataset read_fann(const std::string& path);
Dataset parse_fann(std::string_view text, const std::string& source);

// True when text looks like FANN training data: its first non-blank line is exactly three whole
// numbers >= 0 separated by spaces; or by tabs too, if the rest then holds pairs × (inputs +
// outputs) values (a tab-separated CSV of three numbers would not).
bool looks_like_fann(std::string_view text);

}  // namespace bpnn
