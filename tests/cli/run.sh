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
[ "$(wc -l <"$work/xor.log")" -eq 301 ] && head -1 "$work/xor.log" | grep -q '^epoch,train_loss,train_accuracy,test_loss,test_accuracy,val_loss,val_accuracy,seconds$' \
  && pass "log has a header and 300 rows" || fail "log: $(head -2 "$work/xor.log")"
# No validation set: its fields are empty; --test fills the test fields.
sed -n 2p "$work/xor.log" | grep -q '^1,[^,]*,[^,]*,[^,]\+,[^,]\+,,,[^,]*$' \
  && pass "log: test fields filled, validation fields empty" || fail "log row: $(sed -n 2p "$work/xor.log")"
"$bpnn" eval --model "$work/xor.safetensors" --data "$work/xor.csv" >"$work/eval.txt" && grep -q '^accuracy: 1.0000$' "$work/eval.txt" \
  && pass "eval learns xor" || fail "eval: $(cat "$work/eval.txt")"
"$bpnn" eval --model "$work/xor.safetensors" --data "$work/xor.csv" --json | /usr/bin/python3 -c \
  'import json,sys; d=json.load(sys.stdin); assert d["accuracy"]==1.0 and d["samples"]==8 and len(d["confusion"])==2' \
  && pass "eval --json" || fail "eval --json"
"$bpnn" predict --model "$work/xor.safetensors" --data "$work/xor.csv" --out "$work/pred.csv" \
  && [ "$(head -1 "$work/pred.csv")" = "predicted,p_0,p_1" ] && [ "$(sed -n 3p "$work/pred.csv" | cut -d, -f1)" = 1 ] \
  && [ "$(wc -l <"$work/pred.csv")" -eq 9 ] && pass "predict" || fail "predict: $(head -3 "$work/pred.csv")"
"$bpnn" inspect --model "$work/xor.safetensors" --weights | grep -q '^0.weight \[8, 2\]$' && pass "inspect --weights" || fail "inspect"
"$bpnn" plot "$work/xor.log" --out "$work/xor.svg" >/dev/null && grep -q '<polyline' "$work/xor.svg" && pass "plot" || fail "plot"
"$bpnn" eval --model "$work/xor.safetensors" --data "$work/xor.csv" --report "$work/report" --log "$work/xor.log" 2>/dev/null >/dev/null \
  && grep -q 'Confusion matrix' "$work/report/index.html" && grep -q '<svg' "$work/report/index.html" && pass "eval --report" || fail "report"

"$bpnn" train --net 2-8tanh-2 --train "$work/xor.csv" --val "$work/xor.csv" --patience 5 --lr 0.5 --batch-size 4 \
  --epochs 400 --out "$work/val.safetensors" >/dev/null 2>"$work/val.err" \
  && grep -q "val loss .* (best)" "$work/val.err" && grep -q "keeping the weights of epoch [0-9]*, the best on the validation set" "$work/val.err" \
  && pass "validation and early stopping" || fail "validation: $(tail -2 "$work/val.err")"
# --val-fraction fills the validation fields of the log, and the curves draw them.
"$bpnn" train --net 2-8tanh-2 --train "$work/xor.csv" --val-fraction 0.25 --lr 0.5 --batch-size 2 --epochs 5 \
  --out "$work/valf.safetensors" --log "$work/valf.log" >/dev/null 2>&1 \
  && sed -n 2p "$work/valf.log" | grep -q '^1,[^,]\+,[^,]\+,,,[^,]\+,[^,]\+,[^,]\+$' \
  && "$bpnn" plot "$work/valf.log" --out "$work/valf.svg" >/dev/null && grep -q '>validation</text>' "$work/valf.svg" \
  && pass "--val-fraction fills the log's validation fields" || fail "val log: $(sed -n 1,2p "$work/valf.log")"

# Regression, two targets: R², no accuracy, scatter and residual plots instead of a confusion matrix.
awk 'BEGIN { srand(7); print "a,b,c,sum,diff"; for (i = 0; i < 200; i++) { a = rand(); b = rand(); c = rand();
  printf "%.4f,%.4f,%.4f,%.4f,%.4f\n", a, b, c, a + b, a - c } }' >"$work/reg.csv"
"$bpnn" train --net 3-16tanh-2 --train "$work/reg.csv" --target-cols 2 --loss mse --optimizer adam --lr 0.01 \
  --epochs 30 --val-fraction 0.2 --out "$work/reg.safetensors" --log "$work/reg.log" >/dev/null 2>"$work/reg.err" \
  && sed -n 2p "$work/reg.log" | grep -q '^1,[^,]\+,,,,[^,]\+,,[^,]\+$' \
  && pass "regression log: losses filled, accuracy fields empty" || fail "regression train: $(tail -1 "$work/reg.err") $(sed -n 2p "$work/reg.log")"
"$bpnn" eval --model "$work/reg.safetensors" --data "$work/reg.csv" --target-cols 2 >"$work/reg.txt" \
  && grep -q '^r2: 0\.[5-9]' "$work/reg.txt" && grep -q '^mse: ' "$work/reg.txt" \
  && pass "eval prints r2 for regression" || fail "regression eval: $(cat "$work/reg.txt")"
"$bpnn" eval --model "$work/reg.safetensors" --data "$work/reg.csv" --target-cols 2 --json | /usr/bin/python3 -c \
  'import json,sys; d=json.load(sys.stdin); assert 0.5 < d["r2"] <= 1 and "mae" in d and "accuracy" not in d' \
  && pass "eval --json has r2" || fail "eval --json r2"
"$bpnn" eval --model "$work/reg.safetensors" --data "$work/reg.csv" --target-cols 2 --report "$work/regreport" \
  --log "$work/reg.log" >/dev/null 2>&1 && grep -q 'R²' "$work/regreport/index.html" \
  && ! grep -q 'Confusion matrix' "$work/regreport/index.html" && grep -q "<svg [^>]*class='scatter'" "$work/regreport/index.html" \
  && grep -q '<circle' "$work/regreport/scatter_output1.svg" && [ -f "$work/regreport/residuals_output0.svg" ] \
  && ! grep -q '>accuracy</text>' "$work/regreport/curves.svg" \
  && pass "regression report: R², scatter and residual plots, no confusion matrix" || fail "regression report: $(ls "$work/regreport")"

