#!/usr/bin/env bash
# Installs the Debian packages bpnn builds with, and any named as arguments, when any is missing
# (sudo only when not root): those missing only, and without the packages they merely recommend
# (what bpnn needs is named; recommends would add hundreds, e.g. the desktop around Chromium).
# oneDNN's CMake package looks for OpenCL's headers and loader, which libdnnl-dev only recommends.
set -euo pipefail

packages=(g++ cmake make libopenblas-dev libdnnl-dev ocl-icd-opencl-dev libcli11-dev libgtest-dev libbenchmark-dev zlib1g-dev
  nlohmann-json3-dev "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} > 0)); then
  as_root=()
  [ "$(id -u)" -ne 0 ] && as_root=(sudo)
  echo "installing: ${missing[*]}"
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
