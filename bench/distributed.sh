#!/usr/bin/env bash
# Distributed training throughput (docs/distributed.md): samples/s of one process with 2 threads
# (unsharded, and sharded with --shards 8) against 2 processes with 1 thread each, and the
# communication time per step and per megabyte of the ordered and the plain exchange.
# Usage: bench/distributed.sh path/to/bpnn [hosts-args...]. Loopback only unless told otherwise.
set -euo pipefail
bpnn=$(realpath "$1")
shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
mpi=(mpirun --allow-run-as-root --oversubscribe --bind-to none --mca btl self,tcp --mca btl_tcp_if_include lo
     --mca oob_tcp_if_include lo --timeout 600 "$@")
python3 - <<'PY'
import random
r = random.Random(1)
with open("data.csv", "w") as f:
    for n in range(8192):
        x = [r.uniform(-1, 1) for _ in range(64)]
        f.write("%d,%s\n" % (int(4 * (x[0] + 1) / 2.0001) + 4 * (x[1] > 0), ",".join("%.4f" % v for v in x)))
PY
# Seconds spent in the batch loops, summed over the epoch lines (the first epoch left out: warm-up).
loop_seconds() { grep -o '[0-9.]*s$' "$1" | tail -n +2 | tr -d s | paste -sd+ | bc; }
run() {  # label, processes (0: no mpirun), flags...
  local label=$1 n=$2
  shift 2
  if [ "$n" -eq 0 ]; then "$bpnn" train "$@" --out m.safetensors >/dev/null 2>log.txt
  else "${mpi[@]}" -np "$n" "$bpnn" train "$@" --out m.safetensors >/dev/null 2>log.txt; fi
  local s samples
  s=$(loop_seconds log.txt)
  samples=$((8192 * (epochs - 1)))
  printf '%-44s %9.0f samples/s' "$label" "$(echo "$samples / $s" | bc -l)"
  grep -o 'distributed: .*' log.txt | sed 's/^/   /' || echo
}
for net in 64-256relu-256relu-8 64-1024relu-1024relu-8; do
  epochs=4
  common=(--net "$net" --train data.csv --batch-size 256 --epochs "$epochs" --optimizer adam --lr 0.001)
  echo "== $net, batch 256"
  run "1 process x 2 threads (plain step)" 0 "${common[@]}" --threads 2
  run "1 process x 2 threads (--shards 8)" 0 "${common[@]}" --threads 2 --shards 8
  run "1 process x 1 thread (--shards 8)" 0 "${common[@]}" --threads 1 --shards 8
  run "2 processes x 1 thread (ordered)" 2 "${common[@]}" --threads 1
  run "2 processes x 1 thread (plain all-reduce)" 2 "${common[@]}" --threads 1 --allreduce plain
done
