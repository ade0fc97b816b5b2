#include "data_flags.hpp"

#include <charconv>
#include <optional>
#include <utility>

#include "checks.hpp"

namespace bpnn::cli {
namespace {

// "0.01,0.99" -> {0.01, 0.99}, or nothing.
std::optional<std::pair<float, float>> read_pair(const std::string& text) {
  const std::size_t comma = text.find(',');
  if (comma == std::string::npos) return std::nullopt;
  float low = 0, high = 0;
  const char* end = text.data() + text.size();
  auto [p1, e1] = std::from_chars(text.data(), text.data() + comma, low);
  auto [p2, e2] = std::from_chars(text.data() + comma + 1, end, high);
  if (e1 == std::errc() && e2 == std::errc() && p1 == text.data() + comma && p2 == end) return std::pair{low, high};
  return std::nullopt;
}

std::string pair_expected(const std::string& text) {
  return "expected two numbers LOW,HIGH such as 0.01,0.99, got '" + printable(text) + "'";
}

bool is_delimiter(const std::string& d) { return d == "tab" || d == "\\t" || d.size() == 1; }

// Checked as the command line is read, so a malformed value is a usage error (exit status 2).
CLI::Validator low_high() {
  return CLI::Validator([](std::string& text) { return read_pair(text) ? std::string() : pair_expected(text); }, "");
}
CLI::Validator delimiter() {
  return CLI::Validator(
      [](std::string& d) {
        return is_delimiter(d) ? std::string() : "expected one character or 'tab', got '" + printable(d) + "'";
      },
      "");
}

}  // namespace

void add_data_flags(CLI::App& command, DataFlags& flags, bool training) {
  const std::string from_model = training ? "" : " (default: as the model was trained)";
  command.add_option("--input-range", flags.input_range,
                     "IDX pixels 0..255 map to LOW,HIGH (tutorial: 0.01,0.99; default 0,1)" + from_model)
      ->check(low_high());
  command.add_option("--target-cols", flags.target_cols, "CSV: the last K columns are regression targets" + from_model);
  command.add_option("--target-columns", flags.target_columns,
                     "CSV: these columns are regression targets, in this order: header names or 0-based indices, "
                     "comma-separated" + from_model)
      ->delimiter(',');
  command.add_option("--label", flags.label,
                     "CSV: the class label column, a header name or a 0-based index (default: the column named "
                     "label, class, target or y; without a header, its one column of text; else the "
                     "first)" + from_model);
  command.add_option("--drop", flags.drop,
                     "CSV: columns to leave out (an ID column), header names or 0-based indices, comma-separated" +
                         from_model)
      ->delimiter(',');
  command.add_option("--delimiter", flags.delimiter,
                     "CSV: the field delimiter, one character or 'tab' (default: detected)" + from_model)
      ->check(delimiter());
  command.add_option("--header", flags.header, "CSV: whether the first line is a header (auto: when it holds text)")
      ->check(CLI::IsMember({"auto", "yes", "no"}));
  command.add_option("--one-hot,--targets", flags.one_hot,
                     "OFF,ON values of one-hot targets for mse, mae and bce (default 0,1; --targets is its older "
                     "name)" + from_model)
      ->check(low_high());
  if (!training) return;
  command.add_flag_callback("--standardize", [&flags] { flags.scaling = "standardize"; },
                            "Scale each input to mean 0, std 1 (fitted on the training data, kept in the model)");
  command.add_flag_callback(
      "--normalize", [&flags] { flags.scaling = "normalize"; },
      "Scale each input to [0, 1] by its min and max (fitted on the training data, kept in the model)");
}

std::pair<float, float> parse_range(const std::string& text, const std::string& option) {
  if (const auto pair = read_pair(text)) return *pair;
  throw Error(option + ": " + pair_expected(text));
}

void apply_flags(const DataFlags& flags, DataRecipe& recipe) {
  CsvOptions& csv = recipe.read.csv;
  if (flags.input_range) {
    std::tie(recipe.read.idx.low, recipe.read.idx.high) = parse_range(*flags.input_range, "--input-range");
  }
  if (flags.one_hot) std::tie(recipe.off, recipe.on) = parse_range(*flags.one_hot, "--one-hot");
  if (flags.target_cols && !flags.target_columns.empty()) {
    throw Error("--target-cols and --target-columns: give the target columns by count or by name, not both");
  }
  if (flags.target_cols) {
    csv.target_columns = *flags.target_cols;
    csv.targets.clear();
    if (csv.target_columns > 0) recipe.task = Task::regression;
  }
  if (!flags.target_columns.empty()) {
    csv.targets = flags.target_columns;
    csv.target_columns = 0;
    recipe.task = Task::regression;
  }
  if (flags.label) csv.label = *flags.label;
  // Given now, they say where the targets are, over the names the model keeps.
  if (flags.label || flags.target_cols || !flags.target_columns.empty()) csv.target_names.clear();
  if (!flags.drop.empty()) csv.drop = flags.drop;
  if (flags.header) {
    csv.header = *flags.header == "yes"  ? CsvHeader::yes
                 : *flags.header == "no" ? CsvHeader::no
                                         : CsvHeader::auto_detect;
  }
  if (flags.delimiter) {
    const std::string& d = *flags.delimiter;
    if (!is_delimiter(d)) throw Error("--delimiter: expected one character or 'tab', got '" + printable(d) + "'");
    csv.delimiter = d.size() == 1 ? d[0] : '\t';
  }
}

void add_backend_flags(CLI::App& command, BackendFlags& flags) {
  command.add_option("--threads", flags.threads, "Threads (matrix products, conv2d, pooling, batch norm)")
      ->check(whole_number(1, 1024))
      ->capture_default_str();
  command
      .add_option("--backend", flags.backend,
                  "Backend: cpu (OpenBLAS and threads) or reference (plain loops, the oracle)")
      ->check(CLI::IsMember({"cpu", "reference"}));
  command.add_option("--arithmetic", flags.arithmetic, arithmetic_help("fast; portable with --backend reference"))
      ->check(one_of(names_of(arithmetic_registry())));
}

std::shared_ptr<Backend<float>> make_backend(const BackendFlags& flags) {
  if (flags.backend == "reference") {
    if (flags.arithmetic == "fast") {
      throw Error("--arithmetic fast: the reference backend's plain loops are portable arithmetic; leave out "
                  "--arithmetic, or use --backend cpu");
    }
    return bpnn::make_backend<float>(flags.backend, {.threads = flags.threads});
  }
  const Arithmetic arithmetic = flags.arithmetic.empty() ? Arithmetic::fast : arithmetic_named(flags.arithmetic);
  return bpnn::make_backend<float>(flags.backend, {.threads = flags.threads, .arithmetic = arithmetic});
}

std::string arithmetic_help(const std::string& default_text) {
  std::string help = "Floating-point arithmetic (docs/arithmetic.md; default " + default_text + "):";
  for (const ArithmeticKind& k : arithmetic_registry()) {
    help.append("\n  ").append(k.name).append(": ").append(k.summary);
  }
  return help;
}

void add_meaning_flags(CLI::App& command, MeaningFlags& flags) {
  command
      .add_option("--task", flags.task,
                  "What the model is: classification, binary (one output, the probability of class 1), multilabel "
                  "or regression (default: as the model file records, or its output layer implies)")
      ->check(CLI::IsMember({"classification", "binary", "multilabel", "regression"}));
  command
      .add_option("--loss", flags.loss,
                  "The loss it was trained with (default: as the model file records, or the task implies)")
      ->check(one_of(names_of(loss_registry())));
}

void apply_meaning_flags(const MeaningFlags& flags, DataRecipe& recipe, const Sequential<float>& model) {
  try {
    override_meaning(recipe, flags.task, flags.loss, model);
  } catch (const Error& e) {
    std::string given = flags.task.empty() ? "" : "--task " + flags.task;
    if (!flags.loss.empty()) given += (given.empty() ? "" : " ") + ("--loss " + flags.loss);
    throw Error(given + ": " + e.what());
  }
}

Dataset read_data(const std::string& path, const std::string& labels_path, const DataRecipe& recipe, bool inputs_only) {
  DataOptions options = recipe.read;
  options.idx.labels_path = labels_path;
  options.idx.no_labels = inputs_only;
  // Read alone, the inputs are found as the recipe says (by name or by position), the targets not read.
  options.csv.no_labels = inputs_only;
  Dataset dataset = read_dataset(path, options);
  dataset.source = path;  // the messages name the file as the user gave it
  if (inputs_only) dataset.targets = Tensor<float>(Shape{dataset.size(), 0});
  return dataset;
}

PreparedData load_data(const std::string& path, const std::string& labels_path, const DataRecipe& recipe,
                       const Sequential<float>& model, bool inputs_only) {
  return prepare_dataset(read_data(path, labels_path, recipe, inputs_only), recipe, model);
}

PreparedData prepare_dataset(Dataset dataset, const DataRecipe& recipe, const Sequential<float>& model) {
  apply_scaling(recipe.scaling, dataset.inputs, dataset.source);
  return prepare_data(std::move(dataset), model.input_shape(), model.output_shape().numel(),
                      {.loss = recipe.loss, .off = recipe.off, .on = recipe.on});
}

}  // namespace bpnn::cli
