#!/usr/bin/env bash
# Configures and builds unionstate into build/ (Release with debug info),
# warnings as errors. Extra arguments go to cmake's configure step.
set -euo pipefail
cd "$(dirname "$0")/.."
generator=()
if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi
if [ ! -f build/CMakeCache.txt ]; then
  cmake -S . -B build "${generator[@]}" -DUNIONSTATE_WERROR=ON "$@"
else
  cmake -S . -B build -DUNIONSTATE_WERROR=ON "$@" >/dev/null
fi
cmake --build build -j "$(nproc)"
