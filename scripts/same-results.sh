#!/usr/bin/env bash
# Checks that two bpnn programs train to the same weights, digit for digit: each runs the same six
# trainings (MLP SGD batch 32, online fused SGD, momentum with a cosine schedule, AdamW with
# clipping, LeNet with batch norm on 1 and 2 threads) from the same seed on real MNIST digits, and
# their `bpnn inspect --weights` must be equal (less the lines saying what the model is, which
# newer versions print). For refactorings that promise bit-identical results.
#   bash scripts/same-results.sh OLD_BPNN NEW_BPNN
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
old=$(realpath "$1") new=$(realpath "$2")
data=$(bash "$here/fetch-mnist.sh")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
train=(--train "$data/train-images-idx3-ubyte.gz" --seed 7)
mlp=(--net 784-64relu-10)
runs=(
  "mlp_sgd_b32|${mlp[*]} --epochs 1 --optimizer sgd --lr 0.1 --batch-size 32"
  "online_fused_sgd|--net 784-32sigmoid-10 --epochs 1 --optimizer sgd --lr 0.05 --batch-size 1"
  "momentum_cosine|${mlp[*]} --epochs 2 --optimizer momentum --momentum 0.9 --lr 0.05 --lr-schedule cosine --batch-size 64"
  "adamw_clip|${mlp[*]} --epochs 1 --optimizer adamw --lr 0.003 --max-grad-norm 0.5 --batch-size 32"
  "lenet_1t|--net $here/../examples/networks/lenet.json --epochs 1 --optimizer momentum --momentum 0.9 --lr 0.05 --batch-size 32 --threads 1"
  "lenet_2t|--net $here/../examples/networks/lenet.json --epochs 1 --optimizer momentum --momentum 0.9 --lr 0.05 --batch-size 32 --threads 2"
)
failed=0
for run in "${runs[@]}"; do
  name=${run%%|*}
  read -r -a flags <<<"${run#*|}"
  for side in old new; do
    program=${!side}
    mkdir -p "$work/$side"
    # The same file name on both sides: inspect prints it.
    (cd "$work/$side" && "$program" train "${train[@]}" "${flags[@]}" --out "$name.safetensors" >/dev/null 2>"$name.err" &&
      "$program" inspect --model "$name.safetensors" --weights |
        grep -Ev '^(task|classes|features|targets|scaling|  shift|  scale):' >"$work/$side-$name.txt") ||
      { cat "$work/$side/$name.err"; exit 1; }
  done
  if cmp -s "$work/old-$name.txt" "$work/new-$name.txt"; then
    echo "same   $name ($(sha256sum <"$work/new-$name.txt" | cut -c1-16))"
  else
    echo "DIFFER $name"
    diff "$work/old-$name.txt" "$work/new-$name.txt" | head -5 || true  # head closes the pipe early
    failed=1
  fi
done
exit $failed