# Tabular classification: misclassified rows listed as values, not drawn as images. A linear
# network cannot learn XOR, so some rows are wrong.
"$bpnn" train --net 2-2 --train "$work/xor.csv" --epochs 1 --seed 1 --out "$work/linear.safetensors" >/dev/null 2>&1 \
  && "$bpnn" eval --model "$work/linear.safetensors" --data "$work/xor.csv" --report "$work/tabreport" >/dev/null 2>&1 \
  && grep -q "<table class='values'>" "$work/tabreport/index.html" && grep -q '<th>x</th><th>y</th>' "$work/tabreport/index.html" \
  && grep -q "<td class='wrong'>[0-9]</td><td>[0-9.]*</td><td>[0-9.]*</td></tr>" "$work/tabreport/index.html" && ! grep -q '<img' "$work/tabreport/index.html" \
  && pass "tabular report lists misclassified rows as values" || fail "tabular report"

expect_error "patience without validation" "\-\-patience needs a validation set" \
  "$bpnn" train --net 2-2 --train "$work/xor.csv" --patience 3 --out "$work/m"
expect_error "val fraction leaving nothing" "\-\-val-fraction .* leaves no training or no validation sample" \
  "$bpnn" train --net 2-2 --train "$work/xor.csv" --val-fraction 0.01 --out "$work/m"
expect_error "missing data file" "$work/none.csv: no such file" \
  "$bpnn" train --net 2-2 --train "$work/none.csv" --out "$work/none.safetensors"
[ ! -e "$work/none.safetensors" ] && pass "no model left after a failed run" || fail "a model file was left"
expect_error "bad network" "layers\[0\] (dense): field 'units' must be a positive integer" \
  "$bpnn" train --net <(echo '{"input": [2], "layers": [{"type": "dense", "units": 0}]}') --train "$work/xor.csv" --out "$work/m"
expect_error "two classes on one output without a sigmoid" \
  "xor.csv: two classes on one output are read as its probability of class 1, through a sigmoid, and trained with bce; .*end the network in sigmoid (such as 2-8tanh-1sigmoid), which trains with bce by default, or give it 2 outputs" \
  "$bpnn" train --net 2-1 --train "$work/xor.csv" --out "$work/m"
printf 'y,a,b\n0,0,0\n1,0,1\n2,1,0\n' >"$work/three.csv"
expect_error "label beyond the outputs" "three.csv: sample 2 has label 2, but the network has only 2 outputs" \
  "$bpnn" train --net 2-2 --train "$work/three.csv" --out "$work/m"
expect_error "wrong input size" "xor.csv: samples have 2 values, the network takes \[3\]" \
  "$bpnn" train --net 3-2 --train "$work/xor.csv" --out "$work/m"
printf '1,2,3\n0,1\n' >"$work/ragged.csv"
expect_error "ragged csv" "ragged.csv:2: has 2 columns" "$bpnn" train --net 2-2 --train "$work/ragged.csv" --out "$work/m"
printf 'not a model' >"$work/junk.safetensors"
expect_error "junk model" "junk.safetensors: 11 bytes is too short\|junk.safetensors: header length" \
  "$bpnn" eval --model "$work/junk.safetensors" --data "$work/xor.csv"
expect_error "bad input range" "\-\-input-range: expected two numbers" \
  "$bpnn" train --net 2-2 --train "$work/xor.csv" --input-range 1 --out "$work/m"
expect_error "divergence names epoch and batch, and the flag" \
  "training diverged in epoch 1, batch [0-9] of 2: the loss is .*; try a smaller learning rate, or clip the gradients' norm (--max-grad-norm)" \
  "$bpnn" train --net 2-8tanh-2 --train "$work/xor.csv" --lr 1e38 --batch-size 4 --loss mse --out "$work/diverged.safetensors"
"$bpnn" inspect --model "$work/diverged.safetensors" >/dev/null && pass "the last good model is kept after divergence" \
  || fail "no model after divergence"
expect_error "unknown option" "unknown option '--bogus' for bpnn train" \
  "$bpnn" train --net 2-2 --train "$work/xor.csv" --out "$work/m" --bogus

# Flags are checked before any work, in plain words.
expect_error "did you mean an option" "unknown option '--epoch' for bpnn train; did you mean '--epochs'?" \
  "$bpnn" train --net 2-2 --train "$work/xor.csv" --out "$work/m" --epoch 3
expect_error "did you mean a command" "unknown command 'trian'; did you mean 'train'?" "$bpnn" trian --net 2-2
expect_error "negative epochs" "\-\-epochs: must be a whole number of at least 1, got '-1'" \
  "$bpnn" train --net 2-2 --train "$work/xor.csv" --out "$work/m" --epochs -1
expect_error "negative seed" "\-\-seed: must be a whole number of at least 0, got '-1'" \
  "$bpnn" train --net 2-2 --train "$work/xor.csv" --out "$work/m" --seed -1
expect_error "negative patience" "\-\-patience: must be a whole number of at least 0, got '-1'" \
  "$bpnn" train --net 2-2 --train "$work/xor.csv" --out "$work/m" --patience -1
expect_error "range in plain words" "\-\-weight-decay: must be a number >= 0, got '-0.5'" \
  "$bpnn" train --net 2-2 --train "$work/xor.csv" --out "$work/m" --weight-decay -0.5
expect_error "momentum without its optimizer" "optimizer 'sgd' has no momentum option" \
  "$bpnn" train --net 2-2 --train "$work/xor.csv" --out "$work/m" --momentum 0.9
expect_error "gamma without a step schedule" "gamma" \
  "$bpnn" train --net 2-2 --train "$work/xor.csv" --out "$work/m" --lr-gamma 0.5
expect_error "--out in a missing folder, before training" "\-\-out $work/nowhere/m.safetensors: the folder $work/nowhere does not exist" \
  "$bpnn" train --net 2-2 --train "$work/xor.csv" --out "$work/nowhere/m.safetensors"
expect_error "--out a directory" "\-\-out $work: is a directory" "$bpnn" train --net 2-2 --train "$work/xor.csv" --out "$work"
expect_error "--log in a missing folder" "\-\-log $work/nowhere/log.csv: the folder" \
  "$bpnn" train --net 2-2 --train "$work/xor.csv" --out "$work/m" --log "$work/nowhere/log.csv"
expect_error "missing network file" "\-\-net $work/nonexist.json: no such file" \
  "$bpnn" train --net "$work/nonexist.json" --train "$work/xor.csv" --out "$work/m"
