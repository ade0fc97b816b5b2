#!/usr/bin/env bash
# bpnn's ONNX files against the ONNX tools, through files only. For an MLP, LeNet with batch norm
# (examples/networks/lenet.json), a network of every layer kind and one of every activation of the
# registry (`bpnn registry --json`) that has a torch.nn module:
#   1. bpnn export writes a file that onnx.checker (full_check) and strict shape inference accept;
#   2. ONNX Runtime (onnxruntime-node) runs it on a batch of 5 (the batch is dynamic) and gives
#      bpnn predict's outputs (max abs diff < 1e-5);
#   3. bpnn import of it gives the same tensors;
#   4. torch.onnx.export of the same nn.Sequential (opsets 13 and 17) imports into bpnn and
#      predicts the same (max abs diff < 1e-5).
# Then the model's meaning: an iris model trained with --standardize, exported, gives in ONNX
# Runtime on raw inputs bpnn predict's logits and probabilities, carries its class and feature names
# in metadata_props, and imported back predicts and evaluates the raw file as the original does.
# Usage: run.sh BPNN_BINARY. Exits 77 (skipped) when onnx, torch or tests/onnx/node_modules is missing
# (scripts/test.sh installs python3-onnx and runs npm install --prefix tests/onnx).
set -euo pipefail
bpnn=$1
here=$(cd "$(dirname "$0")" && pwd)
python=/usr/bin/python3
if ! "$python" -c "import onnx, torch, numpy" 2>/dev/null; then
  echo "SKIPPED: onnx or torch is not installed (Debian packages python3-onnx, python3-torch)"
  exit 77
fi
command -v node >/dev/null || { echo "SKIPPED: node is not installed"; exit 77; }
[ -d "$here/node_modules/onnxruntime-node" ] || { echo "SKIPPED: run npm install --prefix tests/onnx first"; exit 77; }
export BPNN=$bpnn  # the Python helpers read bpnn's registry through it
work=$(mktemp -d)
trap 'serve_stop; rm -rf "$work"' EXIT
fail=0
# shellcheck source=../support/check.sh
source "$here/../support/check.sh"
# helper and peer COMMAND ARGS...: helper.py's and ../pytorch/peer.py's commands, torch imported once
# in each (tests/support/serve.sh)
# shellcheck source=../support/serve.sh
source "$here/../support/serve.sh"
serve helper "$here/helper.py"
serve peer "$here/../pytorch/peer.py"

echo '{"input": [8], "layers": [{"type": "dense", "units": 16}, {"type": "tanh"}, {"type": "dense", "units": 3}]}' >"$work/mlp.json"
cp "$here/../../examples/networks/lenet.json" "$work/lenet.json"
# Every layer kind that torch's nn.Sequential has too (step has no nn module: torch's half skips it).
cat >"$work/every.json" <<'JSON'
{"input": [2, 9, 9], "layers": [
  {"type": "conv2d", "filters": 3, "kernel": 3, "stride": 1, "padding": 1},
  {"type": "batchnorm", "momentum": 0.2, "eps": 0.001}, {"type": "leaky_relu", "slope": 0.2},
  {"type": "conv2d", "filters": 4, "kernel": 2, "stride": 2, "bias": false},
  {"type": "maxpool2d", "kernel": 2, "stride": 1}, {"type": "avgpool2d", "kernel": 2},
  {"type": "flatten"}, {"type": "dense", "units": 6, "bias": false}, {"type": "batchnorm"},
  {"type": "sigmoid"}, {"type": "dropout", "p": 0.3}, {"type": "dense", "units": 5}, {"type": "tanh"},
  {"type": "identity"}, {"type": "relu"}, {"type": "dense", "units": 4}, {"type": "softmax"}]}
JSON
# Every activation of the registry with a torch.nn module, each after a dense layer.
"$bpnn" registry --json | "$python" -c '
import json, sys
layers = []
for a in json.load(sys.stdin)["activations"]:
    if a["pytorch"]:
        layers += [{"type": "dense", "units": 6}, {"type": a["name"]}]
print(json.dumps({"input": [8], "layers": layers + [{"type": "dense", "units": 3}]}))' >"$work/activations.json"
# The same with a step layer, for bpnn and ONNX Runtime only.
sed 's/{"type": "relu"}, {"type": "dense", "units": 4}/{"type": "relu"}, {"type": "step"}, {"type": "dense", "units": 4}/' \
  "$work/every.json" >"$work/step.json"

