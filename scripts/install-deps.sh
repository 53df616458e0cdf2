#!/usr/bin/env bash
# Installs shardplan's build and test dependencies from Debian packages.
# Idempotent: packages already present are skipped, so `make` can call it every time.
#   scripts/install-deps.sh                 core toolchain and libraries
#   scripts/install-deps.sh --with-browser  also Debian's chromium (report tests)
set -euo pipefail

# clang and libclang-rt-dev (libFuzzer, the sanitizer runtimes for clang) serve `make fuzz`.
pkgs=(cmake g++ make libeigen3-dev libfmt-dev nlohmann-json3-dev libboost-graph-dev
      doctest-dev libcli11-dev libopenmpi-dev openmpi-bin libbenchmark-dev gnuplot-nox
      clang libclang-rt-dev)
for arg in "$@"; do
  case "$arg" in
    --with-browser) pkgs+=(chromium) ;;
    *) echo "install-deps.sh: unknown option '$arg' (known: --with-browser)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps.sh: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
