#!/usr/bin/env bash
# The engine's tests on wasm32: configures tests/wasm (CMakeLists.txt there names the test files and
# what is left out, and why) with emscripten's emcmake into BUILD_DIR, builds it at -O2 through
# ccache where it is installed, and runs the tests under Node. Exits non-zero on any failure.
# Usage: run.sh BUILD_DIR
#   BPNN_JOBS  compile jobs (default: one a core)
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: tests/wasm/run.sh BUILD_DIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
build=$(realpath -m "$1")
# shellcheck source=scripts/emscripten-env.sh
source "$here/../../scripts/emscripten-env.sh"
require_tools FAIL emcmake:emscripten node:nodejs

start=$SECONDS
mkdir -p "$build"
emcmake cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG" \
  "${launcher[@]}" >"$build/configure.log" 2>&1 ||
  { cat "$build/configure.log"; echo "FAIL: configuring the wasm32 tests' build (above)"; exit 1; }
if ! cmake --build "$build" -j"${BPNN_JOBS:-$(nproc)}" >"$build/build.log" 2>&1; then
  grep -B2 -A8 -m5 'error' "$build/build.log" || tail -30 "$build/build.log"
  echo "FAIL: building the wasm32 tests (above; all of it in $build/build.log)"
  exit 1
fi
echo "built in $((SECONDS - start)) s"
start=$SECONDS
# Every line of the run in BUILD_DIR/test.log; here its summary, and on failure each failed test's
# lines (or the log's end, should Node itself have failed).
status=0
ctest --test-dir "$build" -V >"$build/test.log" 2>&1 || status=$?
grep -E '^[0-9]+: \[(==========|  PASSED  )\]' "$build/test.log" || true
echo "left out on wasm32 (tests/wasm/CMakeLists.txt says why):" \
  "$(grep -o -e '--gtest_filter=-[^"]*' "$build/CTestTestfile.cmake" | sed 's/.*filter=-//' | tr : ' ')"
if [ $status -ne 0 ]; then
  awk '/\[ RUN      \]/ { lines = "" } { lines = lines $0 "\n" } /\[  FAILED  \] .* \([0-9]+ ms\)$/ { printf "%s", lines }' \
    "$build/test.log"
  tail -15 "$build/test.log"
  echo "FAIL: the wasm32 tests (every line of their run in $build/test.log)"
  exit 1
fi
echo "ok   the wasm32 tests ran in $((SECONDS - start)) s"