"$bpnn" --version | grep -q '^bpnn [0-9]*\.[0-9]*\.[0-9]*$' && pass "--version" || fail "--version: $("$bpnn" --version 2>&1)"
"$bpnn" --help >"$work/help.txt" && grep -q '^Train dense and convolutional networks on IDX, CSV or FANN data' "$work/help.txt" \
  && grep -q '^  train  *Train a network on a data set (sgd, adam, rprop, ...) and save the model$' "$work/help.txt" \
  && ! grep -q 'with SGD' "$work/help.txt" && pass "--help describes the tool" || fail "--help: $(head -5 "$work/help.txt")"

# Ctrl-C mid-run: a checkpoint, the resume command, exit 130; resumed, the model file is the one an
# uninterrupted run writes, byte for byte. The signal is sent once the log shows epoch 1 done, so
# the stop lands in epoch 2 (or, on a very slow machine, between two epochs).
awk 'BEGIN { srand(5); print "label,f1,f2,f3,f4,f5,f6,f7,f8"; for (i = 0; i < 20000; i++) {
  a = rand(); b = rand(); printf "%d,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f\n", (a + b > 1), a, b, rand(), rand(), rand(), rand(), rand(), rand() } }' >"$work/long.csv"
long=(train --net 8-128tanh-128tanh-2 --train "$work/long.csv" --lr 0.01 --batch-size 1 --epochs 3 --optimizer momentum
      --momentum 0.5 --seed 3)
# after_first_epoch LOG PID SIGNAL: sends SIGNAL to PID once LOG holds epoch 1 (at most 120 s).
after_first_epoch() {
  for _ in $(seq 2400); do
    [ -f "$1" ] && [ "$(wc -l <"$1")" -ge 2 ] && break
    sleep 0.05
  done
  kill "-$3" "$2"
}
"$bpnn" "${long[@]}" --out "$work/full.safetensors" >/dev/null 2>&1
"$bpnn" "${long[@]}" --out "$work/part.safetensors" --log "$work/part.log" >/dev/null 2>"$work/interrupted.err" &
pid=$!
after_first_epoch "$work/part.log" $pid INT
wait $pid
status=$?
resume=$(sed -n 's/^to continue: //p' "$work/interrupted.err")
if [ $status -eq 130 ] && grep -q "^training stopped \(in epoch [0-9]* after batch [0-9]* of 20000\|before epoch [0-9]*\); checkpoint written to $work/part.safetensors.ckpt$" "$work/interrupted.err" \
  && [ -f "$work/part.safetensors.ckpt" ] && [ ! -e "$work/part.safetensors" ] && [ -n "$resume" ]; then
  pass "SIGINT: checkpoint, resume command, exit 130 ($(grep '^training stopped' "$work/interrupted.err"))"
  bash -c "$resume" >/dev/null 2>&1 && cmp -s "$work/full.safetensors" "$work/part.safetensors" \
    && pass "resumed after SIGINT: the same model as an uninterrupted run" || fail "resumed after SIGINT: the model differs ($resume)"
else
  fail "SIGINT: exit $status, stderr: $(cat "$work/interrupted.err")"
fi
"$bpnn" "${long[@]}" --out "$work/term.safetensors" --checkpoint "$work/term.ckpt" --log "$work/term.log" >/dev/null 2>&1 &
pid=$!
after_first_epoch "$work/term.log" $pid TERM
wait $pid
status=$?
[ $status -eq 143 ] && [ -f "$work/term.ckpt" ] && pass "SIGTERM: checkpoint at --checkpoint, exit 143" || fail "SIGTERM: exit $status"
expect_error "resume from a checkpoint of another network" "term.ckpt: the checkpoint was written for a network with the tensors" \
  "$bpnn" train --net 8-2 --train "$work/long.csv" --out "$work/m" --resume "$work/term.ckpt"

# People's own data (issue 14): each line of the issue reproduced, and what happens now.
# A CSV with a header, string labels in a column that is not the first, and a ';' delimiter.
awk 'BEGIN { srand(11); print "sepal;width;species;petal"; split("setosa versicolor virginica", n, " ");
  for (i = 0; i < 150; i++) { c = i % 3; printf "%.3f;%.3f;%s;%.3f\n", c * 2 + rand(), c + rand(), n[c + 1], -1.5 * c + rand() } }' >"$work/iris.csv"
awk 'BEGIN { srand(11); print "sepal;width;petal";
  for (i = 0; i < 150; i++) { c = i % 3; a = c * 2 + rand(); b = c + rand(); x = rand(); d = -1.5 * c + rand(); if (i < 6) printf "%.3f;%.3f;%.3f\n", a, b, d } }' >"$work/iris-new.csv"
"$bpnn" train --net 3-16tanh-3 --train "$work/iris.csv" --label species --standardize --lr 0.1 --epochs 60 \
  --out "$work/iris.safetensors" >/dev/null 2>"$work/iris.err" && pass "train on string labels, a named label column, ';'" \
  || fail "iris train: $(tail -1 "$work/iris.err")"
"$bpnn" predict --model "$work/iris.safetensors" --data "$work/iris-new.csv" >"$work/iris-pred.csv" 2>"$work/iris-pred.err" \
  && [ "$(head -1 "$work/iris-pred.csv")" = "predicted,p_setosa,p_versicolor,p_virginica" ] \
  && [ "$(sed -n 2,4p "$work/iris-pred.csv" | cut -d, -f1 | tr '\n' ' ')" = "setosa versicolor virginica " ] \
  && pass "predict on inputs only prints the class names, no flag repeated" \
  || fail "iris predict: $(cat "$work/iris-pred.err") $(head -3 "$work/iris-pred.csv")"
/usr/bin/python3 -c "
import csv, sys
rows = list(csv.reader(open('$work/iris-pred.csv')))[1:]
assert all(abs(sum(map(float, r[1:])) - 1) < 1e-5 for r in rows), 'probabilities do not sum to 1'" \
  && pass "predict prints probabilities" || fail "predict probabilities"
"$bpnn" eval --model "$work/iris.safetensors" --data "$work/iris.csv" | grep -q "^classes: 0 setosa 1 versicolor 2 virginica$" \
  && pass "eval applies the model's columns, scaling and class names" || fail "iris eval"
"$bpnn" predict --model "$work/iris.safetensors" --data "$work/iris-new.csv" --json | /usr/bin/python3 -c \
  'import json,sys; d=json.load(sys.stdin); assert len(d)==6 and d[0]["predicted"]=="setosa" and "p_setosa" in d[0]["outputs"]' \
  && pass "predict --json" || fail "predict --json"

