#!/usr/bin/env python3
"""Speed of the Python module (bench/README.md, "python").

1. End to end: `python3 -c "import unionstate as us; us.run(us.builtin(), 'parity')"`
   as a process, beside `build/unionstate run --model parity` as a process.
2. The overhead of calling a model from Python: `us.run(s, spec, seed)` and
   `model.run(s, seed)` per call, beside the same Model::Run timed in a C++ loop
   inside the module (no Python in the loop), on the same scenario. Target:
   under 50 us added.
3. An ensemble of 100 000 runs: end to end (`us.ensemble`), then converting
   its draws (100 000 x issues rows) and summary to DataFrames. Target: under
   1 s for the conversion.

Run with Debian's Python from the repository root after a build:
    PYTHONPATH=build/python /usr/bin/python3 bench/python_bench.py
"""

import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "build", "python"))

import unionstate as us  # noqa: E402


def best_of(fn, repeat=5):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times), statistics.median(times)


def process(args):
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "build", "python"))
    return lambda: subprocess.run(args, check=True, capture_output=True, env=env, cwd=ROOT)


def main():
    print("== end to end (process start to forecast printed), best / median of 5")
    cli = best_of(process([os.path.join(ROOT, "build", "unionstate"), "run", "--model", "parity"]))
    py = best_of(process([sys.executable, "-c",
                          "import unionstate as us; print(us.run(us.builtin(), 'parity').outcomes)"]))
    print(f"  CLI  unionstate run --model parity            {cli[0]*1e3:8.1f} ms / {cli[1]*1e3:8.1f} ms")
    print(f"  Python  us.run(us.builtin(), 'parity').outcomes {py[0]*1e3:8.1f} ms / {py[1]*1e3:8.1f} ms")

    print("== call overhead per model run (kernel: Model::Run in a C++ loop inside the module)")
    cases = [("compromise", "scenarios/examples/gas-price-2020.toml"),
             ("nash", "scenarios/examples/gas-price-2020.toml"),
             ("parity", "scenarios/examples/energy-2019-12"),
             ("parity", "builtin")]
    for spec, where in cases:
        s = us.builtin() if where == "builtin" else us.load_scenario(os.path.join(ROOT, where))
        model = us.load_model(spec)
        calls = 2000 if where != "builtin" else 200
        cpp = min(model._core._time_cpp_run(s._core, 0, calls) for _ in range(5))
        def loop_core():
            for _ in range(calls):
                model._core.run(s._core, 0)
        def loop_model():
            for _ in range(calls):
                model.run(s, 0)
        def loop_run():
            for _ in range(calls):
                us.run(s, spec, 0)
        core = best_of(loop_core)[0] / calls
        obj = best_of(loop_model)[0] / calls
        full = best_of(loop_run)[0] / calls
        print(f"  {spec:10s} on {where:40s} C++ {cpp*1e6:9.2f} us | "
              f"model.run +{(obj-cpp)*1e6:6.2f} us | us.run(s, spec) +{(full-cpp)*1e6:6.2f} us "
              f"| _core only +{(core-cpp)*1e6:6.2f} us")

    print("== ensemble of 100 000 runs, compromise on the gas-price example, positions=10, 2 threads")
    s = us.load_scenario(os.path.join(ROOT, "scenarios", "examples", "gas-price-2020.toml"))
    t = time.perf_counter()
    e = us.ensemble(s, "compromise", runs=100_000, perturb="positions=10,saliences=0.1", seed=1, threads=2)
    end_to_end = time.perf_counter() - t
    print(f"  us.ensemble(..., runs=100000) end to end       {end_to_end:8.3f} s")
    draws = best_of(lambda: e.draws)
    summary = best_of(lambda: e.summary)
    inputs = best_of(lambda: e.inputs)
    print(f"  e.draws   -> DataFrame ({len(e.draws):7d} rows)       {draws[0]:8.4f} s (median {draws[1]:.4f})")
    print(f"  e.inputs  -> DataFrame ({len(e.inputs):7d} rows)       {inputs[0]:8.4f} s (median {inputs[1]:.4f})")
    print(f"  e.summary -> DataFrame                         {summary[0]:8.4f} s")
    s2 = us.builtin()
    t = time.perf_counter()
    e2 = us.ensemble(s2, "compromise", runs=100_000, perturb="positions=10", seed=1, threads=2)
    end_to_end2 = time.perf_counter() - t
    draws2 = best_of(lambda: e2.draws, repeat=3)
    print(f"  built-in Union State ({len(s2.issues)} issues): ensemble {end_to_end2:.3f} s, "
          f"e.draws ({len(e2.draws)} rows) {draws2[0]:.4f} s")


if __name__ == "__main__":
    main()
