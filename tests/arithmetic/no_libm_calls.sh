#!/usr/bin/env bash
# libbpnn calls none of libm's transcendental functions: its exp, log, tanh, erf, pow, sin, cos and
# the like are bpnn/core/math.hpp's, whose results are the same on every platform (docs/arithmetic.md).
# Lists each object of the archive that references one, with the symbol, and fails if any does.
# Usage: no_libm_calls.sh NM ARCHIVE
set -euo pipefail
nm=$1
archive=$2
functions='exp|exp2|exp10|expm1|log|log2|log10|log1p|pow|sqrt1pm1|tanh|sinh|cosh|erf|erfc|sin|cos|tan|sincos'
functions+='|asin|acos|atan|atan2|asinh|acosh|atanh|cbrt|hypot|lgamma|tgamma'
# Each undefined symbol as "OBJECT SYMBOL" (nm -A prints "ARCHIVE:OBJECT:   U SYMBOL").
found=$("$nm" -A --undefined-only "$archive" |
  awk '{ split($1, where, ":"); symbol = $NF; sub(/@.*/, "", symbol); print where[2], symbol }' |
  grep -E " (__)?(${functions})[fl]?(_finite)?$" || true)
if [ -n "$found" ]; then
  echo "libm's transcendental functions referenced (object, symbol); use bpnn::math instead:"
  echo "$found"
  exit 1
fi
echo "no libm transcendental function in $(basename "$archive")"
