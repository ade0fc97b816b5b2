#!/usr/bin/env bash
# Sets up and runs every test: a release build, then an AddressSanitizer + UndefinedBehaviorSanitizer
# build (clang) that also runs the libFuzzer targets over their seed corpora, each with warnings as
# errors, then concurrent inference under ThreadSanitizer, then builds without oneDNN (BPNN_DNNL=OFF) and
# without BLAS (BPNN_BLAS=OFF, as for WebAssembly), and last the same-bits check of portable
# arithmetic on every CPU at hand, aarch64 under qemu and WebAssembly under Node. The release build
# runs the backend conformance test once per GEMM provider (oneDNN, OpenBLAS alone, plain loops),
# the code each of those builds runs. Each phase's time goes to the log, and a table of them to the
# end of it.
set -euo pipefail
cd "$(dirname "$0")/.."

# A phase's wall-clock seconds, and its CPU seconds (user + system of every process it waited for).
start=$SECONDS phase_name="" phase_wall=0 phase_cpu=0 phases=() tick=$(getconf CLK_TCK)
cpu_ticks() {
  local stat
  read -r -a stat < /proc/$$/stat
  echo $((stat[15] + stat[16]))  # cutime + cstime: children waited for, theirs included
}
phase() {
  local now=$SECONDS ticks
  ticks=$(cpu_ticks)
  if [ -n "$phase_name" ]; then
    phases+=("$(printf '%-28s %5d s %6d s' "$phase_name" $((now - phase_wall)) $(((ticks - phase_cpu) / tick)))")
  fi
  phase_name=$1 phase_wall=$now phase_cpu=$ticks
  if [ -n "$phase_name" ]; then echo "== test.sh: $phase_name (at $((now - start)) s)"; fi
}
summary() {
  phase ""
  printf '== test.sh: %-28s %7s %8s\n' phase wall cpu
  printf '== test.sh: %s\n' "${phases[@]}"
  echo "== test.sh: total $((SECONDS - start)) s"
}
trap summary EXIT

phase "install: packages"
# PyTorch, ONNX (python3-onnx, and onnxruntime-node from npm), ONNX's conformance data
# (libonnx-testdata) and Fashion-MNIST are the peers some tests compare against; cpp-httplib
# serves the playground, which Chromium and puppeteer-core (tests/web) drive; pybind11 and Python's
# headers build the Python module, which the release build's python_tests runs with pytest and
# scikit-learn, and pandas for check_estimator's DataFrame checks (the sanitizer builds leave the
# module out); Open MPI runs tests/mpi; libfann-doc holds FANN's own data sets, which
# tests/data_test reads; ccache lets the builds without oneDNN and without BLAS reuse the release
# build's objects (every object but src/kernels/gemm.cpp's is the same in the three); the
# same-bits check cross-compiles with g++-aarch64-linux-gnu, runs that under qemu-user, and builds
# for WebAssembly with emscripten, as the release build's wasm_conformance does the engine's tests,
# with GoogleTest's sources (googletest). Node.js and npm where missing, with ca-certificates for
# npm's downloads (nodejs only recommends it).
extra=()
command -v node >/dev/null && command -v npm >/dev/null || extra=(nodejs npm ca-certificates)
bash scripts/install-deps.sh python3-torch python3-numpy python3-onnx libonnx-testdata dataset-fashion-mnist clang \
  libclang-rt-14-dev libcpp-httplib-dev chromium pybind11-dev python3-dev python3-sklearn python3-pandas python3-pytest python3-venv \
  libopenmpi-dev openmpi-bin libfann-doc ccache g++-aarch64-linux-gnu qemu-user emscripten googletest "${extra[@]}"
phase "install: npm"
npm install --prefix tests/web --no-audit --no-fund
# ONNX Runtime for tests/onnx: its CPU build only (no CUDA download).
ONNXRUNTIME_NODE_INSTALL_CUDA=skip npm install --prefix tests/onnx --no-audit --no-fund
jobs=$(nproc)

# The compiler cache: paths relative to the checkout (so the build folders share entries); the
# depend mode, which reads the compiler's own dependency files instead of preprocessing each source
# a second time (a cold cache costs next to nothing); precompiled headers and the files generated
# just before they are compiled cached too. CCACHE_DIR is the user's as usual.
export CCACHE_BASEDIR=$PWD CCACHE_DEPEND=1
export CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
cache=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# The sanitizer and fuzzing builds compile each target's sources up to eight to a file (a third less
# compile time); the release build compiles each on its own (but the command line's, always a unity
# build), so each file's includes are checked.
unity=(-DCMAKE_UNITY_BUILD=ON)

phase "release: build"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DBPNN_WERROR=ON "${cache[@]}"
cmake --build build -j"$jobs"
phase "release: tests"
ctest --test-dir build --output-on-failure -j"$jobs"

phase "asan+ubsan+fuzz: build"
# With clang, whose libFuzzer the fuzz targets need: one build for the tests and the fuzz targets,
# each reader compiled once. Debug information of line tables only (-g1): the reports still name
# each frame's function, file and line, and compiling and linking take a seventh less. The library
# itself is compiled at -O1 (CMakeLists.txt).
cmake -S . -B build-sanitize -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-g1 \
  -DBPNN_SANITIZE=ON -DBPNN_FUZZ=ON -DBPNN_WERROR=ON -DBPNN_BUILD_BENCH=OFF "${cache[@]}" "${unity[@]}"
cmake --build build-sanitize -j"$jobs"
phase "asan+ubsan+fuzz: tests"
# The fuzz targets replay their seed corpora, then mutate them for a few seconds each.
ctest --test-dir build-sanitize --output-on-failure -j"$jobs"

phase "tsan: build"
# At -O1, which ThreadSanitizer's authors advise as for AddressSanitizer: half the compile time of -O2.
cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" \
  -DBPNN_TSAN=ON -DBPNN_WERROR=ON -DBPNN_BUILD_BENCH=OFF -DBPNN_BUILD_EXAMPLES=OFF "${cache[@]}" "${unity[@]}"
cmake --build build-tsan -j"$jobs" --target threads_test
phase "tsan: threads_test"
TSAN_OPTIONS=halt_on_error=1 ./build-tsan/tests/threads_test

# The builds without oneDNN and without BLAS: configured, compiled (the cache has every object but
# GEMM's) and linked; their GEMM test runs there. The release build ran backend_test with the GEMM
# each of them has (OpenBLAS alone, the plain loops): every other object is the same.
phase "no oneDNN, no BLAS"
for variant in "nodnnl -DBPNN_DNNL=OFF" "noblas -DBPNN_BLAS=OFF"; do
  read -r name option <<< "$variant"
  cmake -S . -B "build-$name" -DCMAKE_BUILD_TYPE=Release "$option" -DBPNN_WERROR=ON -DBPNN_BUILD_BENCH=OFF \
    -DBPNN_BUILD_EXAMPLES=OFF "${cache[@]}"
  cmake --build "build-$name" -j"$jobs" --target backend_test gemm_test
  "./build-$name/tests/gemm_test"
done

# Portable arithmetic's promise: two small models trained from a seed give one SHA-256 on the
# release build at 1, 2 and 3 threads, built for AVX2 and AVX-512 (where this CPU runs them), for
# aarch64 under qemu and for wasm32 under Node (tests/same_bits/run.sh builds those itself, only the
# library sources it needs). Last, so that a difference it finds leaves the other phases' results.
phase "same bits: x86-64, aarch64, wasm32"
tests/same_bits/run.sh build
