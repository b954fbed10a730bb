#!/usr/bin/env bash
# Installs the dependencies, builds with warnings as errors and runs the whole
# test suite (unit, oracle, conformance, command-line and golden tests),
# then the sanitizer suite and the fuzz targets.
# The oracle data are read from ../shared (set UNIONSTATE_SHARED_DIR to
# point elsewhere).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
ctest --test-dir build --output-on-failure -j "$(nproc)"
# The same suite under AddressSanitizer and UBSan, then every fuzz target
# for UNIONSTATE_FUZZ_SECONDS (60) seconds, two at a time (docs/testing.md).
./scripts/sanitize.sh
./fuzz/run.sh "${UNIONSTATE_FUZZ_SECONDS:-60}"
