#!/usr/bin/env bash
# No fused multiply-add in libbpnn outside fast arithmetic's own kernels: the library is compiled with
# -ffp-contract=off, so that a * b + c rounds twice on every CPU alike, also in the functions that
# target_clones compiles for AVX2 and AVX-512 (which have FMA instructions). Disassembles every
# object of the archive but the ones named, and lists each FMA instruction found with its object.
# Usage: no_fma.sh OBJDUMP ARCHIVE [OBJECT_TO_SKIP...]   (objects by member name: direct_conv.cpp.o)
set -euo pipefail
objdump=$1
archive=$2
shift 2
skip=" $* "
# x86-64's vfmadd*, vfmsub*, vfnmadd*, vfnmsub* (and vfmaddsub*); aarch64's fmadd, fmsub, fnmadd,
# fnmsub, fmla, fmls.
found=$("$objdump" -d --no-show-raw-insn "$archive" |
  awk -v skip="$skip" '
    /^[^ \t]+:[ \t]+file format/ { object = $1; sub(/:$/, "", object); checked = index(skip, " " object " ") == 0 }
    /^[^ \t]+ <.*>:$/ { function_name = $2 }
    checked && $0 ~ /\t(v?fn?m(add|sub)[0-9a-z.]*|fml[as])[ \t]/ { print object, function_name, $0 }' || true)
if [ -n "$found" ]; then
  echo "fused multiply-adds outside the fast kernels (object, function, instruction):"
  echo "$found" | head -50
  echo "($(echo "$found" | wc -l) in all)"
  exit 1
fi
echo "no fused multiply-add in $(basename "$archive") outside: $*"
