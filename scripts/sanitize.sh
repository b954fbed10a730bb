#!/usr/bin/env bash
# The whole test suite under AddressSanitizer, LeakSanitizer and
# UndefinedBehaviorSanitizer (with float-cast-overflow, which GCC's
# -fsanitize=undefined leaves out), in build-asan/ (GCC, -O1). Any report
# fails the test that triggers it. Leaks inside Open MPI's own libraries are
# suppressed by name in scripts/lsan.supp; nothing else is.
# docs/testing.md says how long it takes.
set -euo pipefail
cd "$(dirname "$0")/.."
generator=()
if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi
# -Wno-maybe-uninitialized: with the sanitizers GCC 12 warns inside
# libstdc++'s <regex> (std::function in its NFA states), a false positive of
# that pairing; build/, without sanitizers, keeps the warning and -Werror.
flags="-fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all -fno-omit-frame-pointer -Wno-maybe-uninitialized"
# Warnings are not errors here (build/ makes them errors): a new false
# positive of GCC 12 under the sanitizers should not stop the suite.
if [ ! -f build-asan/CMakeCache.txt ]; then
  cmake -S . -B build-asan "${generator[@]}" -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" -DCMAKE_CXX_FLAGS="$flags" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
    -DUNIONSTATE_WERROR=OFF -DUNIONSTATE_BUILD_BENCHMARKS=OFF "$@" >/dev/null
fi
cmake --build build-asan -j "$(nproc)" --target unionstate_cli unionstate_tests
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1"
export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# The tests whose mpirun'd program must end with a clean leak check (with
# full unwinding, below). The MPI failure test SIGKILLs its ranks, so no
# leak check runs there; it stays in the main pass.
mpi_tests='TwoMpiRanks|OnlyAnEnsembleUnderMpirunLoadsMpi'
# The browser tests (web.*) drive the same program through Node and Chromium;
# build/ runs them, and they add nothing under the sanitizers but minutes.
ctest --test-dir build-asan --output-on-failure -j "$(nproc)" --timeout 1200 \
  -E "$mpi_tests|^web\."
# The MPI tests with full (slow) unwinding: Open MPI's libraries have no
# frame pointers, so only a full unwind reaches the frames that
# scripts/lsan.supp names.
ASAN_OPTIONS="$ASAN_OPTIONS:fast_unwind_on_malloc=0" \
  ctest --test-dir build-asan --output-on-failure --timeout 1200 -R "$mpi_tests"
