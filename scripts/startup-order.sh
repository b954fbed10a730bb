#!/usr/bin/env bash
# Writes src/cli/startup_order.txt: the program's functions that the common
# short commands execute (`models`, `validate`, and `run` of every model on
# the built-in Union State and of a KTAB table), as callgrind counts them,
# most shared first; then, after a line "# data", the variables they write
# in the program's writable segments, and after "# read-only data" what
# they load from its read-only one, as valgrind's lackey traces them. The
# program's link (CMakeLists.txt) hands the file to lld, which lays those
# functions out side by side at the start of the code, and those variables
# and tables (with the rest of their object file's section) at the start of
# .data, .bss, .data.rel.ro and .rodata: a command then maps a few 64 KB
# windows of code instead of dozens scattered over 5 MB, and writes 9 fresh
# pages of data instead of 15, each a page fault (bench/README.md, "Fresh
# pages").
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

# Lackey writes every load and store (up to 300 MB for a command); kept are
# the addresses stored to (S) or modified (M) in a writable segment and
# those loaded (L) from the read-only one, each once.
cat >"$tmp/keep.py" <<'KEEP'
import subprocess, sys
program, log, out = sys.argv[1:4]
writable, readonly = [], []
for line in subprocess.run(["readelf", "-lW", program], capture_output=True,
                           text=True, check=True).stdout.splitlines():
    f = line.split()
    if f and f[0] == "LOAD" and f[-2] in ("RW", "R"):
        lo = int(f[2], 16)
        (writable if f[-2] == "RW" else readonly).append((lo, lo + int(f[5], 16)))
# Each address once, in the order first seen (dicts keep it).
stored, loaded = {}, {}
with open(log, errors="replace") as lines:
    for line in lines:
        if len(line) < 4 or line[0] != " " or line[1] not in "SML":
            continue
        at = int(line[3:].split(",", 1)[0], 16)
        if line[1] == "L":
            if any(lo <= at < hi for lo, hi in readonly):
                loaded.setdefault(at)
        elif any(lo <= at < hi for lo, hi in writable):
            stored.setdefault(at)
with open(out, "w") as f:
    f.writelines(f"S {a:x}\n" for a in stored)
    f.writelines(f"L {a:x}\n" for a in loaded)
KEEP
k=0
for c in "${commands[@]}"; do
  k=$((k + 1))
  # shellcheck disable=SC2086  # the words of each command line
  valgrind --tool=lackey --trace-mem=yes --log-file="$tmp/lackey" \
    "$program" $c >/dev/null 2>"$tmp/err" ||
    { cat "$tmp/err" >&2; grep '^==' "$tmp/lackey" >&2
      echo "failed: lackey on unionstate $c" >&2; exit 1; }
  python3 "$tmp/keep.py" "$program" "$tmp/lackey" "$tmp/memory.$k"
  rm "$tmp/lackey"
done

python3 - "$program" "$tmp" "${#commands[@]}" > "$tmp/order.txt" <<'EOF'
import bisect, collections, glob, os, re, subprocess, sys
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
# Valgrind's virtual CPU has AVX2 but not AVX-512, so where the program or
# libc picks a function's version by the CPU (an ifunc), callgrind sees the
# AVX2 one: the target_clones kernels (NAME.avx2 beside NAME.avx512f) and
# glibc's string functions (__memcpy_avx_unaligned_erms beside
# __memcpy_evex_unaligned_erms and __memcpy_avx512_unaligned_erms).
# On a machine with AVX-512 the others run, and they lay far from the
# ordered code, each a page fault of its own (bench/README.md, "The
# versions valgrind does not see"). Each listed name brings its siblings.
functions = set()
for line in subprocess.run(["nm", "--defined-only", program],
                           capture_output=True, text=True,
                           check=True).stdout.splitlines():
    f = line.split()
    if len(f) == 3 and f[1] in "tTiIwW":
        functions.add(f[2])
clones = collections.defaultdict(list)
for name in functions:
    base, dot, version = name.rpartition(".")
    # Not the resolver, a function's cold part, or the clone for CPUs
    # without AVX2 (which still runs there, from further away).
    if dot and base in functions and not version.startswith("resolver") \
            and version not in ("cold", "default"):
        clones[base].append(name)
