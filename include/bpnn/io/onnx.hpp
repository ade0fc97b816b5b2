// ONNX export and import of a model's inference graph (opset 17, IR version 8), written and read
// with bpnn's own protobuf wire-format code (no protobuf library). Export maps each layer to its
// ONNX operators (dense: Gemm, conv2d: Conv, ...; dropout is left out: in inference it is the
// identity), the input scaling to nodes at the graph's input and the model's meaning (task, loss,
// class and feature names) to metadata_props; import takes that back, including what
// torch.onnx.export writes for an equivalent nn.Sequential and ONNX's conformance cases of those
// operators (opsets 1 to 21), and refuses anything else naming the node. See docs/onnx.md.
#pragma once

#include <string>
#include <string_view>

#include "bpnn/data/recipe.hpp"
#include "bpnn/io/model_file.hpp"
#include "bpnn/model/sequential.hpp"

namespace bpnn {

// The operator set export writes and the range import accepts (default domain only).
inline constexpr int onnx_opset = 17;
inline constexpr int onnx_min_import_opset = 1;
inline constexpr int onnx_max_import_opset = 21;

// The model as an ONNX ModelProto: input "input" [N, input_shape...] and output "output"
// [N, output_shape...], float32, the batch dimension named "N"; initializers carry the model's
// state_dict names ("0.weight"). Batch norm is exported in inference mode (its running
// statistics), its num_batches_tracked travels in metadata_props. Throws Error for a layer ONNX
// cannot express here.
std::string to_onnx(const Sequential<float>& model);
// The same with the model's meaning (a model file's: LoadedModel::recipe and ::metadata), the
// recipe completed from the output layer where it says nothing (complete_meaning): its input
// scaling becomes Sub and Mul nodes at the graph's input, so the graph takes raw inputs; a model whose outputs are
// logits also has the output "probabilities", their softmax; the recipe goes to metadata_props as "bpnn.data" (its
// scaling "none": the graph applies it), and every metadata entry under its own key. Throws Error too for a scaling
// that does not fit the model's input.
std::string to_onnx(const Sequential<float>& model, const DataRecipe& recipe, const ModelMetadata& metadata = {});
// Writes to_onnx to path atomically. Throws Error naming path.
void export_onnx(const Sequential<float>& model, const std::string& path);
void export_onnx(const Sequential<float>& model, const std::string& path, const DataRecipe& recipe,
                 const ModelMetadata& metadata = {});

// An imported model and what the file says it is.
struct OnnxModel {
  Sequential<float> model;
  // What the file records: metadata_props' "bpnn.data", with the input scaling the graph starts
  // with folded in (Sub, then Mul or Div, by constants of a value per input value or broadcast to
  // it). What it leaves unset (a task of automatic, no loss: a file from elsewhere), the output
  // layer implies: complete_meaning.
  DataRecipe recipe;
  // metadata_props less the keys bpnn uses itself ("bpnn.data", batch norm's counts, the scaling's
  // kind), as LoadedModel::metadata.
  ModelMetadata metadata;
};

// A model from ONNX bytes: one float input [N, dims...] (or a vector [d], one sample), a chain of
// supported nodes (docs/onnx.md), one output (and a second that is the softmax of the first).
// Every length, offset, type and shape is checked before it is trusted; anything outside the
// subset is an Error naming `source`, the node and its op type. Layers come back with the options
// ONNX carries (initializers are not part of ONNX: the layers take their defaults).
OnnxModel from_onnx(std::string_view bytes, const std::string& source = "ONNX model");
// from_onnx of the file's bytes, errors naming path.
OnnxModel import_onnx(const std::string& path);

}  // namespace bpnn
