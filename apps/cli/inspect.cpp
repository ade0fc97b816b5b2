#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <type_traits>
#include <vector>

#include "bpnn/bpnn.hpp"
#include "bpnn/io/model_file.hpp"
#include "charts.hpp"
#include "use.hpp"

namespace bpnn::cli {
namespace {

// "a b c" of at most `shown` names or numbers, then how many there are in all.
template <class Item>
std::string some_of(const std::vector<Item>& items, std::size_t shown = 8) {
  std::string text;
  for (std::size_t i = 0; i < items.size() && i < shown; ++i) {
    if (i > 0) text += " ";
    if constexpr (std::is_same_v<Item, float>) {
      char number[32];
      std::snprintf(number, sizeof number, "%.6g", static_cast<double>(items[i]));
      text += number;
    } else {
      text += printable(items[i], 40);
    }
  }
  if (items.size() > shown) text += " ... (" + std::to_string(items.size()) + " in all)";
  return text;
}

// What the model is (its meaning, recorded or inferred): task, loss, outputs, names, scaling.
void print_meaning(const DataRecipe& r, std::size_t outputs) {
  std::printf("task: %s\n", meaning_summary(r, outputs).c_str());
  if (r.task == Task::classification) {
    std::vector<std::string> names;
    for (std::size_t c = 0; c < r.classes; ++c) {
      names.push_back(c < r.class_names.size() ? r.class_names[c] : std::to_string(c));
    }
    std::printf("classes: %s\n", some_of(names, 20).c_str());
  }
  if (!r.feature_names.empty()) std::printf("features: %s\n", some_of(r.feature_names, 20).c_str());
  if (!r.target_names.empty()) std::printf("targets: %s\n", some_of(r.target_names, 20).c_str());
  if (r.scaling.kind == InputScaling::Kind::none) {
    std::printf("scaling: none\n");
  } else {
    std::printf("scaling: %s, x' = (x - shift) * scale per input value\n  shift: %s\n  scale: %s\n",
                scaling_name(r.scaling.kind).c_str(), some_of(r.scaling.shift).c_str(),
                some_of(r.scaling.scale).c_str());
  }
}

void run_inspect(const std::string& path, bool weights) {
  const LoadedModel<float> loaded = load_model<float>(path);
  const ParameterStore<float>& p = loaded.model.parameters();
  std::printf("model: %s\nnetwork: %s\ninput: %s  output: %s\n", path.c_str(), loaded.network.json.c_str(),
              loaded.model.input_shape().str().c_str(), loaded.model.output_shape().str().c_str());
  print_meaning(loaded.recipe, loaded.model.output_shape().numel());
  std::printf("layers:\n");
  for (std::size_t i = 0; i < loaded.model.size(); ++i) {
    std::printf("  %zu  %s\n", i, std::string(loaded.model.layer(i).kind()).c_str());
  }
  std::printf("parameters: %zu in %zu tensors\n\n", p.values().size(), p.count());
  int name_width = 12;  // wide enough for the longest name ("1.num_batches_tracked")
  for (std::size_t k = 0; k < p.count(); ++k) {
    name_width = std::max(name_width, static_cast<int>(p.entry(k).name.size()));
  }
  std::printf("%-*s %-14s %12s %12s %12s %12s\n", name_width, "tensor", "shape", "min", "max", "mean", "std");
  for (std::size_t k = 0; k < p.count(); ++k) {
    const TensorView<const float> v = p.value(k);
    double sum = 0, sum_sq = 0, lo = INFINITY, hi = -INFINITY;
    for (float x : v.span()) {
      sum += x;
      sum_sq += static_cast<double>(x) * x;
      lo = std::min(lo, static_cast<double>(x));
      hi = std::max(hi, static_cast<double>(x));
    }
    const double n = static_cast<double>(v.size());
    const double mean = sum / n;
    std::printf("%-*s %-14s %12.6g %12.6g %12.6g %12.6g\n", name_width, p.entry(k).name.c_str(),
                v.shape().str().c_str(), lo, hi, mean, std::sqrt(std::max(0.0, sum_sq / n - mean * mean)));
  }
  if (!weights) return;
  for (std::size_t k = 0; k < p.count(); ++k) {
    const TensorView<const float> v = p.value(k);
    std::printf("\n%s %s\n", p.entry(k).name.c_str(), v.shape().str().c_str());
    const std::size_t row = v.shape().rank() >= 2 ? v.size() / v.shape()[0] : v.size();
    for (std::size_t i = 0; i < v.size(); ++i) {
      std::printf("%s%.9g", i % row == 0 ? "" : " ", static_cast<double>(v[i]));
      if ((i + 1) % row == 0) std::printf("\n");
    }
  }
}

}  // namespace

void add_inspect_command(CLI::App& app) {
  auto path = std::make_shared<std::string>();
  auto weights = std::make_shared<bool>(false);
  CLI::App* cmd =
      app.add_subcommand("inspect", "Show a model: what it is (task, loss, classes, scaling), its network and weights");
  cmd->footer("Example:\n  bpnn inspect --model digits.safetensors --weights");
  cmd->add_option("--model", *path, "Model file (safetensors)")->required();
  cmd->add_flag("--weights", *weights, "Print every weight and bias (one row per output unit)");
  cmd->callback([path, weights] { run_inspect(*path, *weights); });
}

void add_plot_command(CLI::App& app) {
  auto log = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("plot", "Draw the loss and accuracy curves of a training log as SVG");
  cmd->footer("Example:\n  bpnn plot digits.csv --out digits.svg");
  cmd->add_option("log", *log, "Training log (CSV from bpnn train --log)")->required();
  cmd->add_option("--out", *out, "SVG file to write")->required();
  cmd->callback([log, out] {
    write_file_atomically(*out, training_curves_svg(read_training_log(*log)));
    std::printf("wrote %s\n", out->c_str());
  });
}

}  // namespace bpnn::cli
