#!/usr/bin/env bash
# Builds the libFuzzer targets into build-fuzz/ (clang-19, AddressSanitizer
# and UndefinedBehaviorSanitizer) and runs each for SECONDS seconds, JOBS
# targets at a time (default: the number of cores).
#
#   fuzz/run.sh 60                 # every target, one minute each (CI)
#   fuzz/run.sh 600                # the ten-minute run of fuzz/README.md
#   fuzz/run.sh 30 toml models     # some targets
#
# Seeds: fuzz/corpus/<target>/, the repository's scenarios/, and the oracle
# files of ../shared/oracles when present (UNIONSTATE_SHARED_DIR elsewhere).
# What a run learns is kept in build-fuzz/corpus/<target>/ for the next
# run. A finding is written to build-fuzz/findings/ and the script exits 1;
# keep it as tests/data/fuzz-regressions/<target>/<what-it-pins> once fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:?usage: fuzz/run.sh SECONDS [TARGET...]}
shift
all=(toml observed bdm_csv ktab_csv ktab_xml decide deu detect model_spec perturb models scenario_image)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
jobs=${JOBS:-$(nproc)}
shared=${UNIONSTATE_SHARED_DIR:-../shared}
oracles="$shared/oracles"

command -v clang++-19 >/dev/null || { echo "fuzz/run.sh needs clang-19 and libclang-rt-19-dev (scripts/install-deps.sh installs them)" >&2; exit 1; }
generator=()
if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi
# -Wno-deprecated-declarations: clang 19 flags libstdc++ 12's own
# std::stable_sort, which calls get_temporary_buffer (deprecated in C++17)
# inside the system header; GCC, which build/ uses with -Werror, does not.
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g -Wno-deprecated-declarations"
if [ ! -f build-fuzz/CMakeCache.txt ]; then
  cmake -S . -B build-fuzz "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++-19 \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g" \
    -DCMAKE_CXX_FLAGS="$flags" -DUNIONSTATE_BUILD_FUZZERS=ON \
    -DUNIONSTATE_BUILD_TESTS=OFF -DUNIONSTATE_BUILD_BENCHMARKS=OFF \
    -DUNIONSTATE_WITH_MPI=OFF >/dev/null
fi
cmake --build build-fuzz -j "$(nproc)" --target "${targets[@]/%/_fuzzer}"
# The scenario_image target's seeds: the built-in scenarios' images, as the
# build bakes them (tools/bake_scenarios --images).
if printf '%s\n' "${targets[@]}" | grep -qx scenario_image; then
  cmake --build build-fuzz --target unionstate_bake_scenarios
  rm -rf build-fuzz/images && mkdir -p build-fuzz/images
  build-fuzz/unionstate_bake_scenarios --images build-fuzz/images . scenarios/union-state/*.toml
fi

# Seed files per target, beside fuzz/corpus/<target>.
seeds() {
  case "$1" in
    toml|models|detect) ls scenarios/examples/*.toml scenarios/union-state/20*.toml ;;
    observed) ls scenarios/union-state/observed-*.toml ;;
    scenario_image) ls build-fuzz/images/* ;;
  esac
  [ -d "$oracles" ] || return 0
  case "$1" in
    bdm_csv|models|detect) ls "$oracles"/bdm_scholz/*.csv "$oracles"/mean_voter_greece/*.csv ;;
  esac
  case "$1" in
    ktab_csv|models|detect) ls "$oracles"/ktab_smp/*.csv ;;
  esac
  case "$1" in
    ktab_xml|detect) ls "$oracles"/ktab_smp/*.xml ;;
  esac
  case "$1" in
    decide|detect) ls "$oracles"/exchange_model/*.csv "$oracles"/exchange_model/*.txt ;;
  esac
  case "$1" in
    deu|detect) ls "$oracles"/deu_compromise_nbs/*.csv ;;
  esac
}

mkdir -p build-fuzz/findings
run_one() {
  local target=$1 corpus=build-fuzz/corpus/$1
  mkdir -p "$corpus"
  [ -d "fuzz/corpus/$target" ] && cp -n fuzz/corpus/"$target"/* "$corpus"/ 2>/dev/null || true
  for f in $(seeds "$target"); do cp -n "$f" "$corpus/" 2>/dev/null || true; done
  # -timeout: one input taking 10 s is a finding; -rss_limit_mb: so is 2 GB.
  # The largest built-in scenario's image is 91 KB.
  local max_len=65536
  [ "$target" = scenario_image ] && max_len=131072
  if nice "build-fuzz/fuzz/${target}_fuzzer" "$corpus" -max_total_time="$seconds" \
      -timeout=10 -rss_limit_mb=2048 -max_len="$max_len" -print_final_stats=1 \
      -artifact_prefix="build-fuzz/findings/${target}-" >"build-fuzz/$target.log" 2>&1; then
    echo "$target: no finding ($(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "build-fuzz/$target.log" | grep -o '[0-9]*$') inputs in ${seconds} s)"
  else
    echo "$target: FINDING, see build-fuzz/$target.log and build-fuzz/findings/"
    return 1
  fi
}
export -f run_one seeds
export seconds oracles
status=0
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one {}' || status=1
exit $status
