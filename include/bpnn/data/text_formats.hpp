// Data in text: CSV (one sample per line) and FANN's .data training files.
#pragma once

#include <cstddef>
#include <string>

#include "bpnn/data/dataset.hpp"

namespace bpnn {

struct CsvOptions {
  // 0: classification, the first column is the integer class label and the rest are inputs.
  // K > 0: regression, the last K columns are the targets and the others the inputs.
  std::size_t target_columns = 0;
};

// Comma-separated numbers, one sample per line. A first line with a non-numeric field is a header
// and skipped. Errors name the file, the line and the column: ragged rows, non-numbers, NaN or
// infinity, negative or fractional class labels, no samples.
Dataset read_csv(const std::string& path, const CsvOptions& options = {});

// FANN .data: "pairs inputs outputs" on the first line, then for each pair its inputs and its
// outputs (whitespace-separated; FANN writes them on alternating lines). Targets [N, outputs].
Dataset read_fann(const std::string& path);

}  // namespace bpnn