# Columns by name (issue 28): a file with its columns in another order gives the same predictions;
# a missing, unknown or renamed column is refused with both lists; --drop leaves an ID column out.
# reorder IN OUT COLUMNS...: IN's columns (';'-separated) in the order named, each by its header name.
reorder() {
  local in=$1 out=$2
  shift 2
  /usr/bin/python3 -c "
import csv, sys
rows = list(csv.reader(open(sys.argv[1]), delimiter=';'))
order = [rows[0].index(name) if name in rows[0] else -1 for name in sys.argv[3:]]
with open(sys.argv[2], 'w') as f:
    for n, r in enumerate(rows):
        f.write(','.join((sys.argv[3 + k] if n == 0 else str(1000 + n)) if i < 0 else r[i] for k, i in enumerate(order)) + '\n')
" "$in" "$out" "$@"
}
reorder "$work/iris.csv" "$work/iris-reordered.csv" petal species sepal width
reorder "$work/iris-new.csv" "$work/iris-new-reordered.csv" width petal sepal
reorder "$work/iris-new.csv" "$work/iris-new-id.csv" width id petal sepal
reorder "$work/iris-new.csv" "$work/iris-new-missing.csv" petal sepal
reorder "$work/iris-new.csv" "$work/iris-new-renamed.csv" sepal Width petal
sed -i '1s/Width/breadth/' "$work/iris-new-renamed.csv"
"$bpnn" predict --model "$work/iris.safetensors" --data "$work/iris-new-reordered.csv" >"$work/iris-pred-reordered.csv" \
  && cmp -s "$work/iris-pred.csv" "$work/iris-pred-reordered.csv" \
  && "$bpnn" predict --model "$work/iris.safetensors" --data "$work/iris-reordered.csv" >"$work/iris-pred-all-reordered.csv" \
  && "$bpnn" predict --model "$work/iris.safetensors" --data "$work/iris.csv" | cmp -s - "$work/iris-pred-all-reordered.csv" \
  && pass "predict: columns in another order, with or without the label, give the same predictions" \
  || fail "reordered predict: $(head -3 "$work/iris-pred-reordered.csv")"
"$bpnn" eval --model "$work/iris.safetensors" --data "$work/iris-reordered.csv" --json >"$work/eval-reordered.json" \
  && "$bpnn" eval --model "$work/iris.safetensors" --data "$work/iris.csv" --json | cmp -s - "$work/eval-reordered.json" \
  && pass "eval: columns in another order give the same loss and confusion matrix" || fail "reordered eval"
expect_error "predict: a missing column is named" \
  "iris-new-missing.csv: the header does not match the columns the model was trained on: seen at training, yet now missing: width (the model's inputs, in its order: sepal, width, petal)" \
  "$bpnn" predict --model "$work/iris.safetensors" --data "$work/iris-new-missing.csv"
expect_error "eval: a missing column is named" "seen at training, yet now missing: width" \
  "$bpnn" eval --model "$work/iris.safetensors" --data "$work/iris-new-missing.csv"
expect_error "predict: an unknown column is named, with the flag that leaves it out" \
  "iris-new-id.csv: .*feature names unseen at training: id (the model's inputs, in its order: sepal, width, petal); a column the model does not use can be left out with --drop NAME" \
  "$bpnn" predict --model "$work/iris.safetensors" --data "$work/iris-new-id.csv"
"$bpnn" predict --model "$work/iris.safetensors" --data "$work/iris-new-id.csv" --drop id | cmp -s - "$work/iris-pred.csv" \
  && pass "predict --drop id: the same predictions" || fail "predict --drop"
expect_error "predict: a renamed column is refused" \
  "feature names unseen at training: breadth; seen at training, yet now missing: width" \
  "$bpnn" predict --model "$work/iris.safetensors" --data "$work/iris-new-renamed.csv"
# An ID column dropped when training is left out of later files by its name, wherever it is.
reorder "$work/iris.csv" "$work/iris-id.csv" id sepal width species petal
"$bpnn" train --net 3-16tanh-3 --train "$work/iris-id.csv" --label species --drop id --standardize --lr 0.1 --epochs 60 \
  --out "$work/iris-id.safetensors" >/dev/null 2>&1 \
  && "$bpnn" predict --model "$work/iris-id.safetensors" --data "$work/iris-new-id.csv" | cmp -s - "$work/iris-pred.csv" \
  && "$bpnn" predict --model "$work/iris-id.safetensors" --data "$work/iris-new-reordered.csv" | cmp -s - "$work/iris-pred.csv" \
  && pass "train --drop id: the same model; predict leaves the id out where it is, and needs none" \
  || fail "train --drop id"

# Labels as people have them: the tutorial's XOR (a,b,y, one sigmoid output) trains with bce, no
# flag needed; eval's loss is the BCE of predict's probabilities.
printf 'a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n' >"$work/xor-tutorial.csv"
"$bpnn" train --net 2-3sigmoid-1sigmoid --train "$work/xor-tutorial.csv" --lr 0.5 --batch-size 4 --epochs 2000 --seed 1 \
  --out "$work/xor1.safetensors" >/dev/null 2>"$work/xor1.err" && grep -q ", loss bce," "$work/xor1.err" \
  && "$bpnn" eval --model "$work/xor1.safetensors" --data "$work/xor-tutorial.csv" >"$work/xor1.txt" \
  && grep -q '^accuracy: 1.0000$' "$work/xor1.txt" \
  && "$bpnn" predict --model "$work/xor1.safetensors" --data "$work/xor-tutorial.csv" >"$work/xor1-pred.csv" \
  && [ "$(cut -d, -f1 "$work/xor1-pred.csv" | tr '\n' ' ')" = "predicted 0 1 1 0 " ] \
  && /usr/bin/python3 -c "
import csv, math
p = [float(r['p_1']) for r in csv.DictReader(open('$work/xor1-pred.csv'))]
y = [0, 1, 1, 0]
bce = -sum(t * math.log(q) + (1 - t) * math.log(1 - q) for t, q in zip(y, p)) / 4
loss = float(open('$work/xor1.txt').read().split('loss: ')[1].split()[0])
assert abs(bce - loss) < 2e-6, (bce, loss)" \
  && pass "XOR a,b,y on one sigmoid output: bce by default, learns XOR, eval's loss is the BCE of its probabilities" \
  || fail "xor one output: $(tail -1 "$work/xor1.err") $(cat "$work/xor1.txt" "$work/xor1-pred.csv")"
