#!/usr/bin/env bash
# The main job (scripts/main-job.sh) with this build's bpnn: its accuracy must be the one the README
# states, to the printed digit (portable arithmetic gives it on every machine).
# Usage: run.sh BPNN SOURCE_DIR
set -euo pipefail
bpnn=$1 src=$2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
bash "$src/scripts/main-job.sh" "$bpnn" "$out" >"$out/job.txt"
got=$(sed -n 's/^accuracy: //p' "$out/job.txt")
stated=$(grep -o '[0-9][0-9.]* on every machine' "$src/README.md" | grep -o '[0-9][0-9.]*')
[ -n "$got" ] || { echo "FAIL: the main job printed no accuracy:"; cat "$out/job.txt"; exit 1; }
[ -n "$stated" ] || { echo "FAIL: README.md states no 'N on every machine'"; exit 1; }
if [ "$got" != "$stated" ]; then
  echo "FAIL: the main job's accuracy is $got; README.md states $stated"
  exit 1
fi
echo "main job: accuracy $got, as README.md states"
