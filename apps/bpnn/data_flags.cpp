#include "data_flags.hpp"

#include <charconv>
#include <utility>

namespace bpnn::cli {

void add_data_flags(CLI::App& command, DataFlags& flags, bool targets_from_model) {
  command.add_option("--input-range", flags.input_range, "IDX pixels 0..255 map to LOW,HIGH (tutorial: 0.01,0.99)")
      ->capture_default_str();
  command.add_option("--target-cols", flags.target_cols, "CSV: the last K columns are regression targets")
      ->capture_default_str();
  command.add_option("--label", flags.label,
                     "CSV: the class label column, a header name or a 0-based index (default: the column named "
                     "label, class, target or y, else the first)");
  command.add_option("--delimiter", flags.delimiter, "CSV: the field delimiter, one character or 'tab' (default: detected)");
  command.add_option("--header", flags.header, "CSV: whether the first line is a header (auto: when it holds text)")
      ->check(CLI::IsMember({"auto", "yes", "no"}))
      ->capture_default_str();
  if (targets_from_model) {
    flags.targets.clear();
    command.add_option("--targets", flags.targets,
                       "OFF,ON values of one-hot targets for mse, mae and bce (default: the model's own)");
  } else {
    command.add_option("--targets", flags.targets, "OFF,ON values of one-hot targets for mse, mae and bce")
        ->capture_default_str();
  }
}

std::pair<float, float> parse_range(const std::string& text, const std::string& option) {
  const std::size_t comma = text.find(',');
  float low = 0, high = 0;
  const char* end = text.data() + text.size();
  if (comma != std::string::npos) {
    auto [p1, e1] = std::from_chars(text.data(), text.data() + comma, low);
    auto [p2, e2] = std::from_chars(text.data() + comma + 1, end, high);
    if (e1 == std::errc() && e2 == std::errc() && p1 == text.data() + comma && p2 == end) return {low, high};
  }
  throw Error(option + ": expected two numbers LOW,HIGH such as 0.01,0.99, got '" + text + "'");
}

PreparedData load_data(const std::string& path, const std::string& labels_path, const DataFlags& flags,
                       const Sequential<float>& model, std::string_view loss) {
  DataOptions options;
  const auto [low, high] = parse_range(flags.input_range, "--input-range");
  options.idx.low = low;
  options.idx.high = high;
  options.idx.labels_path = labels_path;
  options.csv.target_columns = flags.target_cols;
  options.csv.label = flags.label;
  if (flags.delimiter == "tab" || flags.delimiter == "\\t") {
    options.csv.delimiter = '\t';
  } else if (flags.delimiter.size() == 1) {
    options.csv.delimiter = flags.delimiter[0];
  } else if (!flags.delimiter.empty()) {
    throw Error("--delimiter: expected one character or 'tab', got '" + printable(flags.delimiter) + "'");
  }
  options.csv.header = flags.header == "yes" ? CsvHeader::yes : flags.header == "no" ? CsvHeader::no : CsvHeader::auto_detect;
  const auto [off, on] = parse_range(flags.targets, "--targets");
  Dataset dataset = read_dataset(path, options);
  dataset.source = path;  // the messages name the file as the user gave it
  return prepare_data(std::move(dataset), model.input_shape(), model.output_shape().numel(),
                      {.loss = std::string(loss), .off = off, .on = on});
}

}  // namespace bpnn::cli
