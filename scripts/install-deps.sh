#!/usr/bin/env bash
# Installs every Debian package unionstate needs to build, test and run
# (Debian 12). Safe to run again: packages already present are skipped.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libcli11-dev nlohmann-json3-dev libtomlplusplus-dev libfmt-dev
  libsqlite3-dev sqlite3 libeigen3-dev libtbb-dev libpcg-cpp-dev libboost-dev
  libgtest-dev libgmock-dev librapidcheck-dev libbenchmark-dev
  libtinyxml2-dev libopenmpi-dev openmpi-bin
  # The fuzz build only (fuzz/run.sh): clang with libFuzzer and sanitizers.
  clang-19 libclang-rt-19-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "Installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
