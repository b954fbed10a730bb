#!/usr/bin/env python3
"""The fixed cost of one `unionstate run`, measured as a user runs it.

Runs each command REPEAT times as a child process and reports the CPU time
(user + sys, from wait4's rusage: robust on a loaded machine, unlike wall
time) per run: the median and the lowest quartile, and the wall time. The
commands are whole `unionstate` invocations -- start-up, dynamic loading,
reading the scenario, the model, writing the JSON -- with stdout to
/dev/null. `validate` on the same file gives the floor of start-up and
loading; `--baseline BINARY` runs another build of the program on the same
commands, each run in turn with this one's, and prints the ratio (for
example main's build against this one).

  bench/run_cost.py [--binary build/unionstate] [--baseline OTHER]
                    [--repeat 100] [--ktab-dir DIR]

The 34-actor KTAB case needs SOE-Competitive.csv (KTAB's
examples/smp/doc/SOE-Competitive.csv) in --ktab-dir; it is skipped when the
file is missing. Only the Python standard library is used.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def run_once(command, null):
    """CPU (user+sys) and wall seconds of one run of `command`."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=null, stderr=null)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"{' '.join(command)} exited {code}")
    return usage.ru_utime + usage.ru_stime, wall


def measure(commands, repeat):
    """Per command: CPU (user+sys) seconds per run, median and lower
    quartile; wall median. The commands run in turn (A B A B ...), so a
    change in the machine's speed meets each of them alike: this machine's
    speed changes by a third between quarters of an hour (bench/README.md)."""
    cpu = [[] for _ in commands]
    wall = [[] for _ in commands]
    with open(os.devnull, "wb") as null:
        for _ in range(repeat):
            for k, command in enumerate(commands):
                c, w = run_once(command, null)
                cpu[k].append(c)
                wall[k].append(w)
    out = []
    for c, w in zip(cpu, wall):
        c.sort()
        out.append((statistics.median(c), c[len(c) // 4], statistics.median(w)))
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=os.path.join(root, "build", "unionstate"))
    parser.add_argument("--baseline", help="another unionstate binary to compare")
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--ktab-dir",
                        default=os.path.join(root, "..", "shared", "oracles", "ktab_smp"))
    args = parser.parse_args()

    competitive = os.path.join(args.ktab_dir, "SOE-Competitive.csv")
    pol_comp = os.path.join(args.ktab_dir, "SOE-Pol-Comp.csv")
    cases = []
    if os.path.exists(competitive):
        cases += [
            ("KTAB SOE-Competitive (34 actors x 1), smp",
             ["run", competitive, "--model", "smp"]),
            ("  its load floor: validate", ["validate", competitive]),
        ]
    else:
        print(f"skipped: {competitive} is missing", file=sys.stderr)
    if os.path.exists(pol_comp):
        cases += [("KTAB SOE-Pol-Comp (13 actors x 2), smp",
                   ["run", pol_comp, "--model", "smp"])]
    cases += [
        ("Union State 2021-09, parity", ["run", "--model", "parity"]),
        ("  its load floor: validate",
         ["validate", os.path.join(root, "scenarios", "union-state", "2021-09.toml")]),
        ("start-up floor: models", ["models"]),
    ]
    # Both programs run from copies in one temporary folder. A file as the
    # linker writes it (in pieces, out of order) starts about 0.1 ms slower
    # on this machine than the same bytes copied whole (bench/README.md),
    # which would favour whichever binary was copied.
    scratch = tempfile.TemporaryDirectory()
    binary = os.path.join(scratch.name, "this")
    shutil.copyfile(args.binary, binary)
    shutil.copymode(args.binary, binary)
    baseline = None
    if args.baseline:
        baseline = os.path.join(scratch.name, "baseline")
        shutil.copyfile(args.baseline, baseline)
        shutil.copymode(args.baseline, baseline)
    load = os.getloadavg()[0]
    print(f"{args.repeat} runs each; load average {load:.2f} on {os.cpu_count()} cores")
    header = "| command | CPU median (ms) | CPU lower quartile (ms) | wall median (ms) |"
    rule = "|---|---|---|---|"
    if args.baseline:
        header += " baseline CPU median (ms) | baseline / this |"
        rule += "---|---|"
    print(header)
    print(rule)
    for name, rest in cases:
        commands = [[binary] + rest]
        if baseline:
            commands.append([baseline] + rest)
        results = measure(commands, args.repeat)
        med, low, wall = results[0]
        row = f"| {name} | {med * 1e3:.2f} | {low * 1e3:.2f} | {wall * 1e3:.2f} |"
        if args.baseline:
            base = results[1][0]
            row += f" {base * 1e3:.2f} | {base / med:.2f} |"
        print(row)
    # The machine's own floor, to read the rows above against: starting and
    # ending a process that does nothing moves with the machine's state
    # (0.5 ms in a fast stretch, 1.5 ms in a slow one, bench/README.md).
    true = shutil.which("true") or "/bin/true"
    med, low, wall = measure([[true]], args.repeat)[0]
    row = f"| machine's floor: {true} | {med * 1e3:.2f} | {low * 1e3:.2f} | {wall * 1e3:.2f} |"
    if args.baseline:
        row += " | |"
    print(row)


if __name__ == "__main__":
    main()
