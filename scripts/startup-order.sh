#!/usr/bin/env bash
# Writes src/cli/startup_order.txt: the program's functions that the common
# short commands execute (`models`, `validate`, and `run` of every model on
# the built-in Union State and of a KTAB table), as callgrind counts them,
# most shared first. The program's link (CMakeLists.txt) hands the file to
# lld, which lays those functions out side by side at the start of the
# code: a command then maps a few 64 KB windows of code instead of dozens
# scattered over 5 MB, each a page fault (bench/README.md, "Fresh pages").
#
# Run it after a change that renames or adds much of what these commands
# run (Cli.StartupOrderNamesTheProgramsFunctions says when the file has gone
# stale), then rebuild. Needs valgrind and a built program:
#   scripts/startup-order.sh [build/unionstate]
set -euo pipefail
program=$(realpath "${1:-$(dirname "$0")/../build/unionstate}")
cd "$(dirname "$0")/.."

command -v valgrind >/dev/null || { echo "valgrind is needed" >&2; exit 1; }
[ -x "$program" ] || { echo "$program: no such program; build it first" >&2; exit 1; }
ktab=../shared/oracles/ktab_smp/SOE-Pol-Comp.csv
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

commands=(
  "models"
  "validate scenarios/union-state/2021-09.toml"
  "run"
  "run --format table"
  "run --model smp"
  "run --model compromise"
  "run --model nash"
  "run --model bdm"
  "run --model exchange"
  "run scenarios/union-state/2019-12.toml"
)
if [ -f "$ktab" ]; then commands+=("run $ktab --model smp" "validate $ktab"); fi

k=0
for c in "${commands[@]}"; do
  k=$((k + 1))
  # shellcheck disable=SC2086  # the words of each command line
  valgrind --tool=callgrind --demangle=no --compress-strings=no \
    --callgrind-out-file="$tmp/out.$k" "$program" $c >/dev/null 2>"$tmp/err" ||
    { cat "$tmp/err" >&2; echo "failed: unionstate $c" >&2; exit 1; }
done

python3 - "$program" "$tmp" "${#commands[@]}" > "$tmp/order.txt" <<'EOF'
import collections, glob, os, sys
program, folder, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
uses = collections.Counter()
for path in glob.glob(os.path.join(folder, "out.*")):
    names, ob = set(), None
    for line in open(path, errors="replace"):
        if line.startswith("ob="):
            ob = line[3:].strip()
        elif line.startswith("fn=") and ob == program:
            names.add(line[3:].strip())
    uses.update(names)
print(f"# The functions {n} short commands run, most shared first: the program's")
print("# link order (CMakeLists.txt). Written by scripts/startup-order.sh.")
for name, _ in sorted(uses.items(), key=lambda item: (-item[1], item[0])):
    # Not symbols: callgrind's names for code without one (0x..., "(below
    # main)") and for a recursive call's level (NAME'2).
    if not name.startswith("0x") and " " not in name and "'" not in name:
        print(name)
EOF
mv "$tmp/order.txt" src/cli/startup_order.txt
echo "src/cli/startup_order.txt: $(grep -vc '^#' src/cli/startup_order.txt) functions"
