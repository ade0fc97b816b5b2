#!/usr/bin/env bash
# Sets up and runs every test: a release build, then an AddressSanitizer + UndefinedBehaviorSanitizer
# build, each with warnings as errors, then concurrent inference under ThreadSanitizer, then the
# libFuzzer targets (clang) over their seed corpora, then the backend conformance test in a build
# without oneDNN (BPNN_DNNL=OFF) and in one without BLAS (BPNN_BLAS=OFF, as for WebAssembly).
set -euo pipefail
cd "$(dirname "$0")/.."
# PyTorch, ONNX (python3-onnx, and onnxruntime-node from npm) and Fashion-MNIST are the peers some
# tests compare against; cpp-httplib serves the playground, which Chromium and puppeteer-core
# (tests/web) drive; pybind11 and Python's headers build the Python module, which the release
# build's python_tests runs with pytest and scikit-learn (the sanitizer builds leave the module
# out); Open MPI runs tests/mpi.
bash scripts/install-deps.sh python3-torch python3-numpy python3-onnx dataset-fashion-mnist clang libclang-rt-14-dev \
  libcpp-httplib-dev chromium pybind11-dev python3-dev python3-sklearn python3-pytest python3-venv libopenmpi-dev openmpi-bin
npm install --prefix tests/web --no-audit --no-fund
# ONNX Runtime for tests/onnx: its CPU build only (no CUDA download).
ONNXRUNTIME_NODE_INSTALL_CUDA=skip npm install --prefix tests/onnx --no-audit --no-fund
jobs=$(nproc)

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DBPNN_WERROR=ON
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=Debug -DBPNN_SANITIZE=ON -DBPNN_WERROR=ON -DBPNN_BUILD_BENCH=OFF
cmake --build build-sanitize -j"$jobs"
ctest --test-dir build-sanitize --output-on-failure -j"$jobs"

cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBPNN_TSAN=ON -DBPNN_WERROR=ON -DBPNN_BUILD_BENCH=OFF -DBPNN_BUILD_EXAMPLES=OFF
cmake --build build-tsan -j"$jobs" --target threads_test
TSAN_OPTIONS=halt_on_error=1 ./build-tsan/tests/threads_test

cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBPNN_FUZZ=ON
cmake --build build-fuzz -j"$jobs" --target fuzz_idx fuzz_csv fuzz_fann fuzz_network fuzz_model fuzz_onnx
ctest --test-dir build-fuzz --output-on-failure -j"$jobs"

# The float GEMMs that go to oneDNN in the builds above take OpenBLAS in a build without oneDNN.
cmake -S . -B build-nodnnl -DCMAKE_BUILD_TYPE=Release -DBPNN_DNNL=OFF -DBPNN_WERROR=ON -DBPNN_BUILD_BENCH=OFF -DBPNN_BUILD_EXAMPLES=OFF
cmake --build build-nodnnl -j"$jobs" --target backend_test gemm_test
./build-nodnnl/tests/backend_test
./build-nodnnl/tests/gemm_test

cmake -S . -B build-noblas -DCMAKE_BUILD_TYPE=Release -DBPNN_BLAS=OFF -DBPNN_WERROR=ON -DBPNN_BUILD_BENCH=OFF -DBPNN_BUILD_EXAMPLES=OFF
cmake --build build-noblas -j"$jobs" --target backend_test
./build-noblas/tests/backend_test
