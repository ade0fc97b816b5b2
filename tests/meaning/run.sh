#!/usr/bin/env bash
# A model means the same thing whoever wrote it: models from PyTorch (through ONNX), from Python's
# Model.save and from before model files recorded what a model is, read by bpnn predict and eval
# as what they are, against PyTorch's own numbers (Debian's python3-torch and python3-onnx):
#   (a) a regression exported to ONNX and imported predicts PyTorch's values (max abs diff < 1e-5)
#       and evaluates to its MSE (relative difference < 1e-5); a two-value one with --task regression;
#   (b) a CNN ending in softmax: bpnn predict's probabilities are PyTorch's (max abs diff < 1e-6);
#       a classifier ending in a linear layer: the softmax of its logits;
#   (c) docs/python.md's XOR, saved with Model.save: predict gives its probabilities and classes,
#       eval accuracy 1 and the loss Python's evaluate gives;
#   (d) model files written the old way (no record of what the model is) read with the meaning
#       their output layer implies: values for a linear output, no second softmax;
#   (e) contradictions (--task regression on a softmax, bce on logits, binary on 4 outputs, a
#       training step of cross_entropy through a softmax) are one-line errors;
#   (f) docs/model-format.md's PyTorch block, as it stands, on a LeNet with batch norm trained
#       briefly with --standardize, gives bpnn predict's outputs and probabilities (< 1e-5).
# Usage: run.sh BPNN_BINARY PYTHON_DIR. Exits 77 (skipped) when torch, onnx or the module is absent.
set -euo pipefail
bpnn=$1
module_dir=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
docs=$here/../../docs
python=/usr/bin/python3
if ! "$python" -c "import torch, onnx, numpy" 2>/dev/null; then
  echo "SKIPPED: torch or onnx is not installed (Debian packages python3-torch, python3-onnx)"
  exit 77
fi
if [ -z "$module_dir" ] || ! compgen -G "$module_dir/bpnn/_bpnn*.so" >/dev/null; then
  echo "SKIPPED: the Python module was not built (needs pybind11-dev and python3-dev)"
  exit 77
fi
export BPNN=$bpnn PYTHONPATH=$module_dir
work=$(mktemp -d)
trap 'serve_stop; rm -rf "$work"' EXIT
fail=0
# shellcheck source=../support/check.sh
source "$here/../support/check.sh"
# shellcheck source=../support/serve.sh
source "$here/../support/serve.sh"
serve helper "$here/helper.py"  # helper COMMAND ARGS...: helper.py's commands, torch imported once

