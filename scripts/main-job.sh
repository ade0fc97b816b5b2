#!/usr/bin/env bash
# The main job's training and evaluation (scripts/main.sh sets up and builds, then runs this; the
# test main_job runs it too and checks the accuracy the README states): `main-job.sh BPNN OUT`
# trains the default digit classifier (a LeNet-style CNN with batch norm) on the 8,000 training
# digits of scripts/fetch-mnist.sh, in portable arithmetic, and evaluates it on the 2,000 held out,
# leaving OUT/digits.safetensors, OUT/digits.csv and OUT/report/index.html.
set -euo pipefail
bpnn=$1 out=$2
cd "$(dirname "$0")/.."
data=$(bash scripts/fetch-mnist.sh)
mkdir -p "$out"
"$bpnn" train --net examples/networks/lenet.json --loss cross_entropy --optimizer momentum --momentum 0.9 \
  --lr 0.05 --lr-schedule cosine --batch-size 32 --epochs 15 --seed 42 --arithmetic portable \
  --train "$data/train-images-idx3-ubyte.gz" --test "$data/test-images-idx3-ubyte.gz" \
  --out "$out/digits.safetensors" --log "$out/digits.csv"
"$bpnn" eval --model "$out/digits.safetensors" --data "$data/test-images-idx3-ubyte.gz" --arithmetic portable \
  --report "$out/report" --log "$out/digits.csv"
