#!/usr/bin/env bash
# The command line end to end on small files: each subcommand's output, and for bad input one
# clear line on stderr naming the file, a non-zero exit, and no output file left behind.
# Usage: run.sh BPNN_BINARY
set -uo pipefail
bpnn=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
passes=0
pass() { echo "ok   $1"; passes=$((passes + 1)); }
fail() { echo "FAIL $1"; failures=$((failures + 1)); }
# expect_error NAME PATTERN COMMAND...: the command fails, its last stderr line "bpnn: error: ..." matching PATTERN.
expect_error() {
  local name=$1 pattern=$2
  shift 2
  if "$@" >"$work/out" 2>"$work/err"; then fail "$name: exited 0"; return; fi
  # Progress lines may come first; the error is the last line, and one line.
  if tail -1 "$work/err" | grep -q -- "^bpnn: error: .*$pattern"; then pass "$name"; else
    fail "$name: stderr was: $(cat "$work/err")"; fi
}

# XOR-ish data: label first, two features.
printf 'label,x,y\n0,0,0\n1,0,1\n1,1,0\n0,1,1\n0,0.1,0.1\n1,0.1,0.9\n1,0.9,0.1\n0,0.9,0.9\n' >"$work/xor.csv"
"$bpnn" train --net 2-8tanh-2 --train "$work/xor.csv" --test "$work/xor.csv" --lr 0.5 --batch-size 4 --epochs 300 \
  --seed 1 --out "$work/xor.safetensors" --log "$work/xor.log" >/dev/null 2>"$work/train.err" && pass "train" || fail "train: $(cat "$work/train.err")"
[ "$(wc -l <"$work/xor.log")" -eq 301 ] && head -1 "$work/xor.log" | grep -q '^epoch,train_loss,train_accuracy,test_loss,test_accuracy,seconds$' \
  && pass "log has a header and 300 rows" || fail "log: $(head -2 "$work/xor.log")"
"$bpnn" eval --model "$work/xor.safetensors" --data "$work/xor.csv" >"$work/eval.txt" && grep -q '^accuracy: 1.0000$' "$work/eval.txt" \
  && pass "eval learns xor" || fail "eval: $(cat "$work/eval.txt")"
"$bpnn" eval --model "$work/xor.safetensors" --data "$work/xor.csv" --json | /usr/bin/python3 -c \
  'import json,sys; d=json.load(sys.stdin); assert d["accuracy"]==1.0 and d["samples"]==8 and len(d["confusion"])==2' \
  && pass "eval --json" || fail "eval --json"
"$bpnn" predict --model "$work/xor.safetensors" --data "$work/xor.csv" --out "$work/pred.csv" \
  && [ "$(head -1 "$work/pred.csv")" = "predicted,output0,output1" ] && [ "$(sed -n 3p "$work/pred.csv" | cut -d, -f1)" = 1 ] \
  && [ "$(wc -l <"$work/pred.csv")" -eq 9 ] && pass "predict" || fail "predict: $(head -3 "$work/pred.csv")"
"$bpnn" inspect --model "$work/xor.safetensors" --weights | grep -q '^0.weight \[8, 2\]$' && pass "inspect --weights" || fail "inspect"
"$bpnn" plot "$work/xor.log" --out "$work/xor.svg" >/dev/null && grep -q '<polyline' "$work/xor.svg" && pass "plot" || fail "plot"
"$bpnn" eval --model "$work/xor.safetensors" --data "$work/xor.csv" --report "$work/report" --log "$work/xor.log" 2>/dev/null >/dev/null \
  && grep -q 'Confusion matrix' "$work/report/index.html" && grep -q '<svg' "$work/report/index.html" && pass "eval --report" || fail "report"

"$bpnn" train --net 2-8tanh-2 --train "$work/xor.csv" --val "$work/xor.csv" --patience 5 --lr 0.5 --batch-size 4 \
  --epochs 400 --out "$work/val.safetensors" >/dev/null 2>"$work/val.err" \
  && grep -q "val loss .* (best)" "$work/val.err" && grep -q "keeping the weights of epoch [0-9]*, the best on the validation set" "$work/val.err" \
  && pass "validation and early stopping" || fail "validation: $(tail -2 "$work/val.err")"
expect_error "patience without validation" "\-\-patience needs a validation set" \
  "$bpnn" train --net 2-2 --train "$work/xor.csv" --patience 3 --out "$work/m"
expect_error "val fraction leaving nothing" "\-\-val-fraction .* leaves no training or no validation sample" \
  "$bpnn" train --net 2-2 --train "$work/xor.csv" --val-fraction 0.01 --out "$work/m"
expect_error "missing data file" "$work/none.csv: cannot open" \
  "$bpnn" train --net 2-2 --train "$work/none.csv" --out "$work/none.safetensors"
[ ! -e "$work/none.safetensors" ] && pass "no model left after a failed run" || fail "a model file was left"
expect_error "bad network" "layers\[0\] (dense): field 'units' must be a positive integer" \
  "$bpnn" train --net <(echo '{"input": [2], "layers": [{"type": "dense", "units": 0}]}') --train "$work/xor.csv" --out "$work/m"
expect_error "label beyond the outputs" "xor.csv: sample 1 has label 1, but the network has only 1 outputs" \
  "$bpnn" train --net 2-1 --train "$work/xor.csv" --out "$work/m"
expect_error "wrong input size" "xor.csv: samples have 2 values, the network takes \[3\]" \
  "$bpnn" train --net 3-2 --train "$work/xor.csv" --out "$work/m"
printf '1,2,3\n0,1\n' >"$work/ragged.csv"
expect_error "ragged csv" "ragged.csv:2: has 2 columns" "$bpnn" train --net 2-2 --train "$work/ragged.csv" --out "$work/m"
printf 'not a model' >"$work/junk.safetensors"
expect_error "junk model" "junk.safetensors: 11 bytes is too short\|junk.safetensors: header length" \
  "$bpnn" eval --model "$work/junk.safetensors" --data "$work/xor.csv"
expect_error "bad input range" "\-\-input-range: expected two numbers" \
  "$bpnn" train --net 2-2 --train "$work/xor.csv" --input-range 1 --out "$work/m"
expect_error "divergence names epoch and batch" "training diverged in epoch 1, batch [0-9] of 2: the loss is" \
  "$bpnn" train --net 2-8tanh-2 --train "$work/xor.csv" --lr 1e38 --batch-size 4 --loss mse --out "$work/diverged.safetensors"
"$bpnn" inspect --model "$work/diverged.safetensors" >/dev/null && pass "the last good model is kept after divergence" \
  || fail "no model after divergence"
expect_error "unknown option" "The following argument was not expected: --bogus" \
  "$bpnn" train --net 2-2 --train "$work/xor.csv" --out "$work/m" --bogus

echo "cli: $passes passed, $failures failed"
exit $((failures > 0))
