// One round of the bdm model (risk update + offers + moves) at 10, 100, 1000
// and 5000 actors, the naive O(n^3) reference side by side with the fast
// O(n^2) round (src/models/bdm/bdm_engine.h). Prints Google Benchmark's table and
// fitted complexity, then a summary: time per round, naive/fast ratio, and the
// growth exponent between consecutive sizes (log t2/t1 / log n2/n1).
//
// The naive round runs up to 1000 actors (about a minute there on one core);
// at 5000 it would take hours, so its time is extrapolated from the fitted
// cubic and marked as such.

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cmath>
#include <map>
#include <random>

#include "bench/bench_summary.h"
#include "models/bdm/bdm_engine.h"

namespace {

using unionstate::bdm::Algorithm;
using unionstate::bdm::MakeState;
using unionstate::bdm::MoveRound;
using unionstate::bdm::Options;
using unionstate::bdm::State;
using unionstate::bdm::UpdateRisk;

State Generated(int n) {
  std::mt19937_64 rng(20191207);
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<double> c, s, x;
  for (int k = 0; k < n; ++k) {
    c.push_back(0.05 + unit(rng));
    s.push_back(unit(rng));
    x.push_back(100 * unit(rng));
  }
  return MakeState(c, s, x);
}

void Round(benchmark::State& bench, Algorithm algorithm) {
  const int n = static_cast<int>(bench.range(0));
  const State start = Generated(n);
  Options options{.algorithm = algorithm};
  for (auto _ : bench) {
    State state = start;
    UpdateRisk(state, options);
    benchmark::DoNotOptimize(MoveRound(state, options));
  }
  bench.SetComplexityN(n);
}

void BM_BdmRoundNaive(benchmark::State& bench) {
  Round(bench, Algorithm::kNaive);
}
void BM_BdmRoundFast(benchmark::State& bench) {
  Round(bench, Algorithm::kFast);
}

BENCHMARK(BM_BdmRoundNaive)
    ->Arg(10)
    ->Arg(100)
    ->Arg(1000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->Complexity(benchmark::oNCubed);
BENCHMARK(BM_BdmRoundFast)
    ->Arg(10)
    ->Arg(100)
    ->Arg(1000)
    ->Arg(5000)
    ->Unit(benchmark::kMillisecond)
    ->Complexity(benchmark::oNSquared);

// Collects the per-size times to print the side-by-side summary.
class Summary : public unionstate::bench::SummaryReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.run_type != Run::RT_Iteration || run.aggregate_name.size())
        continue;
      std::string name = run.benchmark_name();
      size_t slash = name.find('/');
      if (slash == std::string::npos) continue;
      int n = std::stoi(name.substr(slash + 1));
      double seconds = run.GetAdjustedRealTime() / 1e3;  // reported in ms
      (name.starts_with("BM_BdmRoundNaive") ? naive_ : fast_)[n] = seconds;
    }
  }

  void Print() const override {
    std::printf("\nbdm: one round (risk update + offers + moves), seconds\n");
    std::printf("%8s %14s %14s %12s %14s %14s\n", "actors", "naive", "fast",
                "naive/fast", "naive growth", "fast growth");
    double cubic = 0;  // naive seconds / n^3, from the largest measured size
    for (const auto& [n, t] : naive_) cubic = t / std::pow(n, 3);
    int previous = 0;
    for (const auto& [n, fast] : fast_) {
      auto measured = naive_.find(n);
      bool have = measured != naive_.end();
      double naive = have ? measured->second : cubic * std::pow(n, 3);
      std::string growth_naive = "-";
      std::string growth_fast = "-";
      if (previous > 0) {
        double scale = std::log(static_cast<double>(n) / previous);
        auto before = naive_.find(previous);
        if (have && before != naive_.end()) {
          growth_naive =
              fmt::format("n^{:.2f}", std::log(naive / before->second) / scale);
        }
        growth_fast = fmt::format("n^{:.2f}",
                                  std::log(fast / fast_.at(previous)) / scale);
      }
      std::printf("%8d %14s %14.6f %12.1f %14s %14s\n", n,
                  (have ? fmt::format("{:.6f}", naive)
                        : fmt::format("~{:.0f} (est.)", naive))
                      .c_str(),
                  fast, naive / fast, growth_naive.c_str(),
                  growth_fast.c_str());
      previous = n;
    }
  }

 private:
  std::map<int, double> naive_;
  std::map<int, double> fast_;
};

}  // namespace

int main(int argc, char** argv) {
  Summary summary;
  return unionstate::bench::RunWithSummary(argc, argv, summary);
}
