#!/usr/bin/env python3
"""Issue 19's ensemble speed targets, measured on whole commands.

Each case starts whole `unionstate ensemble` processes on the built-in
Union State scenario (`--perturb positions=10,saliences=0.1`, default
threads: one per core) and, side by side in the same run (A B A B ...),
its baseline, and reports for each: the CPU time (user + sys) and the
peak resident memory from wait4's rusage, the wall time, and the 1-minute
load average when it started; then the ratio A / B pair by pair (median).
CPU seconds and ratios are the figures to trust on a shared machine; wall
times are inflated by whatever else runs.

The baseline "runs alone" is build/bench/ensemble_runs_bench: the same
process start, scenario, perturbation, model, seed, threads and batches,
every run's draws and model run made and its record built, then the
records dropped -- no summary, no database, no output.

Cases (targets from issue 19, and issue 14 for the last):
  store    100 000 compromise draws with summary and --store, within 2x
           the runs alone and under 10 s
  million  1 000 000 compromise draws without --store: under 60 s, peak
           resident memory under 500 MB (baseline: runs alone)
  bdm      bdm draws: at least 1 000 per second end to end
  horizon  10 000 draws with --horizon (time forecasts; the scenario's own
           model, parity): under 30 s (baseline: the same without --horizon)

  bench/ensemble_commands.py [--binary build/unionstate]
      [--runs-alone build/bench/ensemble_runs_bench] [--repeat 3]
      [--scale 1.0] [CASE ...]

--scale multiplies every case's number of draws (0.1 for a quick check).
The million case runs at most two pairs and no warm-up (about 4 minutes on
the project's 2-core machine); the whole script takes 8 to 15 minutes.
Only the Python standard library is used.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

PERTURB = "positions=10,saliences=0.1"


def measure(command, store=None):
    """One run of `command`: cpu, wall, peak RSS (MB), load before."""
    if store:
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(store + suffix):
                os.remove(store + suffix)
    load = os.getloadavg()[0]
    with open(os.devnull, "wb") as null:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=null, stderr=subprocess.PIPE)
        err = child.stderr.read()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"{' '.join(command)} exited {code}: {err.decode()[-500:]}")
    return {
        "cpu": usage.ru_utime + usage.ru_stime,
        "wall": wall,
        "rss": usage.ru_maxrss / 1024.0,
        "load": load,
    }


def side_by_side(a, b, repeat, store=None, warmup=True):
    """A and B in turn, `repeat` times each (after one warm-up of each)."""
    if warmup:
        measure(a, store)
        if b:
            measure(b)
    runs_a, runs_b = [], []
    for _ in range(repeat):
        runs_a.append(measure(a, store))
        if b:
            runs_b.append(measure(b))
    return runs_a, runs_b


def median(runs, key):
    return statistics.median(r[key] for r in runs)


def spread(runs, key, fmt):
    values = sorted(r[key] for r in runs)
    return f"{fmt.format(statistics.median(values))} ({fmt.format(values[0])}-{fmt.format(values[-1])})"


def ratio(runs_a, runs_b, key):
    values = sorted(x[key] / y[key] for x, y in zip(runs_a, runs_b))
    return f"{statistics.median(values):.2f} ({values[0]:.2f}-{values[-1]:.2f})"


def loads(runs):
    values = [r["load"] for r in runs]
    return f"{min(values):.1f}-{max(values):.1f}"


def report(name, label_a, runs_a, label_b, runs_b, draws, verdicts):
    print(f"\n### {name}\n")
    print("| command | CPU s | wall s | draws/s (wall) | peak RSS MB | load |")
    print("|---|---|---|---|---|---|")
    for label, runs in ((label_a, runs_a), (label_b, runs_b)):
        if not runs:
            continue
        rate = draws / median(runs, "wall")
        print(f"| {label} | {spread(runs, 'cpu', '{:.2f}')} | "
              f"{spread(runs, 'wall', '{:.2f}')} | {rate:,.0f} | "
              f"{median(runs, 'rss'):.0f} | {loads(runs)} |")
    if runs_b:
        print(f"\nA / B, pair by pair (median, min-max): CPU "
              f"{ratio(runs_a, runs_b, 'cpu')}, wall "
              f"{ratio(runs_a, runs_b, 'wall')}")
    for line in verdicts:
        print(line)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=os.path.join(root, "build", "unionstate"))
    parser.add_argument("--runs-alone",
                        default=os.path.join(root, "build", "bench", "ensemble_runs_bench"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("cases", nargs="*",
                        default=["store", "million", "bdm", "horizon"])
    args = parser.parse_args()
    for case in args.cases:
        if case not in ("store", "million", "bdm", "horizon"):
            sys.exit(f"unknown case {case}; expected store, million, bdm or horizon")

    def n(draws):
        return max(1, int(draws * args.scale))

    def ensemble(model, draws, *extra):
        command = [args.binary, "ensemble", "--runs", str(draws), "--perturb",
                   PERTURB, "--quiet"]
        if model:
            command += ["--model", model]
        return command + list(extra)

    def alone(model, draws):
        return [args.runs_alone, "--model", model, "--runs", str(draws),
                "--perturb", PERTURB]

    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
          f"{os.cpu_count()} cores; load average now "
          f"{os.getloadavg()[0]:.2f}; {args.repeat} counted runs of each "
          f"command after one warm-up, A and B in turn")
    with tempfile.TemporaryDirectory() as tmp:
        store = os.path.join(tmp, "results.db")
        if "store" in args.cases:
            draws = n(100_000)
            a, b = side_by_side(ensemble("compromise", draws, "--store", store),
                                alone("compromise", draws), args.repeat, store)
            rate = median(a, "cpu") / median(b, "cpu")
            report(f"{draws} compromise draws, summary and --store",
                   "A: ensemble --store", a, "B: runs alone", b, draws,
                   [f"\ntarget: A within 2x of B (CPU {rate:.2f}x) and under "
                    f"10 s (wall {median(a, 'wall'):.2f} s)"])
        if "million" in args.cases:
            draws = n(1_000_000)
            # Long: at most two pairs, no warm-up (the first 10^5 case warms).
            a, b = side_by_side(ensemble("compromise", draws),
                                alone("compromise", draws),
                                min(args.repeat, 2), warmup=False)
            report(f"{draws} compromise draws, summary, no --store",
                   "A: ensemble", a, "B: runs alone", b, draws,
                   [f"\ntarget: under 60 s (wall {median(a, 'wall'):.1f} s, "
                    f"CPU {median(a, 'cpu'):.1f} s) and under 500 MB "
                    f"(peak RSS {max(r['rss'] for r in a):.0f} MB)"])
        if "bdm" in args.cases:
            draws = n(3_000)
            a, b = side_by_side(ensemble("bdm", draws), alone("bdm", draws),
                                args.repeat)
            report(f"{draws} bdm draws, summary", "A: ensemble", a,
                   "B: runs alone", b, draws,
                   [f"\ntarget: 1 000 draws/s (wall: "
                    f"{draws / median(a, 'wall'):,.0f}/s; per CPU second: "
                    f"{draws / median(a, 'cpu'):,.0f}, so "
                    f"{os.cpu_count() * draws / median(a, 'cpu'):,.0f}/s on "
                    f"{os.cpu_count()} free cores at best)"])
        if "horizon" in args.cases:
            draws = n(10_000)
            a, b = side_by_side(ensemble(None, draws, "--horizon", "2026-12-31"),
                                ensemble(None, draws), args.repeat)
            report(f"{draws} draws with --horizon (parity, the scenario's model)",
                   "A: ensemble --horizon", a, "B: ensemble", b, draws,
                   [f"\ntarget: under 30 s (wall {median(a, 'wall'):.1f} s, "
                    f"CPU {median(a, 'cpu'):.1f} s)"])


if __name__ == "__main__":
    main()
