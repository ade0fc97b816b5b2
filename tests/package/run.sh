#!/usr/bin/env bash
# Installs the build that ctest runs in into a prefix under that build, checks its bin/bpnn (where
# the build has the command line), builds tests/package (a project outside the tree) against the
# installed copy only, and runs it.
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
# The command line is installed too, and runs from there.
if [ -e "$build/bpnn" ]; then
  "$work/prefix/bin/bpnn" --version | grep -q '^bpnn [0-9]*\.[0-9]*\.[0-9]*$' ||
    { echo "FAIL: $work/prefix/bin/bpnn --version"; exit 1; }
  "$work/prefix/bin/bpnn" demo mazur | grep -q 'E_total = 0\.298371109' ||
    { echo "FAIL: $work/prefix/bin/bpnn demo mazur"; exit 1; }
  echo "ok   bin/bpnn installed and runs"
fi
cmake -S "$here" -B "$work/build" -DCMAKE_BUILD_TYPE="$config" -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_CXX_COMPILER="$cxx" >"$work/configure.log" ||
  { cat "$work/configure.log"; exit 1; }
cmake --build "$work/build" --config "$config" >"$work/build.log" || { cat "$work/build.log"; exit 1; }
"$work/build/mazur_package"
