// Reading a data set of any supported format, chosen by content and name.
#pragma once

#include <string>

#include "bpnn/data/dataset.hpp"
#include "bpnn/io/idx.hpp"
#include "bpnn/io/text_formats.hpp"

namespace bpnn {

struct DataOptions {
  IdxOptions idx = {};
  CsvOptions csv = {};
};

// Chosen by content, whatever the name: IDX if the file (after gunzip) starts with the IDX magic of
// unsigned bytes; FANN if its first line is "pairs inputs outputs" (looks_like_fann); CSV
// otherwise. A missing file, a directory or an unreadable one is an Error naming the path.
Dataset read_dataset(const std::string& path, const DataOptions& options = {});

}  // namespace bpnn