for net in mlp lenet every step activations; do
  case $net in
    mlp | activations) dims="8" size=8 ;;
    lenet) dims="1 28 28" size=784 ;;
    *) dims="2 9 9" size=162 ;;
  esac
  m=$work/$net
  helper model "$m.json" "$m.safetensors" 1
  helper data "$size" 5 "$m.csv" 2
  "$bpnn" predict --raw --model "$m.safetensors" --data "$m.csv" --out "$m-bpnn.csv" >/dev/null
  "$bpnn" export --model "$m.safetensors" --onnx "$m.onnx"
  helper check "$m.onnx"
  node "$here/run.mjs" "$m.onnx" "$m.csv" "$m-ort.csv" $dims
  check "$net: onnxruntime vs bpnn predict, max abs diff" "$(helper ort-diff "$m-bpnn.csv" "$m-ort.csv")" 1e-5
  "$bpnn" import --onnx "$m.onnx" --out "$m-back.safetensors" >/dev/null
  "$bpnn" predict --raw --model "$m-back.safetensors" --data "$m.csv" --out "$m-back.csv" >/dev/null
  check "$net: export then import, predict max abs diff" "$(peer max-diff "$m-back.csv" "$m-ort.csv")" 1e-5
  [ $net = step ] && continue
  for opset in 13 17; do
    helper torch-export "$m.safetensors" "$m-torch$opset.onnx" "$opset" 2>/dev/null
    "$bpnn" import --onnx "$m-torch$opset.onnx" --out "$m-torch$opset.safetensors"
    "$bpnn" predict --raw --model "$m-torch$opset.safetensors" --data "$m.csv" --out "$m-torch$opset.csv" >/dev/null
    check "$net: torch.onnx.export opset $opset imported, vs bpnn predict, max abs diff" \
      "$(helper max-diff "$m-bpnn.csv" "$m-torch$opset.csv")" 1e-5
  done
done
m=$work/iris
helper iris "$m.csv" "$m-x.csv"
"$bpnn" train --net 4-8tanh-3 --train "$m.csv" --label species --standardize --epochs 30 --lr 0.1 --seed 1 \
  --out "$m.safetensors" >/dev/null
"$bpnn" predict --model "$m.safetensors" --data "$m.csv" --out "$m-bpnn.csv"
"$bpnn" predict --raw --model "$m.safetensors" --data "$m.csv" --out "$m-bpnn-raw.csv"
"$bpnn" export --model "$m.safetensors" --onnx "$m.onnx" >/dev/null
helper check "$m.onnx"
meaning=$(helper meaning "$m.onnx")
if [ "$meaning" = "setosa versicolor virginica | sepal_length sepal_width petal_length petal_width | standardize | output probabilities" ]; then
  echo "ok   iris: metadata_props and outputs: $meaning"
else
  echo "FAIL iris: metadata_props and outputs: $meaning"
  fail=1
fi
node "$here/run.mjs" "$m.onnx" "$m-x.csv" "$m-ort-raw.csv" 4
node "$here/run.mjs" "$m.onnx" "$m-x.csv" "$m-ort.csv" 4 --output probabilities
check "iris: onnxruntime on raw inputs vs bpnn predict --raw, max abs diff" "$(helper ort-diff "$m-bpnn-raw.csv" "$m-ort-raw.csv")" 1e-5
check "iris: onnxruntime's probabilities vs bpnn predict's, max abs diff" "$(helper ort-diff "$m-bpnn.csv" "$m-ort.csv")" 1e-6
"$bpnn" import --onnx "$m.onnx" --out "$m-back.safetensors" >/dev/null
"$bpnn" predict --model "$m-back.safetensors" --data "$m.csv" --out "$m-back.csv"
if cmp -s "$m-bpnn.csv" "$m-back.csv"; then
  echo "ok   iris: imported back, bpnn predict on the raw file writes the same file (class names, probabilities)"
else
  echo "FAIL iris: imported back, bpnn predict on the raw file differs: $(diff "$m-bpnn.csv" "$m-back.csv" | head -3)"
  fail=1
fi
accuracy=$("$bpnn" eval --model "$m.safetensors" --data "$m.csv" | grep '^accuracy:')
accuracy_back=$("$bpnn" eval --model "$m-back.safetensors" --data "$m.csv" | grep '^accuracy:')
check "iris: 1 - accuracy of the trained model ($accuracy)" "$(echo "$accuracy" | awk '{print 1 - $2}')" 0.1
if [ "$accuracy" = "$accuracy_back" ]; then
  echo "ok   iris: imported back, bpnn eval on the raw file: $accuracy_back"
else
  echo "FAIL iris: imported back, bpnn eval on the raw file: $accuracy_back, the original $accuracy"
  fail=1
fi
exit $fail
