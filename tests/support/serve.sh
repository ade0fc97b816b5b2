# serve NAME SCRIPT: starts `SCRIPT serve` (tests/support/serve.py) under $python, one process for
# the whole test, and defines the function NAME: `NAME COMMAND ARGS...` has it run one call, prints
# what the call printed (its stderr to stderr) and returns its exit status, as `SCRIPT COMMAND
# ARGS...` would. Sourced by the interoperability tests, which set python first and call serve_stop
# on exit.
served=()
serve() {
  local name=$1 script=$2 pipes to from
  pipes=$(mktemp -d)
  mkfifo "$pipes/to" "$pipes/from"
  OMP_NUM_THREADS=1 "$python" "$script" serve <"$pipes/to" >"$pipes/from" &
  exec {to}>"$pipes/to" {from}<"$pipes/from"
  rm -rf "$pipes"  # both ends are open
  served+=("$! $to")
  eval "$name() { serve_call $to $from \"\$@\"; }"
}

# serve_stop: closes every process's input, which ends it, then waits for them (so that their time
# is the test's). All are closed first: a process started later holds a copy of an earlier one's input.
serve_stop() {
  local process to
  for process in "${served[@]}"; do
    to=${process#* }
    exec {to}>&-
  done
  for process in "${served[@]}"; do
    wait "${process%% *}" || true
  done
  served=()
}

# serve_call TO FROM COMMAND ARGS...: one call through the pipes of a process that serve started.
serve_call() {
  local to=$1 from=$2 line IFS=$'\t'
  shift 2
  printf '%s\n' "$*" >&"$to"
  while IFS= read -r line <&"$from"; do
    case $line in
      1*) printf '%s\n' "${line#1}" ;;
      2*) printf '%s\n' "${line#2}" >&2 ;;
      *) return "${line#0}" ;;
    esac
  done
  echo "serve: $*: the process ended without an answer" >&2
  return 1
}
