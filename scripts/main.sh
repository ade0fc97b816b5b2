#!/usr/bin/env bash
# Sets up, builds and runs the main job. Until the digit classifier lands, that is the 2-2-2
# worked example: one back-propagation step with every number shown.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)" --target bpnn_cli
./build/bpnn demo mazur
