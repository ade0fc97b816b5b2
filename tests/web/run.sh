#!/usr/bin/env bash
# The playground's tests in a browser and over HTTP:
#   run.sh page SITE_DIR BPNN ARTIFACT_DIR [NAME]   the site in headless Chromium (NAME.test.mjs,
#                                                   playground.test.mjs by default)
#   run.sh serve SITE_DIR BPNN               bpnn serve as its static host (serve.test.mjs)
# Fails (never skips) where node, Chromium or tests/web/node_modules is missing: scripts/test.sh
# installs them.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
command -v node >/dev/null || { echo "FAIL: node is not installed (scripts/test.sh installs it)"; exit 1; }
[ -f "$2/index.html" ] || { echo "FAIL: $2 holds no site: build it with scripts/site.sh"; exit 1; }
case $1 in
  serve) exec node "$here/serve.test.mjs" "$3" "$2" ;;
  page)
    [ -x "${CHROMIUM:-/usr/bin/chromium}" ] || { echo "FAIL: chromium is not installed (apt-get install chromium)"; exit 1; }
    [ -d "$here/node_modules/puppeteer-core" ] || { echo "FAIL: run npm install --prefix tests/web first"; exit 1; }
    exec node "$here/${5:-playground}.test.mjs" "$2" "$3" "$4" ;;
  *) echo "usage: run.sh page|serve SITE_DIR BPNN [ARTIFACT_DIR [NAME]]"; exit 2 ;;
esac