# expect LABEL PATTERN COMMAND...: the command fails with one line "bpnn: error: ..." matching PATTERN.
expect() {
  local label=$1 pattern=$2
  shift 2
  if "$@" >"$work/out" 2>"$work/err"; then
    echo "FAIL $label: exited 0"
    fail=1
  elif [ "$(wc -l <"$work/err")" -eq 1 ] && grep -q -- "^bpnn: error: .*$pattern" "$work/err"; then
    echo "ok   $label"
  else
    echo "FAIL $label: $(cat "$work/err")"
    fail=1
  fi
}
# same LABEL ACTUAL EXPECTED: an exact match.
same() {
  if [ "$2" = "$3" ]; then echo "ok   $1: $2"; else echo "FAIL $1: '$2', expected '$3'"; fail=1; fi
}
relative() { "$python" -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print(abs(a - b) / abs(b))" "$1" "$2"; }
json_field() { "$python" -c "import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }

# (a) A PyTorch regression through ONNX.
mse=$(helper regression "$work/reg.onnx" "$work/reg.csv" "$work/reg-torch.csv" 1)
"$bpnn" import --onnx "$work/reg.onnx" --out "$work/reg.safetensors" >"$work/import.txt"
grep -q "regression of 1 value (outputs: values, loss mse)" "$work/import.txt" && echo "ok   import says regression" ||
  { echo "FAIL import: $(cat "$work/import.txt")"; fail=1; }
"$bpnn" predict --model "$work/reg.safetensors" --data "$work/reg.csv" --out "$work/reg-bpnn.csv"
same "regression predict header" "$(head -1 "$work/reg-bpnn.csv")" "output0"
check "imported regression: predict vs PyTorch, max abs diff" "$(helper max-diff "$work/reg-bpnn.csv" "$work/reg-torch.csv")" 1e-5
"$bpnn" eval --model "$work/reg.safetensors" --data "$work/reg.csv" --json >"$work/reg-eval.json"
check "imported regression: eval mse vs PyTorch's $mse, relative difference" \
  "$(relative "$(json_field "$work/reg-eval.json" mse)" "$mse")" 1e-5
check "imported regression: eval loss (mse) vs PyTorch's, relative difference" \
  "$(relative "$(json_field "$work/reg-eval.json" loss)" "$mse")" 1e-5
# Two values: several linear outputs are logits unless told; --task regression on import says so.
mse2=$(helper regression "$work/reg2.onnx" "$work/reg2.csv" "$work/reg2-torch.csv" 2)
"$bpnn" import --onnx "$work/reg2.onnx" --out "$work/reg2.safetensors" --task regression >/dev/null
"$bpnn" predict --model "$work/reg2.safetensors" --data "$work/reg2.csv" --out "$work/reg2-bpnn.csv"
check "two-value regression (--task regression): predict vs PyTorch" "$(helper max-diff "$work/reg2-bpnn.csv" "$work/reg2-torch.csv")" 1e-5
"$bpnn" eval --model "$work/reg2.safetensors" --data "$work/reg2.csv" --json >"$work/reg2-eval.json"
check "two-value regression: eval mse vs PyTorch's $mse2" "$(relative "$(json_field "$work/reg2-eval.json" mse)" "$mse2")" 1e-5

# (b) A CNN ending in softmax: its outputs are the probabilities, taken as they are.
helper softmax-cnn "$work/cnn.onnx" "$work/cnn.csv" "$work/cnn-torch.csv"
"$bpnn" import --onnx "$work/cnn.onnx" --out "$work/cnn.safetensors" >/dev/null
"$bpnn" predict --model "$work/cnn.safetensors" --data "$work/cnn.csv" --out "$work/cnn-bpnn.csv"
same "softmax CNN predict header" "$(head -1 "$work/cnn-bpnn.csv")" "predicted,p_0,p_1,p_2,p_3,p_4,p_5,p_6,p_7,p_8,p_9"
check "imported softmax CNN: probabilities vs PyTorch, max abs diff" "$(helper max-diff "$work/cnn-bpnn.csv" "$work/cnn-torch.csv")" 1e-6
helper logits-mlp "$work/mlp.onnx" "$work/mlp.csv" "$work/mlp-torch.csv"
"$bpnn" import --onnx "$work/mlp.onnx" --out "$work/mlp.safetensors" >/dev/null
"$bpnn" predict --model "$work/mlp.safetensors" --data "$work/mlp.csv" --out "$work/mlp-bpnn.csv"
check "imported linear classifier: softmax of its logits vs PyTorch" "$(helper max-diff "$work/mlp-bpnn.csv" "$work/mlp-torch.csv")" 1e-6

# (c) Python's XOR (docs/python.md), saved with save, read by the command line.
python_loss=$(helper xor "$docs/python.md" "$work/xor.safetensors" "$work/xor.csv" "$work/xor-python.csv")
"$bpnn" predict --model "$work/xor.safetensors" --data "$work/xor.csv" --out "$work/xor-bpnn.csv"
same "XOR predicted classes" "$(cut -d, -f1 "$work/xor-bpnn.csv" | tr '\n' ' ')" "predicted 0 1 1 0 "
check "XOR probabilities vs Python's predict" "$(helper max-diff "$work/xor-bpnn.csv" "$work/xor-python.csv")" 1e-6
"$bpnn" eval --model "$work/xor.safetensors" --data "$work/xor.csv" --json >"$work/xor-eval.json"
same "XOR eval accuracy" "$(json_field "$work/xor-eval.json" accuracy)" "1.0"
check "XOR eval loss (mse) vs Python's evaluate $python_loss" "$(relative "$(json_field "$work/xor-eval.json" loss)" "$python_loss")" 1e-6

# (d) Model files from before they recorded what the model is.
echo '{"input": [4], "layers": [{"type": "dense", "units": 6}, {"type": "tanh"}, {"type": "dense", "units": 1}]}' >"$work/old-reg.json"
echo '{"input": [4], "layers": [{"type": "dense", "units": 5}, {"type": "softmax"}]}' >"$work/old-soft.json"
for net in old-reg old-soft; do
  helper old-file "$work/$net.json" "$work/$net.safetensors" "$work/$net.csv" "$work/$net-torch.csv"
  "$bpnn" predict --model "$work/$net.safetensors" --data "$work/$net.csv" --out "$work/$net-bpnn.csv"
  check "$net: old file's predictions vs PyTorch" "$(helper max-diff "$work/$net-bpnn.csv" "$work/$net-torch.csv")" 1e-6
done
same "old regression file: inspect" "$("$bpnn" inspect --model "$work/old-reg.safetensors" | grep '^task:')" \
  "task: regression of 1 value (outputs: values, loss mse)"
same "old softmax file: inspect" "$("$bpnn" inspect --model "$work/old-soft.safetensors" | grep '^task:')" \
  "task: classification of 5 classes (outputs: probabilities, loss cross_entropy)"

# (e) What a network cannot be is an error.
expect "import --task regression on softmax" "--task regression: regression on a network that ends in softmax" \
  "$bpnn" import --onnx "$work/cnn.onnx" --out "$work/no.safetensors" --task regression
[ ! -e "$work/no.safetensors" ] && echo "ok   no model written" || { echo "FAIL a model was written"; fail=1; }
expect "eval --loss bce on logits" "--loss bce: bce takes probabilities .* ends in 'dense'" \
  "$bpnn" eval --model "$work/mlp.safetensors" --data "$work/mlp.csv" --loss bce
expect "predict --task binary on 4 outputs" "--task binary: task binary needs one output" \
  "$bpnn" predict --model "$work/mlp.safetensors" --data "$work/mlp.csv" --task binary
expect "explain (a training step) with cross_entropy through a softmax" "ends in softmax, and cross_entropy applies softmax" \
  "$bpnn" explain --model "$work/cnn.safetensors" --input 0 --target 0

# (f) docs/model-format.md's PyTorch block on a LeNet with batch norm, trained briefly, standardized.
"$python" -c "
import numpy as np
rng = np.random.default_rng(4)
labels = rng.integers(0, 10, 48)
pixels = np.clip(rng.normal(40 + 15 * labels[:, None], 60, (48, 784)), 0, 255).round()
np.savetxt('$work/digits.csv', np.column_stack([labels, pixels]), delimiter=',', fmt='%d')"
"$bpnn" train --net "$here/../../examples/networks/lenet.json" --train "$work/digits.csv" --standardize \
  --optimizer momentum --lr 0.05 --batch-size 16 --epochs 1 --seed 3 --out "$work/lenet.safetensors" >/dev/null 2>&1
helper model-format "$docs/model-format.md" "$work/lenet.safetensors" "$work/x.csv" "$work/x-outputs.csv" "$work/x-p.csv"
"$bpnn" predict --raw --model "$work/lenet.safetensors" --data "$work/x.csv" --out "$work/x-raw-bpnn.csv"
"$bpnn" predict --model "$work/lenet.safetensors" --data "$work/x.csv" --out "$work/x-p-bpnn.csv"
check "model-format.md's loader: outputs vs bpnn predict --raw" "$(helper max-diff "$work/x-raw-bpnn.csv" "$work/x-outputs.csv")" 1e-5
check "model-format.md's loader: probabilities vs bpnn predict" "$(helper max-diff "$work/x-p-bpnn.csv" "$work/x-p.csv")" 1e-5
exit $fail
