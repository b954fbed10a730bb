#!/usr/bin/env bash
# Installs the dependencies, builds with warnings as errors and runs the whole
# test suite (unit, oracle, conformance, command-line and golden tests).
# The oracle data are read from ../shared (set UNIONSTATE_SHARED_DIR to
# point elsewhere).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
ctest --test-dir build --output-on-failure -j "$(nproc)"
