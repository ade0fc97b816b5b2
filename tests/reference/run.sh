#!/usr/bin/env bash
# Full training runs on the reference backend (plain loops, no BLAS, one thread) against the cpu
# backend through the command line, on real images (Fashion-MNIST, Debian's dataset-fashion-mnist):
# the MNIST-sized MLP on 4,000 images and the LeNet with batch norm on 1,000, one epoch each; the
# final losses agree within float tolerance and the test accuracies within a point (float reordering flips a few ReLUs over a run).
# Usage: run.sh BPNN_BINARY [SOURCE_DIR]. Exits 77 (skipped) when the data set is absent.
set -euo pipefail
bpnn=$1
source_dir=${2:-$(cd "$(dirname "$0")/../.." && pwd)}
root=/usr/share/datasets/fashion-mnist
python=/usr/bin/python3
if [ ! -f "$root/train-images-idx3-ubyte.gz" ]; then
  echo "SKIPPED: Fashion-MNIST is not installed (Debian package dataset-fashion-mnist)"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The first N images and labels of the training set as IDX files of their own.
"$python" - "$root" "$work" <<'PY'
import gzip, struct, sys
root, work = sys.argv[1], sys.argv[2]
images = gzip.open(f"{root}/train-images-idx3-ubyte.gz").read()
labels = gzip.open(f"{root}/train-labels-idx1-ubyte.gz").read()
for name, n, skip in (("train", 4000, 0), ("test", 1000, 4000)):
    open(f"{work}/{name}-images-idx3-ubyte", "wb").write(struct.pack(">IIII", 0x803, n, 28, 28) + images[16 + 784 * skip:16 + 784 * (skip + n)])
    open(f"{work}/{name}-labels-idx1-ubyte", "wb").write(struct.pack(">II", 0x801, n) + labels[8 + skip:8 + skip + n])
small = 1000
open(f"{work}/small-images-idx3-ubyte", "wb").write(struct.pack(">IIII", 0x803, small, 28, 28) + images[16:16 + 784 * small])
open(f"{work}/small-labels-idx1-ubyte", "wb").write(struct.pack(">II", 0x801, small) + labels[8:8 + small])
PY
fail=0
# run NAME NET TRAIN FLAGS...: trains on both backends; compares the final losses and the accuracies.
run() {
  local name=$1 net=$2 train=$3
  shift 3
  for backend in cpu reference; do
    "$bpnn" train --net "$net" --train "$work/$train-images-idx3-ubyte" --backend $backend "$@" \
      --out "$work/$name-$backend.safetensors" --log "$work/$name-$backend.csv" >/dev/null 2>&1
  done
  local cpu reference cpu_acc reference_acc
  cpu=$(tail -1 "$work/$name-cpu.csv" | cut -d, -f2)
  reference=$(tail -1 "$work/$name-reference.csv" | cut -d, -f2)
  cpu_acc=$("$bpnn" eval --model "$work/$name-cpu.safetensors" --data "$work/test-images-idx3-ubyte" | sed -n 's/^accuracy: //p')
  reference_acc=$("$bpnn" eval --model "$work/$name-reference.safetensors" --data "$work/test-images-idx3-ubyte" \
    --backend reference | sed -n 's/^accuracy: //p')
  if "$python" -c "import sys; sys.exit(0 if abs($cpu - $reference) <= 1e-4 * abs($cpu) and abs($cpu_acc - $reference_acc) <= 0.01 else 1)"; then
    echo "ok   $name: training loss cpu $cpu, reference $reference; test accuracy $cpu_acc, $reference_acc"
  else
    echo "FAIL $name: training loss cpu $cpu, reference $reference; test accuracy $cpu_acc, $reference_acc"
    fail=1
  fi
}
run mlp 784-128relu-10 train --optimizer momentum --momentum 0.9 --lr 0.05 --batch-size 32 --epochs 1
run lenet "$source_dir/examples/networks/lenet.json" small --optimizer momentum --momentum 0.9 --lr 0.01 --batch-size 32 --epochs 1
exit $fail