# UCI's wine (scikit-learn's copy), as wine.data has it: no header, the class 1..3 first.
/usr/bin/python3 -c "
from sklearn.datasets import load_wine
d = load_wine()
with open('$work/wine.data', 'w') as f:
    for x, t in zip(d.data, d.target): f.write(','.join([str(t + 1)] + ['%g' % v for v in x]) + '\n')"
"$bpnn" train --net 13-16tanh-3 --train "$work/wine.data" --standardize --epochs 30 --out "$work/wine.safetensors" \
  >/dev/null 2>&1 && "$bpnn" eval --model "$work/wine.safetensors" --data "$work/wine.data" >"$work/wine.txt" \
  && grep -q '^classes: 0 1 1 2 2 3$' "$work/wine.txt" && grep -q '^ *1 *2 *3$' "$work/wine.txt" \
  && [ "$(sed -n '/^class /,/^$/p' "$work/wine.txt" | awk 'NF == 4 && $1 != "class" {print $1 ":" $4}' | tr '\n' ' ')" = "1:59 2:71 3:48 " ] \
  && "$bpnn" predict --model "$work/wine.safetensors" --data "$work/wine.data" --out "$work/wine-pred.csv" \
  && [ "$(head -1 "$work/wine-pred.csv")" = "predicted,p_1,p_2,p_3" ] \
  && pass "wine.data (labels 1..3) trains with 3 outputs and reports classes 1, 2, 3 (59, 71, 48 samples)" \
  || fail "wine: $(cat "$work/wine.txt")"
expect_error "wine on 4 outputs: one output per class" \
  "wine.data: the labels are 3 classes (1, 2, 3), and the network has 4 outputs: give it one output per class (3)" \
  "$bpnn" train --net 13-16tanh-4 --train "$work/wine.data" --out "$work/m"
# A headerless file's one column of text is its label (UCI's iris.data); messages name columns as
# the flags do, 0-based, with the value to give.
awk 'BEGIN { srand(4); split("Iris-setosa Iris-versicolor", n, " "); for (i = 0; i < 40; i++) { c = i % 2;
  printf "%.2f,%.2f,%s\n", c * 2 + rand(), c + rand(), n[c + 1] } }' >"$work/iris.data"
"$bpnn" train --net 2-8tanh-2 --train "$work/iris.data" --epochs 20 --out "$work/irisdata.safetensors" >/dev/null 2>&1 \
  && "$bpnn" eval --model "$work/irisdata.safetensors" --data "$work/iris.data" | grep -q '^classes: 0 Iris-setosa 1 Iris-versicolor$' \
  && pass "a headerless file's one column of text is the label" || fail "iris.data label"
printf '1,a,2,b\n3,c,4,d\n' >"$work/two-text.csv"
expect_error "a column of text: the message names it 0-based, with the flag values" \
  "two-text.csv:1: column index 1: 'a' is not a number; if it holds the class labels, make it the label column (--label 1); to leave it out, --drop 1" \
  "$bpnn" train --net 2-2 --train "$work/two-text.csv" --out "$work/m"
printf 'label,x,y\n99999999999,0,1\n' >"$work/huge.csv"
expect_error "a huge label for a model whose labels are class ids" \
  "huge.csv:2: class label '99999999999' in column 'label' (index 0) is not a class id: the model's classes are the whole numbers 0, 1, ... it was trained on, and no class id is above 16777215" \
  "$bpnn" eval --model "$work/xor.safetensors" --data "$work/huge.csv"
# Regression targets by name, in the order given; --one-hot is --targets' new name, both work.
"$bpnn" train --net 3-16tanh-2 --train "$work/reg.csv" --target-columns diff,sum --epochs 2 --out "$work/named.safetensors" \
  >/dev/null 2>&1 && "$bpnn" predict --model "$work/named.safetensors" --data "$work/reg.csv" --out "$work/named.csv" \
  && [ "$(head -1 "$work/named.csv")" = "diff,sum" ] \
  && pass "--target-columns names the targets, in its order" || fail "--target-columns"
"$bpnn" train --net 2-8tanh-2 --train "$work/xor.csv" --loss mse --one-hot 0.1,0.9 --epochs 1 --out "$work/oh1.safetensors" >/dev/null 2>&1 \
  && "$bpnn" train --net 2-8tanh-2 --train "$work/xor.csv" --loss mse --targets 0.1,0.9 --epochs 1 --out "$work/oh2.safetensors" >/dev/null 2>&1 \
  && cmp -s "$work/oh1.safetensors" "$work/oh2.safetensors" && pass "--one-hot and its older name --targets" || fail "--one-hot"
# The report lists misclassified rows with the file's values and the model's names, not the
# standardized values and x0, x1.
printf 'label,left,right\n0,0,0\n1,0,100\n1,100,0\n0,100,100\n' >"$work/xor100.csv"
"$bpnn" train --net 2-2 --train "$work/xor100.csv" --standardize --epochs 1 --seed 1 --out "$work/xor100.safetensors" >/dev/null 2>&1 \
  && "$bpnn" eval --model "$work/xor100.safetensors" --data "$work/xor100.csv" --report "$work/report100" >/dev/null 2>&1 \
  && grep -q '<th>left</th><th>right</th>' "$work/report100/index.html" \
  && grep -q "<td class='wrong'>[01]</td><td>\(0\|100\)</td><td>\(0\|100\)</td></tr>" "$work/report100/index.html" \
  && ! grep -q '<td>-1</td>\|<td>1</td></tr>' "$work/report100/index.html" \
  && pass "report: raw values under the feature names" || fail "report raw values: $(grep -o "<tr><td>.*" "$work/report100/index.html" | head -3)"
# Regression with the default loss: mse, not cross-entropy (which printed loss 0.0000 before).
awk 'BEGIN { srand(3); for (i = 0; i < 200; i++) { a = rand(); b = rand(); c = rand(); printf "%.4f,%.4f,%.4f,%.4f\n", a, b, c, a + b - c } }' >"$work/r1.csv"
"$bpnn" train --net 3-16tanh-1 --train "$work/r1.csv" --target-cols 1 --epochs 30 --lr 0.05 --out "$work/r1.safetensors" \
  >/dev/null 2>"$work/r1.err" && grep -q "loss mse" "$work/r1.err" && ! grep -q "loss 0.0000 " "$work/r1.err" \
  && pass "regression defaults to mse" || fail "regression default loss: $(cat "$work/r1.err" | tail -2)"
