#!/usr/bin/env python3
"""What a fresh page of memory costs a process on this machine.

Builds a small C program (with the system's cc, in a temporary folder) that
maps memory and writes one byte in each 4 KiB page of its first N KiB, either
on ordinary pages or on one 2 MiB range given to the kernel with
madvise(MADV_HUGEPAGE), and starts it as run_cost.py starts `unionstate`:
CPU time (user + sys from wait4) per process, medians, the programs in turn.
The difference between two rows is the cost of the pages: the reason the
program's first allocations live on a huge page (src/cli/huge_page_arena.h,
bench/README.md).

  bench/fresh_pages.py [--repeat 300]
"""

import argparse
import os
import statistics
import subprocess
import tempfile

SOURCE = r"""
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
int main(int argc, char** argv) {
  size_t kib = (size_t)atol(argv[1]);
  int huge = atoi(argv[2]);
  size_t two_mib = (size_t)2 << 20;
  char* p = mmap(0, 2 * two_mib, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return 2;
  char* a = (char*)(((uintptr_t)p + two_mib - 1) & ~(uintptr_t)(two_mib - 1));
  /* Ordinary pages even where THP is "always". */
  madvise(a, two_mib, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
  for (size_t i = 0; i < kib * 1024; i += 4096) a[i] = 1;
  return a[0] == 7;
}
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, "touch.c")
        program = os.path.join(tmp, "touch")
        with open(source, "w") as f:
            f.write(SOURCE)
        subprocess.run(["cc", "-O2", "-o", program, source], check=True)
        cases = [("nothing touched", ["4", "0"]),
                 ("100 pages (400 KiB), ordinary", ["400", "0"]),
                 ("400 KiB on one huge page", ["400", "1"]),
                 ("2 MiB on one huge page", ["2048", "1"])]
        cpu = [[] for _ in cases]
        faults = [0] * len(cases)
        with open(os.devnull, "wb") as null:
            for _ in range(args.repeat):
                for k, (_, rest) in enumerate(cases):
                    child = subprocess.Popen([program] + rest, stdout=null)
                    _, _, usage = os.wait4(child.pid, 0)
                    cpu[k].append(usage.ru_utime + usage.ru_stime)
                    faults[k] = usage.ru_minflt
        print(f"{args.repeat} runs each; load average {os.getloadavg()[0]:.2f}")
        print("| process | CPU median (ms) | minus 'nothing touched' (ms) | page faults |")
        print("|---|---|---|---|")
        floor = statistics.median(cpu[0])
        for (name, _), c, f in zip(cases, cpu, faults):
            m = statistics.median(c)
            print(f"| {name} | {m * 1e3:.3f} | {(m - floor) * 1e3:+.3f} | {f} |")


if __name__ == "__main__":
    main()
