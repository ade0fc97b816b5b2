#!/usr/bin/env bash
# Runs the Python module's tests (pytest) against a build's package.
# Usage: run.sh PYTHON_DIR PYTHON. Exits 77 (skipped) when the module was not built or pytest is absent.
set -euo pipefail
dir=${1:-}
python=${2:-/usr/bin/python3}
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "$dir" ] || ! compgen -G "$dir/bpnn/_bpnn*.so" > /dev/null; then
  echo "SKIPPED: the Python module was not built (needs pybind11-dev and python3-dev; off in sanitizer builds)"
  exit 77
fi
if ! "$python" -c "import pytest, numpy" 2>/dev/null; then
  echo "SKIPPED: $python lacks pytest or numpy (Debian packages python3-pytest, python3-numpy)"
  exit 77
fi
cd "$here"
PYTHONPATH="$dir" OMP_NUM_THREADS=1 exec "$python" -m pytest -q -p no:cacheprovider "$here" "${@:3}"
