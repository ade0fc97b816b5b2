#!/usr/bin/env bash
# The static site as scripts/site.sh builds it, for the tests that use it (the ctest fixture
# `site`): fills the MNIST data cache if need be (scripts/fetch-mnist.sh, as the main job's test
# does), builds the site into OUT, and checks what it holds: the page's files, the engine, the
# 2,000 digits and their labels as gzipped IDX files, and a total within the 3 MiB budget.
# Usage: site_build.sh OUT
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$1
bash "$root/scripts/fetch-mnist.sh" >/dev/null
bash "$root/scripts/site.sh" "$out"

fail() { echo "FAIL: $*"; exit 1; }
for file in $(cd "$root/apps/playground/web" && find . -type f -printf '%P\n'); do
  cmp -s "$root/apps/playground/web/$file" "$out/$file" || fail "$out/$file is not apps/playground/web/$file"
done
for file in engine.js engine.wasm; do [ -s "$out/$file" ] || fail "$out/$file is missing"; done
grep -q createBpnnEngine "$out/engine.js" || fail "engine.js does not define createBpnnEngine"
[ "$(head -c 4 "$out/engine.wasm" | od -An -tx1 | tr -d ' ')" = 0061736d ] || fail "engine.wasm is not WebAssembly"
# The IDX files, gzipped: magic, count 2,000 (and 28x28 images), then exactly that many records.
for name in train-images-idx3-ubyte train-labels-idx1-ubyte; do
  gzip -dc "$out/mnist/$name.gz" >"$out.$name" || fail "mnist/$name.gz is not gzip"
done
header() { head -c "$2" "$1" | od -An -tu1 -w"$2" | tr -s ' ' | sed 's/^ //'; }
[ "$(header "$out.train-images-idx3-ubyte" 16)" = "0 0 8 3 0 0 7 208 0 0 0 28 0 0 0 28" ] ||
  fail "mnist/train-images-idx3-ubyte.gz's header is not 2,000 images of 28x28"
[ "$(header "$out.train-labels-idx1-ubyte" 8)" = "0 0 8 1 0 0 7 208" ] ||
  fail "mnist/train-labels-idx1-ubyte.gz's header is not 2,000 labels"
[ "$(stat -c %s "$out.train-images-idx3-ubyte")" = $((16 + 2000 * 784)) ] || fail "the images file's size"
[ "$(stat -c %s "$out.train-labels-idx1-ubyte")" = $((8 + 2000)) ] || fail "the labels file's size"
rm -f "$out.train-images-idx3-ubyte" "$out.train-labels-idx1-ubyte"
total=$(find "$out" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
[ "$total" -le $((3 * 1024 * 1024)) ] || fail "the site is $total bytes, over 3 MiB"
[ ! -e "$out.tmp" ] || fail "$out.tmp was left behind"
echo "ok   the site in $out: $(find "$out" -type f | wc -l) files, $total bytes"
