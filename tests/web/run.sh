#!/usr/bin/env bash
# The playground's browser test: `run.sh BPNN ARTIFACT_DIR [hammer]`. Skipped (exit 77) where node,
# Chromium or tests/web/node_modules (npm install --prefix tests/web) is missing; `hammer` runs the
# bad-request test, which needs node only.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
command -v node >/dev/null || { echo "SKIP: node is not installed"; exit 77; }
if [ "${3:-}" = hammer ]; then exec node "$here/hammer.mjs" "$1"; fi
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || { echo "SKIP: chromium is not installed"; exit 77; }
[ -d "$here/node_modules/puppeteer-core" ] || { echo "SKIP: run npm install --prefix tests/web first"; exit 77; }
exec node "$here/playground.test.mjs" "$1" "$2"
