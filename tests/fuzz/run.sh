#!/usr/bin/env bash
# Runs one fuzz target over its seed corpus for a bounded time: run.sh TARGET CORPUS SECONDS.
# For a longer hunt: run.sh build-fuzz/tests/fuzz/fuzz_idx tests/fuzz/corpus/idx 3600
set -euo pipefail
target=$1 corpus=$2 seconds=$3
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"$target" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
  -artifact_prefix="$scratch/" "$scratch" "$corpus" 2>&1 | tail -12
