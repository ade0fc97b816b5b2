// libFuzzer target: CSV files read as people have them: the default reading (header and
// delimiter detected, the label column found, string labels as class names), regression with 2
// targets, a label by name and by index with a forced header, inputs only, given class names,
// class ids kept, columns dropped, and a model's columns by name (labelled and inputs only).
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
      {.class_ids = true},
      {.target_columns = 1, .drop = {"0", "id"}},
      {.drop = {"id"}, .feature_names = {"a", "b", "1"}, .target_names = {"y"}},
      {.no_labels = true, .feature_names = {"b", "a"}, .target_names = {"species"}},
  };
  const std::string path = bpnn::fuzz::scratch_file(data, size, ".csv");  // written once, read 11 ways
  for (const CsvOptions& options : cases) {
    try {
      bpnn::read_csv(path, options);
    } catch (const bpnn::Error&) {
    }
  }
  return 0;
}
