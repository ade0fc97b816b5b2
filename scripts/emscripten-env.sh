# Sourced by the scripts that build with Debian's emscripten (scripts/site.sh, tests/wasm/run.sh,
# tests/same_bits/run.sh): `require_tools WHO COMMAND:PACKAGE...` fails, naming the Debian package,
# unless each command is installed; NODE_PATH is where Debian's emcc, which runs JavaScript tools
# of its own with Node, finds their modules; `launcher` holds CMake's compiler launcher (ccache)
# where ccache is installed.
require_tools() {
  local who=$1 tool
  shift
  for tool in "$@"; do
    command -v "${tool%%:*}" >/dev/null ||
      { echo "$who: ${tool%%:*} is missing: install Debian's ${tool#*:} (scripts/test.sh does)" >&2; exit 1; }
  done
}
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
