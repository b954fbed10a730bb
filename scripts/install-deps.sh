#!/usr/bin/env bash
# Installs every Debian package unionstate needs to build, test and run
# (Debian 12). Safe to run again: packages already present are skipped.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  # The program's linker: lays out the code a command runs side by side
  # (src/cli/startup_order.txt); valgrind writes that list again
  # (scripts/startup-order.sh).
  lld valgrind
  libcli11-dev nlohmann-json3-dev libtomlplusplus-dev libfmt-dev
  libsqlite3-dev sqlite3 libeigen3-dev libpcg-cpp-dev libboost-dev
  libgtest-dev libgmock-dev librapidcheck-dev libbenchmark-dev
  libopenmpi-dev openmpi-bin
  # The Python module (python/) and its tests.
  python3 python3-dev pybind11-dev python3-numpy python3-pandas python3-pytest
  python3-nbclient python3-nbformat python3-ipykernel python3-openpyxl
  python3-matplotlib
  # The report, the dashboard and their browser tests.
  libcpp-httplib-dev chromium
  # The fuzz build only (fuzz/run.sh): clang with libFuzzer and sanitizers.
  clang-19 libclang-rt-19-dev
)
# Node and npm for the report's chart libraries and the browser tests; a
# newer Node already on the machine (>= 20, which playwright-core needs) is
# kept.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The JavaScript under web/ (Vega, Vega-Lite, vega-embed, playwright-core),
# pinned by web/package-lock.json. Reinstalled when the lock file changes.
install_web() {
  if [ ! -f web/node_modules/.package-lock.json ] ||
     ! cmp -s web/package-lock.json web/.installed-lock.json; then
    (cd web && npm ci --no-audit --no-fund --loglevel=error) &&
      cp web/package-lock.json web/.installed-lock.json
  fi
}
cd "$(dirname "$0")/.."
if [ ${#missing[@]} -eq 0 ]; then
  install_web
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "Installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
install_web
