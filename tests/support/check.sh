# check WHAT VALUE LIMIT: prints ok when VALUE < LIMIT, else FAIL and sets fail=1. Sourced by the
# interoperability tests, which set python and fail first.
check() {
  if "$python" -c "import sys; sys.exit(0 if float('$2') < float('$3') else 1)"; then
    echo "ok   $1: $2 < $3"
  else
    echo "FAIL $1: $2 >= $3"
    fail=1
  fi
}
