#include <cstdio>
#include <iostream>
#include <string>

#include "bpnn/bpnn.hpp"
#include "bpnn/model/model_file.hpp"
#include "checks.hpp"
#include "data_flags.hpp"
#include "use.hpp"

namespace bpnn::cli {
namespace {

struct PredictFlags {
  std::string model, data, labels, out;
  int threads = 1;
  DataFlags data_flags;
};

void run_predict(const PredictFlags& f) {
  LoadedModel<float> loaded = load_model<float>(f.model);
  loaded.model.set_backend(make_cpu_backend<float>({.threads = f.threads}));
  // The loss only shapes the targets, which predict ignores.
  const PreparedData data = load_data(f.data, f.labels, f.data_flags, loaded.model, "cross_entropy");
  const Tensor<float> y = predict(loaded.model, data.inputs());
  const std::size_t outputs = loaded.model.output_shape().numel();
  std::string csv = "predicted";
  for (std::size_t k = 0; k < outputs; ++k) csv += ",output" + std::to_string(k);
  csv += "\n";
  for (std::size_t n = 0; n < data.dataset.size(); ++n) {
    csv += std::to_string(argmax(y.data() + n * outputs, outputs));
    char value[32];
    for (std::size_t k = 0; k < outputs; ++k) {
      std::snprintf(value, sizeof value, ",%.9g", static_cast<double>(y[n * outputs + k]));
      csv += value;
    }
    csv += "\n";
  }
  if (f.out.empty()) {
    std::cout << csv;
  } else {
    write_file_atomically(f.out, csv);
  }
}

}  // namespace

void add_predict_command(CLI::App& app) {
  auto f = std::make_shared<PredictFlags>();
  CLI::App* cmd = app.add_subcommand("predict", "Predict: one CSV row per sample, the class then the outputs");
  cmd->footer("Example:\n  bpnn predict --model digits.safetensors --data test-images-idx3-ubyte.gz --out predictions.csv");
  cmd->add_option("--model", f->model, "Model file (safetensors)")->required();
  cmd->add_option("--data", f->data, "Data: IDX images (.gz too), CSV or FANN .data")->required();
  cmd->add_option("--labels", f->labels, "IDX labels file (default: found by the MNIST naming)");
  cmd->add_option("--out", f->out, "CSV file to write (default: standard output)");
  cmd->add_option("--threads", f->threads, "Threads (matrix products, conv2d, pooling, batch norm)")->check(whole_number(1, 1024));
  add_data_flags(*cmd, f->data_flags);
  cmd->callback([f] { run_predict(*f); });
}

}  // namespace bpnn::cli
