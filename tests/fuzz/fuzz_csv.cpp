// libFuzzer target: CSV files read as people have them: the default reading (header and
// delimiter detected, the label column found, string labels as class names), regression with 2
// targets, a label by name and by index with a forced header, inputs only, and given class names.
#include "bpnn/io/text_formats.hpp"
#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using bpnn::CsvHeader;
  using bpnn::CsvOptions;
  const CsvOptions cases[] = {
      {},
      {.target_columns = 2},
      {.label = "species", .header = CsvHeader::yes},
      {.label = "1", .header = CsvHeader::no, .delimiter = ';'},
      {.targets = {"y", "0"}},
      {.no_labels = true},
      {.class_names = {"setosa", "1", "b"}},
  };
  const std::string path = bpnn::fuzz::scratch_file(data, size, ".csv");  // written once, read 7 ways
  for (const CsvOptions& options : cases) {
    try {
      bpnn::read_csv(path, options);
    } catch (const bpnn::Error&) {
    }
  }
  return 0;
}