"$bpnn" eval --model "$work/r1.safetensors" --data "$work/r1.csv" | grep -q "^r2: " \
  && pass "a regression model is scored as regression without --target-cols" || fail "regression eval without flags"
expect_error "cross-entropy on real targets" "cross_entropy needs class labels, and these targets are real values" \
  "$bpnn" train --net 3-4-1 --train "$work/r1.csv" --target-cols 1 --loss cross_entropy --out "$work/m"
expect_error "softmax before cross-entropy" "the network ends in softmax, and cross_entropy applies softmax itself" \
  "$bpnn" train --net 3-4-3softmax --train "$work/iris.csv" --label species --out "$work/m"
# A FANN training file named *.train is read by content, as regression.
printf '4 2 1\n0 0\n0\n0 1\n1\n1 0\n1\n1 1\n0\n' >"$work/xor.train"
"$bpnn" train --net 2-4tanh-1 --train "$work/xor.train" --epochs 5 --out "$work/fann.safetensors" >/dev/null 2>"$work/fann.err" \
  && grep -q "loss mse" "$work/fann.err" && "$bpnn" eval --model "$work/fann.safetensors" --data "$work/xor.train" | grep -q "^mse: " \
  && pass "FANN *.train read by content, regression by default" || fail "fann: $(tail -2 "$work/fann.err")"
"$bpnn" predict --model "$work/fann.safetensors" --data "$work/xor.train" | head -1 | grep -q '^output0$' \
  && pass "predict on a FANN file" || fail "predict fann"
# Pixels 0..255 in a CSV without scaling: a divergence says to scale; --normalize learns.
awk 'BEGIN { srand(1); for (i = 0; i < 200; i++) { c = i % 2; printf "%d", c;
  for (j = 0; j < 16; j++) printf ",%d", (j < 8) == (c == 1) ? 200 + int(rand() * 55) : int(rand() * 40); printf "\n" } }' >"$work/pixels.csv"
expect_error "unscaled pixels: the divergence says to scale them" "the inputs reach 254: scale them with --normalize or --standardize" \
  "$bpnn" train --net 16-8sigmoid-2 --loss mse --train "$work/pixels.csv" --lr 20 --batch-size 1 --epochs 3 --out "$work/px.safetensors"
"$bpnn" train --net 16-8relu-2 --train "$work/pixels.csv" --normalize --lr 0.5 --batch-size 1 --epochs 3 --out "$work/px.safetensors" \
  >/dev/null 2>&1 && "$bpnn" eval --model "$work/px.safetensors" --data "$work/pixels.csv" | grep -q "^accuracy: 1.0000$" \
  && pass "--normalize: the same pixels learn, and eval scales them as training did" || fail "--normalize"
# IDX images without a labels file, and a model trained with --input-range used without it.
mkdir -p "$work/idx" "$work/unlabelled"
/usr/bin/python3 -c "
import struct, random
random.seed(2)
n = 40
labels = [i % 2 for i in range(n)]
pixels = bytes(min(255, max(0, (200 if (p < 8) == (l == 1) else 30) + random.randint(-20, 20))) for l in labels for p in range(16))
open('$work/idx/train-images-idx3-ubyte', 'wb').write(struct.pack('>IIII', 0x803, n, 4, 4) + pixels)
open('$work/idx/train-labels-idx1-ubyte', 'wb').write(struct.pack('>II', 0x801, n) + bytes(labels))
open('$work/unlabelled/new-images-idx3-ubyte', 'wb').write(struct.pack('>IIII', 0x803, n, 4, 4) + pixels)"
"$bpnn" train --net '{"input": [4, 4], "layers": [{"type": "flatten"}, {"type": "dense", "units": 2}]}' \
  --train "$work/idx/train-images-idx3-ubyte" --input-range 0.01,0.99 --epochs 20 --lr 0.5 --out "$work/idx.safetensors" >/dev/null 2>&1
with_flag=$("$bpnn" eval --model "$work/idx.safetensors" --data "$work/idx/train-images-idx3-ubyte" --input-range 0.01,0.99 | sed -n 's/^loss: //p')
without=$("$bpnn" eval --model "$work/idx.safetensors" --data "$work/idx/train-images-idx3-ubyte" | sed -n 's/^loss: //p')
[ -n "$without" ] && [ "$with_flag" = "$without" ] && pass "the model remembers --input-range ($without)" \
  || fail "input range remembered: '$with_flag' vs '$without'"
"$bpnn" predict --model "$work/idx.safetensors" --data "$work/unlabelled/new-images-idx3-ubyte" >"$work/idx-pred.csv" 2>"$work/idx-pred.err" \
  && [ "$(wc -l <"$work/idx-pred.csv")" -eq 41 ] && pass "predict on IDX images without labels" \
  || fail "idx predict: $(cat "$work/idx-pred.err")"
"$bpnn" eval --model "$work/iris.safetensors" --data "$work" 2>"$work/dir.err" >/dev/null; grep -q "is a directory" "$work/dir.err" \
  && pass "a directory as data: 'is a directory'" || fail "directory: $(cat "$work/dir.err")"

# explain: the worked example's numbers of one step, from the demo's model file (its given weights, in double).
"$bpnn" demo mazur --save "$work/mazur.safetensors" >/dev/null && "$bpnn" explain --model "$work/mazur.safetensors" \
  --input 0.05,0.1 --target 0.01,0.99 --lr 0.5 --weight w5 --weight w1 >"$work/explain.txt" 2>"$work/explain.err" \
  && grep -q '^  o1     net  1.105905967  out  0.751365070  target 0.010000000  E_o1 0.274811083$' "$work/explain.txt" \
  && grep -q '^E = 0.298371109 (mse)$' "$work/explain.txt" \
  && grep -q '^  h1     dE/dout  0.036350306  dout/dnet  0.241300709  delta  0.008771355$' "$work/explain.txt" \
  && grep -q '^  w5      h1 -> o1        0.400000000  0.082167041 -0.041083520  0.358916480$' "$work/explain.txt" \
  && grep -q '^  w1      i1 -> h1        0.150000000  0.000438568 -0.000219284  0.149780716$' "$work/explain.txt" \
  && grep -q '^chain rule for w5 (h1 -> o1): dE/dw5 = dE/dout_o1 \* dout_o1/dnet_o1 \* dnet_o1/dw5$' \
    "$work/explain.txt" \
  && grep -q '^  dE/dout_o1 = out_o1 - target_o1 = 0.741365070$' "$work/explain.txt" \
  && grep -q '^  dout_o1/dnet_o1 = out_o1 (1 - out_o1) = 0.186815602$' "$work/explain.txt" \
  && grep -q '^  dnet_o1/dw5 = out_h1 = 0.593269992$' "$work/explain.txt" \
  && grep -q '^  product 0.082167041; back-propagation 0.082167041$' "$work/explain.txt" \
  && grep -q '^      through o2: delta_o2 -0.038098237 \* w7 0.500000000 = -0.019049118$' "$work/explain.txt" \
  && grep -q '^  product 0.000438568; back-propagation 0.000438568$' "$work/explain.txt" \
  && pass "explain: the worked example's numbers and chain rules" \
  || fail "explain: $(cat "$work/explain.err" "$work/explain.txt")"