tiers = re.compile(r"^(__\w+?)_(sse2|ssse3|sse4_1|sse4_2|sse42|avx|avx2)(_\w+)?$")
def siblings(name):
    # From a clone to the others (not from the ifunc's own name: every
    # resolver runs at start-up, in every command, and would bring every
    # kernel's clones to the front).
    base, dot, _ = name.rpartition(".")
    out = sorted(c for c in clones.get(base, []) if c != name) if dot else []
    m = tiers.match(name)
    if m:
        stem, rest = m.group(1), m.group(3) or ""
        for tier in ("evex", "evex512", "avx512"):
            for candidate in (stem + "_" + tier + rest, stem + "_" + tier):
                if candidate in functions and candidate not in out:
                    out.append(candidate)
    return out
print(f"# The functions {n} short commands run, most shared first, each with")
print("# the versions of it that other CPUs run: the program's link order")
print("# (CMakeLists.txt). Written by scripts/startup-order.sh.")
listed = set()
def emit(name):
    if name not in listed:
        listed.add(name)
        print(name)
# crtbegin's code, which runs the constructors and which callgrind does
# not name.
emit("frame_dummy")
for name, _ in sorted(uses.items(), key=lambda item: (-item[1], item[0])):
    # Not symbols: callgrind's names for code without one (0x..., "(below
    # main)") and for a recursive call's level (NAME'2).
    if not name.startswith("0x") and " " not in name and "'" not in name:
        emit(name)
        for sibling in siblings(name):
            emit(sibling)

# The variables: each store's address in a writable LOAD segment, named by
# the symbol that holds it (nm), most shared first, then in the order first
# written; then, the same way, the read-only data they load (tables of
# libc and libm, the built-in scenario's image, libstdc++'s locale names),
# which lay over the 1.5 MB read-only segment: 13 page faults of
# `run --model parity`. (String literals are merged into one section, which
# the link does not reorder.)
segments = {"RW": [], "R": []}
for line in subprocess.run(["readelf", "-lW", program], capture_output=True,
                           text=True, check=True).stdout.splitlines():
    f = line.split()
    if f and f[0] == "LOAD" and f[-2] in segments:
        lo = int(f[2], 16)
        segments[f[-2]].append((lo, lo + int(f[5], 16)))
symbols = []
for line in subprocess.run(["nm", "-S", "--defined-only", program],
                           capture_output=True, text=True,
                           check=True).stdout.splitlines():
    f = line.split()
    if len(f) == 4 and any(lo <= int(f[0], 16) < hi
                           for lo, hi in segments["RW"] + segments["R"]):
        symbols.append((int(f[0], 16), max(int(f[1], 16), 1), f[3]))
symbols.sort()
starts = [s[0] for s in symbols]
def users(kind):
    count, first = collections.Counter(), {}
    # The commands in the order run (memory.1, memory.2, ..., memory.10).
    paths = glob.glob(os.path.join(folder, "memory.*"))
    for path in sorted(paths, key=lambda p: int(p.rsplit(".", 1)[1])):
        named = set()
        for line in open(path):
            if line[0] != kind:
                continue
            at = int(line[2:], 16)
            i = bisect.bisect_right(starts, at) - 1
            if i >= 0 and at < symbols[i][0] + symbols[i][1]:
                named.add(symbols[i][2])
                first.setdefault(symbols[i][2], len(first))
        count.update(named)
    return sorted(count, key=lambda name: (-count[name], first[name]))
print(f"# data: the variables they write, most shared first (the link puts")
print("# the section of each first in .data, .bss or .data.rel.ro).")
for name in users("S"):
    print(name)
print("# read-only data: what they load, most shared first (first in .rodata).")
for name in users("L"):
    print(name)
EOF
mv "$tmp/order.txt" src/cli/startup_order.txt
order=src/cli/startup_order.txt
echo "$order: $(sed '/^# data/q' "$order" | grep -vc '^#') functions," \
  "$(sed -n '/^# data/,/^# read-only/p' "$order" | grep -vc '^#') variables," \
  "$(sed '1,/^# read-only/d' "$order" | grep -vc '^#') read-only data"
