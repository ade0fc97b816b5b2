#!/usr/bin/env bash
# The same-bits check of portable arithmetic: train_two (train_two.cpp) trains an MLP with Adam and
# a small CNN with batch norm and dropout from a seed and saves both model files; here it is built
# for each target and run at several thread counts, and every model file must have one SHA-256.
#   x86-64     the release build's program: bpnn as built, without -march (the x86-64 baseline)
#   x86-64-v3  (AVX2) and x86-64-v4 (AVX-512): train_two and the library sources it links compiled
#              with that -march (CMakeLists.txt here); built and run only where this CPU runs them
#   aarch64    g++-aarch64-linux-gnu, linked statically, run under qemu-aarch64
#   wasm32     emscripten's em++ -O2 -msimd128, run under Node, on one thread (no pthreads)
# Usage: run.sh BUILD_DIR [TARGET...]   (all targets when none is named)
# BUILD_DIR is a release build with tests/same_bits_train built; the other targets are built in
# BUILD_DIR/same-bits/TARGET, through ccache where it is installed, with the environment's CXXFLAGS
# added (CXXFLAGS=-ffp-contract=off shows what contraction changes). Prints a table of each run's
# SHA-256s, then exits 1 naming the runs whose files differ from the first run's (and the tensors
# that differ, by how many units in the last place), 0 when every file is the same.
set -euo pipefail
build=$(cd "$1" && pwd)
shift
here=$(cd "$(dirname "$0")" && pwd)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(x86-64 x86-64-v3 x86-64-v4 aarch64 wasm32)
work=$build/same-bits
models=$work/models
rm -rf "$models"
mkdir -p "$models"
# shellcheck source=scripts/emscripten-env.sh
source "$here/../../scripts/emscripten-env.sh"  # NODE_PATH for emcc, and ccache as the launcher
# need COMMAND PACKAGE: fails the check, naming the Debian package, unless COMMAND is installed.
need() {
  if ! command -v "$1" >/dev/null; then
    echo "FAIL: $1 is missing: install Debian's $2 (scripts/test.sh does)"
    exit 1
  fi
}
# cpu_runs LEVEL: whether this CPU runs code built for -march=LEVEL (glibc's loader knows).
cpu_runs() {
  [ -x /lib64/ld-linux-x86-64.so.2 ] && /lib64/ld-linux-x86-64.so.2 --help | grep -q "$1 (supported"
}
# configure TARGET CONFIGURE...: configures tests/same_bits into BUILD_DIR/same-bits/TARGET with the
# configure command given, and notes the target for building; on failure shows why and notes it
# as failed.
failed=() pending=()
configure() {
  local target=$1
  shift
  rm -f "$work/$target/build-status"
  if "$@" -S "$here" -B "$work/$target" -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" >"$work/$target.log" 2>&1; then
    pending+=("$target")
  else
    cat "$work/$target.log"
    echo "FAIL: configuring train_two's build for $target (above)"
    failed+=("$target")
  fi
}

# Each target: how its program runs (a command prefix) and at which thread counts.
declare -A program threads
for target in "${targets[@]}"; do
  case $target in
    x86-64)
      program[$target]=$build/tests/same_bits_train
      [ -x "${program[$target]}" ] || { echo "FAIL: ${program[$target]} is not built"; exit 1; }
      threads[$target]="1 2 3" ;;
    x86-64-v3 | x86-64-v4)
      if ! cpu_runs "$target"; then echo "$target: not run, this CPU does not run it"; continue; fi
      configure "$target" cmake "-DCMAKE_CXX_FLAGS=${CXXFLAGS:-} -march=$target"
      program[$target]=$work/$target/train_two
      threads[$target]="1 2 3" ;;
    aarch64)
      need aarch64-linux-gnu-g++ g++-aarch64-linux-gnu
      need qemu-aarch64 qemu-user
      configure "$target" cmake "-DCMAKE_TOOLCHAIN_FILE=$here/aarch64-linux-gnu.cmake" "-DCMAKE_CXX_FLAGS=${CXXFLAGS:-}"
      program[$target]="qemu-aarch64 $work/$target/train_two"
      threads[$target]="1 2 3" ;;
    wasm32)
      need emcmake emscripten
      need node nodejs
      configure "$target" emcmake cmake "-DCMAKE_CXX_FLAGS=${CXXFLAGS:-}" "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG"
      program[$target]="node $work/$target/train_two.js"
      threads[$target]=1 ;;
    *)
      echo "FAIL: unknown target $target (x86-64, x86-64-v3, x86-64-v4, aarch64 or wasm32)"
      exit 1 ;;
  esac