"$bpnn" explain --model "$work/xor.safetensors" --input 0,1 --target 1 --check-gradients >"$work/check.txt" 2>&1 \
  && grep -q '^  2.weight *16 *0 ' "$work/check.txt" && grep -q '^passed: 44 elements agree' "$work/check.txt" \
  && grep -q 'E = [0-9.]* (cross_entropy)' "$work/check.txt" \
  && pass "explain --check-gradients: a class index, every tensor checked" \
  || fail "explain check: $(cat "$work/check.txt")"
expect_error "explain: a weight it does not have" "no weight or bias named 'w99': the weights are w1 .. w8" \
  "$bpnn" explain --model "$work/mazur.safetensors" --input 0.05,0.1 --target 0.01,0.99 --weight w99
expect_error "explain: an input that is not a number" "--input: 'x' is not a number" \
  "$bpnn" explain --model "$work/mazur.safetensors" --input 0.05,x --target 0.01,0.99
expect_error "explain: too few targets" "--target: the model has 2 outputs, got 1 numbers" \
  "$bpnn" explain --model "$work/mazur.safetensors" --input 0.05,0.1 --target 0.01

# --stop-at-loss (FANN's desired_error): training ends after the first epoch whose training loss is
# at most the value, and the model is the one a run of exactly that many epochs writes.
"$bpnn" train --net 2-8tanh-2 --train "$work/xor.csv" --lr 0.5 --batch-size 4 --epochs 300 --seed 1 --stop-at-loss 0.05 \
  --out "$work/stop.safetensors" --log "$work/stop.log" >/dev/null 2>"$work/stop.err"
stopped_at=$(sed -n 's/^stopped after epoch \([0-9]*\): the training loss reached --stop-at-loss 0.05$/\1/p' "$work/stop.err")
if [ -n "$stopped_at" ] && [ "$stopped_at" -lt 300 ] && [ "$(wc -l <"$work/stop.log")" -eq $((stopped_at + 1)) ] \
  && awk -F, -v n="$stopped_at" 'NR > 1 && $1 < n && $2 <= 0.05 { bad = 1 } NR > 1 && $1 == n && $2 > 0.05 { bad = 1 }
       END { exit bad }' "$work/stop.log"; then
  "$bpnn" train --net 2-8tanh-2 --train "$work/xor.csv" --lr 0.5 --batch-size 4 --epochs "$stopped_at" --seed 1 \
    --out "$work/stop-plain.safetensors" >/dev/null 2>&1
  cmp -s "$work/stop.safetensors" "$work/stop-plain.safetensors" \
    && pass "--stop-at-loss 0.05: stopped after epoch $stopped_at, the first at or below it; the model of --epochs $stopped_at" \
    || fail "--stop-at-loss: the model differs from --epochs $stopped_at"
else
  fail "--stop-at-loss: $(tail -2 "$work/stop.err") $(tail -2 "$work/stop.log")"
fi

# --arithmetic portable (docs/arithmetic.md): a seed fixes the model file at any thread count (one
# sha256 at 1, 2 and 3 threads) for an MLP trained with adam and a small CNN with batch norm and
# dropout, a few hundred steps each; predict gives a sample's row alone as in the whole file.
awk 'BEGIN { srand(5); for (i = 0; i < 96; i++) { c = i % 4; printf "%d", c;
  for (p = 0; p < 64; p++) { v = rand() * 0.3; if (int(p / 32) * 2 + int(p % 8 / 4) == c) v += 0.7; printf ",%.4f", v }
  printf "\n" } }' >"$work/corners.csv"
cat >"$work/cnn.json" <<'JSON'
{"input": [1, 8, 8], "layers": [{"type": "conv2d", "filters": 4, "kernel": 3, "padding": 1}, {"type": "batchnorm"},
  {"type": "relu"}, {"type": "maxpool2d", "kernel": 2}, {"type": "flatten"}, {"type": "dropout", "p": 0.25},
  {"type": "dense", "units": 4}]}
JSON
portable_mlp=(train --net 3-16tanh-8relu-3 --train "$work/iris.csv" --label species --standardize --optimizer adam
  --lr 0.01 --batch-size 10 --epochs 20 --seed 9 --arithmetic portable)  # 15 batches x 20 epochs: 300 steps
portable_cnn=(train --net "$work/cnn.json" --train "$work/corners.csv" --optimizer adam --lr 0.01 --batch-size 16
  --epochs 50 --seed 4 --arithmetic portable)  # 6 batches x 50 epochs: 300 steps
for name in mlp cnn; do
  run="portable_$name[@]"
  sums=""
  for threads in 1 2 3; do
    "$bpnn" "${!run}" --threads "$threads" --out "$work/portable-$name.$threads.safetensors" >/dev/null \
      2>"$work/portable.err" || { fail "portable $name, $threads threads: $(tail -1 "$work/portable.err")"; continue; }
    sums+="$(sha256sum <"$work/portable-$name.$threads.safetensors" | cut -c1-64) "
  done
  [ "$(tr ' ' '\n' <<<"$sums" | sort -u | grep -c .)" -eq 1 ] && [ "$(wc -w <<<"$sums")" -eq 3 ] \
    && pass "--arithmetic portable: the $name's model file is one sha256 at 1, 2 and 3 threads" \
    || fail "--arithmetic portable: the $name's model files at 1, 2 and 3 threads: $sums"
done
grep -q "^  on 96 samples .*, 3 thread(s), portable arithmetic$" "$work/portable.err" \
  && pass "train's plan names the arithmetic" || fail "train's plan: $(sed -n 2p "$work/portable.err")"
