// ONNX export and import of a model's inference graph (opset 17, IR version 8), written and read
// with bpnn's own protobuf wire-format code (no protobuf library). Export maps each layer to its
// ONNX operators (dense: Gemm, conv2d: Conv, ...; dropout is left out: in inference it is the
// identity); import takes that subset back, including what torch.onnx.export writes for an
// equivalent nn.Sequential, and refuses anything else naming the node. See docs/onnx.md.
#pragma once

#include <string>
#include <string_view>

#include "bpnn/model/sequential.hpp"

namespace bpnn {

// The operator set export writes and the range import accepts (default domain only).
inline constexpr int onnx_opset = 17;
inline constexpr int onnx_min_import_opset = 1;
inline constexpr int onnx_max_import_opset = 21;

// The model as an ONNX ModelProto: input "input" [N, input_shape...] and output "output"
// [N, output_shape...], float32, the batch dimension named "N"; initializers carry the model's
// state_dict names ("0.weight"). Batch norm is exported in inference mode (its running
// statistics), its num_batches_tracked is not exported. Throws Error for a layer ONNX cannot
// express here.
std::string to_onnx(const Sequential<float>& model);
// Writes to_onnx(model) to path atomically. Throws Error naming path.
void export_onnx(const Sequential<float>& model, const std::string& path);

// A model from ONNX bytes: one float input [N, dims...], a chain of supported nodes (docs/onnx.md),
// one output. Every length, offset, type and shape is checked before it is trusted; anything
// outside the subset is an Error naming `source`, the node and its op type. Layers come back with
// the options ONNX carries (initializers are not part of ONNX: the layers take their defaults).
Sequential<float> from_onnx(std::string_view bytes, const std::string& source = "ONNX model");
// from_onnx of the file's bytes, errors naming path.
Sequential<float> import_onnx(const std::string& path);

}  // namespace bpnn
