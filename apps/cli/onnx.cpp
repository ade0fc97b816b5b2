// `bpnn export` and `bpnn import`: a model file to ONNX and back (docs/onnx.md).
#include <cstdio>
#include <string>

#include "bpnn/bpnn.hpp"
#include "bpnn/io/model_file.hpp"
#include "bpnn/io/onnx.hpp"
#include "data_flags.hpp"
#include "use.hpp"

namespace bpnn::cli {
namespace {

// "conv2d batchnorm relu ...": the model's layers in one line.
std::string layer_list(const Sequential<float>& model) {
  std::string kinds;
  for (std::size_t i = 0; i < model.size(); ++i) kinds += (i ? " " : "") + std::string(model.layer(i).kind());
  return kinds.empty() ? "no layers" : kinds;
}

}  // namespace

void add_onnx_commands(CLI::App& app) {
  auto model = std::make_shared<std::string>();
  auto onnx = std::make_shared<std::string>();
  CLI::App* out =
      app.add_subcommand("export", "Export a model to ONNX (opset 17, dynamic batch) for ONNX Runtime and others");
  out->footer("Example:\n  bpnn export --model digits.safetensors --onnx digits.onnx");
  out->add_option("--model", *model, "Model file (safetensors)")->required();
  out->add_option("--onnx", *onnx, "ONNX file to write")->required();
  out->callback([model, onnx] {
    const LoadedModel<float> loaded = load_model<float>(*model);
    export_onnx(loaded.model, *onnx, loaded.recipe, loaded.metadata);
    std::printf("wrote %s: input [N, %s, output [N, %s; %s\n", onnx->c_str(),
                loaded.model.input_shape().str().substr(1).c_str(), loaded.model.output_shape().str().substr(1).c_str(),
                layer_list(loaded.model).c_str());
  });

  auto in = std::make_shared<std::string>();
  auto saved = std::make_shared<std::string>();
  auto meaning = std::make_shared<MeaningFlags>();
  CLI::App* imp =
      app.add_subcommand("import", "Import an ONNX model (bpnn's export, or torch.onnx.export of an nn.Sequential)");
  imp->footer(
      "What the model is: what the file records (bpnn export writes it), else what its output layer implies "
      "(softmax: class probabilities; one sigmoid: binary; several linear outputs: logits; one: a regression "
      "value); --task and --loss say otherwise.\n"
      "Example:\n  bpnn import --onnx digits.onnx --out digits.safetensors");
  imp->add_option("--onnx", *in, "ONNX file to read")->required();
  imp->add_option("--out", *saved, "Model file to write (safetensors)")->required();
  add_meaning_flags(*imp, *meaning);
  imp->callback([in, saved, meaning] {
    OnnxModel imported = import_onnx(*in);
    const Sequential<float>& model = imported.model;
    // What the file records (bpnn's export), the flags over it, then the output layer, say what the
    // model is.
    DataRecipe& recipe = imported.recipe;
    apply_meaning_flags(*meaning, recipe, model);
    complete_meaning(recipe, model);
    imported.metadata["bpnn.data"] = recipe_to_json(recipe);
    save_model(*saved, model, imported.metadata);
    std::printf("wrote %s: input %s, output %s; %s\n  %s\n", saved->c_str(), model.input_shape().str().c_str(),
                model.output_shape().str().c_str(), layer_list(model).c_str(),
                meaning_summary(recipe, model.output_shape().numel()).c_str());
  });
}

}  // namespace bpnn::cli