"$bpnn" eval --model "$work/portable-cnn.1.safetensors" --data "$work/corners.csv" --arithmetic portable \
  | grep -Eq '^accuracy: (0\.9|1\.0)' && pass "--arithmetic portable: the cnn learned" \
  || fail "portable cnn: $("$bpnn" eval --model "$work/portable-cnn.1.safetensors" --data "$work/corners.csv" | head -2)"
head -5 "$work/corners.csv" >"$work/corners-5.csv"
"$bpnn" predict --model "$work/portable-cnn.1.safetensors" --data "$work/corners.csv" --raw --arithmetic portable \
  --threads 2 >"$work/whole.csv" && "$bpnn" predict --model "$work/portable-cnn.1.safetensors" --raw \
  --data "$work/corners-5.csv" --arithmetic portable >"$work/five.csv" && cmp -s "$work/five.csv" <(head -6 "$work/whole.csv") \
  && pass "--arithmetic portable: predict's rows for 5 samples are the whole file's first 5" \
  || fail "portable predict: $(head -3 "$work/five.csv") / $(head -3 "$work/whole.csv")"
"$bpnn" train --net 2-8tanh-2 --train "$work/xor.csv" --epochs 2 --out "$work/m" >/dev/null 2>"$work/fast.err"
grep -q ", 1 thread(s), fast arithmetic$" "$work/fast.err" && pass "train's default arithmetic is fast" \
  || fail "train's default arithmetic: $(sed -n 2p "$work/fast.err")"
"$bpnn" train --net 2-8tanh-2 --train "$work/xor.csv" --epochs 2 --backend reference --out "$work/m" >/dev/null 2>"$work/ref.err"
grep -q ", portable arithmetic$" "$work/ref.err" && pass "--backend reference is portable arithmetic" \
  || fail "--backend reference: $(sed -n 2p "$work/ref.err")"
expect_error "--arithmetic exact" "--arithmetic: must be one of fast or portable, got 'exact'" \
  "$bpnn" predict --model "$work/xor.safetensors" --data "$work/xor.csv" --arithmetic exact
expect_error "--arithmetic fast with --backend reference" "the reference backend's plain loops are portable arithmetic" \
  "$bpnn" eval --model "$work/xor.safetensors" --data "$work/xor.csv" --backend reference --arithmetic fast
"$bpnn" demo xor --arithmetic fast --iterations 2000 | grep -q "^  x1 x2  target  output$" \
  && pass "bpnn demo takes --arithmetic" || fail "bpnn demo --arithmetic fast"
"$bpnn" train --help | grep -q "portable: sums in one fixed order" && "$bpnn" demo mazur --help | grep -q "default portable" \
  && pass "--arithmetic's help says what each promises, and demo's default" || fail "--arithmetic's help"

# "did you mean" for a demo too, or the list of them.
expect_error "did you mean a demo" "unknown command 'xnr' for bpnn demo; did you mean 'xor'?" "$bpnn" demo xnr
expect_error "an unknown demo lists them" "unknown command 'nosuch' for bpnn demo; it takes mazur, perceptron, xor, xnor, regression" \
  "$bpnn" demo nosuch

# Exit status, one rule for every command (docs/cli.md): 0 done; 1 the work failed (a file, the
# data, the model, training); 2 the command line is wrong by itself (CLI11's own 105, 106, 109 ... are
# not passed on); 130 and 143 after SIGINT and SIGTERM (above).
expect_status() {
  local name=$1 want=$2
  shift 2
  "$@" >"$work/out" 2>"$work/err"
  local got=$?
  [ "$got" -eq "$want" ] && pass "exit status $want: $name" || fail "exit status of $name: $got, not $want: $(tail -1 "$work/err")"
}
expect_status "--help" 0 "$bpnn" train --help
expect_status "--version" 0 "$bpnn" --version
expect_status "no command" 2 "$bpnn"
expect_status "an unknown command" 2 "$bpnn" trian
expect_status "an unknown demo" 2 "$bpnn" demo nosuch
expect_status "an unknown option" 2 "$bpnn" train --net 2-2 --train "$work/xor.csv" --out "$work/m" --bogus
expect_status "a required option missing" 2 "$bpnn" train --net 2-2 --train "$work/xor.csv"
expect_status "a count out of range" 2 "$bpnn" train --net 2-2 --train "$work/xor.csv" --out "$work/m" --epochs -1
expect_status "a malformed value" 2 "$bpnn" train --net 2-2 --train "$work/xor.csv" --out "$work/m" --input-range 1
expect_status "an unknown arithmetic" 2 "$bpnn" train --net 2-2 --train "$work/xor.csv" --out "$work/m" --arithmetic exact
expect_status "a malformed delimiter" 2 "$bpnn" eval --model "$work/xor.safetensors" --data "$work/xor.csv" --delimiter ab
expect_status "an option the optimizer does not have" 2 "$bpnn" train --net 2-2 --train "$work/xor.csv" --out "$work/m" --momentum 0.9
expect_status "--patience without validation" 2 "$bpnn" train --net 2-2 --train "$work/xor.csv" --out "$work/m" --patience 3
expect_status "--val with --val-fraction" 2 "$bpnn" train --net 2-2 --train "$work/xor.csv" --out "$work/m" --val "$work/xor.csv" --val-fraction 0.5
expect_status "explain: an input that is not a number" 2 "$bpnn" explain --model "$work/mazur.safetensors" --input 0.05,x --target 0.01,0.99
expect_status "a missing data file" 1 "$bpnn" train --net 2-2 --train "$work/none.csv" --out "$work/m"
expect_status "a model file that is not one" 1 "$bpnn" eval --model "$work/junk.safetensors" --data "$work/xor.csv"
expect_status "a network the data does not fit" 1 "$bpnn" train --net 3-2 --train "$work/xor.csv" --out "$work/m"
expect_status "--out in a missing folder" 1 "$bpnn" train --net 2-2 --train "$work/xor.csv" --out "$work/nowhere/m"
expect_status "training that diverges" 1 "$bpnn" train --net 2-8tanh-2 --train "$work/xor.csv" --lr 1e38 --batch-size 4 --loss mse --out "$work/m"
expect_status "explain: a weight the model does not have" 1 "$bpnn" explain --model "$work/mazur.safetensors" --input 0.05,0.1 --target 0.01,0.99 --weight w99

echo "cli: $passes passed, $failures failed"
exit $((failures > 0))
