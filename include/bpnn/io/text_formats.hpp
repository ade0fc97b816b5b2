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
  // 0: classification, one label column (see label). K > 0: regression, the last K columns (of
  // those not dropped) are the targets and the others the inputs.
  std::size_t target_columns = 0;
  // Classification: the label column. Empty: the column named label, class, target or y (any
  // case) if the header has one; in a file without a header, its one column of text (in the first
  // two records) if it has exactly one; else the first column. Otherwise a header name, or a 0-based column
  // index written as a number ("4"). "none": no labels, as no_labels.
  std::string label = "";
  // Regression by name: these columns (header names or 0-based indices) are the targets, in this
  // order; instead of target_columns.
  std::vector<std::string> targets = {};
  // Columns left out, neither inputs nor targets (an ID column): header names or 0-based indices.
  // When columns are matched by name (feature_names), a name the file does not have is no error.
  std::vector<std::string> drop = {};
  // Inputs only (for predicting on new data): targets are [N, 0]. Without feature_names every
  // column not dropped is an input; with them, the label or target columns are left out where the
  // file has them.
  bool no_labels = false;
  // The input columns a model was trained on, by header name, in the model's order, and its label or
  // target columns (a model's DataRecipe::feature_names and target_names). A file with a header is
  // then read by name: its inputs are put in this order whatever the file's order, the targets are
  // the columns of target_names (when given; else as label and targets say), and a name it lacks,
  // or a column that is none of these and not dropped, is an Error listing both, as scikit-learn's
  // "feature names unseen at fit time / seen at fit time, yet now missing". A file without a header
  // is read by position, and so is every file when these names are not all distinct. Empty: every
  // column not a target or dropped is an input, in file order.
  std::vector<std::string> feature_names = {};
  std::vector<std::string> target_names = {};
  CsvHeader header = CsvHeader::auto_detect;
  // ',', ';' or '\t'; 0: the one of these that splits the first two lines into the most fields,
  // the same number in both.
  char delimiter = 0;
  // The classes to map labels onto (a training file's Dataset::class_names, so that a test file
  // numbers its classes the same way); a label not among them is an error. Empty: found from the
  // file (see read_csv), or with class_ids the labels are the class ids themselves.
  std::vector<std::string> class_names = {};
  // Whole-number labels are the class ids themselves, whatever classes the file holds (a model's
  // training labels were ids, so a later file that lacks some classes keeps them); a label that is
  // a number but no id (-1, 1.5) is an error. Labels with text are still names.
  bool class_ids = false;
};

// One sample per record (RFC 4180: quoted fields may hold the delimiter, "" and line breaks; a
// UTF-8 byte order mark is skipped, CRLF and blank lines are accepted). In a ';'-separated file a
// decimal comma is accepted ("2,5" is 2.5).
// Class labels: when they are whole numbers 0..n-1 (every one of them present), they are the class
// ids themselves (class_names empty). Otherwise — names ("setosa"), whole numbers counted from 1
// (UCI's wine) or with gaps — the distinct labels are class names, numbered in sorted order
// (numbers numerically first, then text bytewise, as scikit-learn's LabelEncoder); whole-number
// names are written as integers ("1.0" is the class "1"). options.class_names or class_ids
// decide instead where given. Errors name the file, the line and the column as the options do
// (its header name where there is one, else its 0-based index): ragged rows, non-numbers, missing
// values ("", NA, ?), NaN or infinity, fractional numeric labels, unknown columns or classes,
// columns that do not match the feature names, no samples.
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
