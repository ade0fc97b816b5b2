#!/usr/bin/env bash
# Installs the build that ctest runs in into a prefix under that build, builds tests/package (a
# project outside the tree) against the installed copy only, and runs it.
# Usage: run.sh BUILD_DIR CONFIG CXX_COMPILER
set -euo pipefail
build=$1
config=${2:-Release}
cxx=${3:-c++}
here=$(cd "$(dirname "$0")" && pwd)
work="$build/package-test"
rm -rf "$work"
mkdir -p "$work"
cmake --install "$build" --config "$config" --prefix "$work/prefix" >"$work/install.log"
# Only the installed files: no source include directory reaches the outside project.
test -f "$work/prefix/include/bpnn/bpnn.hpp"
cmake -S "$here" -B "$work/build" -DCMAKE_BUILD_TYPE="$config" -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_CXX_COMPILER="$cxx" >"$work/configure.log" ||
  { cat "$work/configure.log"; exit 1; }
cmake --build "$work/build" --config "$config" >"$work/build.log" || { cat "$work/build.log"; exit 1; }
"$work/build/mazur_package"
