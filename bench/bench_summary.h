#ifndef UNIONSTATE_BENCH_BENCH_SUMMARY_H_
#define UNIONSTATE_BENCH_BENCH_SUMMARY_H_

// The frame the benchmarks with a summary share: Google Benchmark's table
// as the console prints it (in colour on a terminal), and after it the
// summary their reporter collected from the runs (ratios to a baseline,
// growth exponents).

#include <benchmark/benchmark.h>
#include <unistd.h>

namespace unionstate::bench {

// A benchmark's reporter: override ReportRuns (calling this one's, which
// prints the table) to collect, and Print to write the summary.
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  SummaryReporter()
      : ConsoleReporter(isatty(1) ? OO_ColorTabular : OO_Tabular) {}
  virtual void Print() const = 0;
};

// Runs the benchmarks the command line selects (--benchmark_filter and the
// rest), reporting through `summary`, then prints its summary.
inline int RunWithSummary(int argc, char** argv, SummaryReporter& summary) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks(&summary);
  summary.Print();
  benchmark::Shutdown();
  return 0;
}

}  // namespace unionstate::bench

#endif  // UNIONSTATE_BENCH_BENCH_SUMMARY_H_
