#!/usr/bin/env bash
# Installs the dependencies, builds with warnings as errors and runs the whole
# test suite (unit, oracle, conformance, command-line and golden tests),
# then the sanitizer suite and every fuzz target for a minute.
# The oracle data are read from ../shared (set UNIONSTATE_SHARED_DIR to
# point elsewhere).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
ctest --test-dir build --output-on-failure -j "$(nproc)"
# The Python module's tests (python/tests), with Debian's Python, which has
# pandas. pytest exits 5 when it collected nothing: that is a failure too.
python=/usr/bin/python3
[ -x "$python" ] || python=python3
status=0
"$python" -m pytest -q -p no:cacheprovider python/tests || status=$?
if [ "$status" -ne 0 ]; then
  if [ "$status" -eq 5 ]; then echo "test.sh: pytest collected no tests" >&2; fi
  exit 1
fi
# The whole suite again under AddressSanitizer and UndefinedBehaviorSanitizer
# (build-asan/, scripts/sanitize.sh), then every fuzz target for
# UNIONSTATE_FUZZ_SECONDS seconds each, 60 by default (build-fuzz/, clang-19;
# fuzz/run.sh). docs/testing.md says how long each part takes.
# UNIONSTATE_SANITIZE=0 or UNIONSTATE_FUZZ_SECONDS=0 leave a part out for a
# quick local run; CI sets neither.
if [ "${UNIONSTATE_SANITIZE:-1}" != 0 ]; then ./scripts/sanitize.sh; fi
if [ "${UNIONSTATE_FUZZ_SECONDS:-60}" != 0 ]; then
  ./fuzz/run.sh "${UNIONSTATE_FUZZ_SECONDS:-60}"
fi