done

# The builds, under one make whose job slots (one a core) they share, so that the cores stay busy
# from one target's build into the next; each target's exit status goes to its folder.
if [ ${#pending[@]} -gt 0 ]; then
  start=$SECONDS
  for target in "${pending[@]}"; do
    # '+': make hands its job slots down to the command (cmake's own make) although it is not $(MAKE).
    printf '%s:\n\t+cmake --build %s >>%s 2>&1; echo $$? >%s\n' \
      "$target" "$work/$target" "$work/$target.log" "$work/$target/build-status"
  done | make -s -j"$(nproc)" -f - "${pending[@]}"
  for target in "${pending[@]}"; do
    if [ "$(cat "$work/$target/build-status" 2>/dev/null)" != 0 ]; then
      grep -B2 -A8 -m3 'error' "$work/$target.log" || tail -20 "$work/$target.log"
      echo "FAIL: building train_two for $target (above; all of it in $work/$target.log)"
      failed+=("$target")
      unset "program[$target]"
    fi
  done
  echo "built ${pending[*]} in $((SECONDS - start)) s"
fi

# Every run, then the table; the first run is the one the others must equal.
# files RUN: the path of run TARGET/THREADS's two model files, less "-mlp.safetensors" (-cnn).
files() { echo "$models/${1%/*}-${1#*/}"; }
runs=()
for target in "${targets[@]}"; do
  [ -n "${program[$target]:-}" ] || continue
  for n in ${threads[$target]}; do
    run=$target/$n
    prefix=$(files "$run")
    # shellcheck disable=SC2086  # the program is a command prefix (an emulator, node) and a path
    if ${program[$target]} "$n" "$prefix-mlp.safetensors" "$prefix-cnn.safetensors" 2>"$prefix.err"; then
      runs+=("$run")
    else
      failed+=("$run")
      echo "FAIL: $run: $(cat "$prefix.err")"
    fi
  done
done
[ ${#runs[@]} -gt 0 ] || { echo "FAIL: no run finished"; exit 1; }

sha() { sha256sum "$1" | cut -d' ' -f1; }
# The table, and the runs grouped by the files they wrote, in order of first appearance: the first
# group is the first run's, which every other run must equal.
declare -A group_runs
groups=()
printf '%-10s %-7s %-64s  %s\n' target threads "mlp SHA-256" "cnn SHA-256"
for run in "${runs[@]}"; do
  prefix=$(files "$run")
  key="$(sha "$prefix-mlp.safetensors")  $(sha "$prefix-cnn.safetensors")"
  printf '%-10s %-7s %s\n' "${run%/*}" "${run#*/}" "$key"
  [ -n "${group_runs[$key]:-}" ] || groups+=("$key")
  group_runs[$key]="${group_runs[$key]:-}${group_runs[$key]:+ }$run"
done

first=${runs[0]}
first_prefix=$(files "$first")
differing=()
for key in "${groups[@]:1}"; do
  read -r -a members <<<"${group_runs[$key]}"
  differing+=("${members[@]}")
  prefix=$(files "${members[0]}")
  echo "${members[*]} differ from $first:"
  for model in mlp cnn; do
    if ! cmp -s "$first_prefix-$model.safetensors" "$prefix-$model.safetensors"; then
      echo "  $model"
      /usr/bin/python3 "$here/compare_models.py" "$first_prefix-$model.safetensors" "$prefix-$model.safetensors"
    fi
  done
done
if [ ${#differing[@]} -gt 0 ] || [ ${#failed[@]} -gt 0 ]; then
  echo "FAIL: differ from $first: ${differing[*]:-none}; failed to build or run: ${failed[*]:-none}"
  exit 1
fi
echo "ok   all ${#runs[@]} runs wrote the same two model files"
