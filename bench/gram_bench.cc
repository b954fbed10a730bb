// Kernel only: the ensemble summary's cross-product loop (src/ensemble/
// gram.h), one pass of kGramRuns runs over the whole lower triangle, one
// thread, on the Union State's width (432 columns: 1 + 390 inputs + 41
// issues) and on 64 and 1 024, for every version this machine runs (plain
// x86-64, AVX2, AVX-512) beside the plain scalar loop every version must
// equal bit for bit (gram.h's GramUpdateScalar). Prints Google Benchmark's
// table, then a summary: microseconds per run (a pass's time over kGramRuns)
// and each version's speed-up over the scalar loop. No process start, draws,
// model or store: the whole ensemble's figures are
// bench/ensemble_commands.py's.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "bench/bench_summary.h"
#include "ensemble/gram.h"

namespace {

using unionstate::internal::GramIsa;
using unionstate::internal::GramIsaSupported;
using unionstate::internal::GramUpdateScalar;
using unionstate::internal::GramUpdateWith;
using unionstate::internal::kGramRuns;

// The runs of one pass (normal draws) and a matrix to add them to.
struct Pass {
  std::vector<double> w;
  std::vector<double> g;
};

Pass Make(std::size_t d) {
  std::mt19937_64 rng(432);
  std::normal_distribution<double> normal(0.0, 1.0);
  Pass p{std::vector<double>(kGramRuns * d), std::vector<double>(d * d)};
  for (double& x : p.w) x = normal(rng);
  return p;
}

// The baseline: the loop every version must equal (gram.h), one entry at
// a time.
void BM_ScalarLoop(benchmark::State& state) {
  const auto d = static_cast<std::size_t>(state.range(0));
  Pass p = Make(d);
  for (auto _ : state) {
    GramUpdateScalar(p.w.data(), kGramRuns, d, 0, d, p.g.data());
    benchmark::ClobberMemory();
  }
}

void Version(benchmark::State& state, GramIsa isa) {
  if (!GramIsaSupported(isa)) {
    state.SkipWithError("this machine cannot run this version");
    return;
  }
  const auto d = static_cast<std::size_t>(state.range(0));
  Pass p = Make(d);
  for (auto _ : state) {
    GramUpdateWith(isa, p.w.data(), kGramRuns, d, 0, d, p.g.data());
    benchmark::ClobberMemory();
  }
}
void BM_Plain(benchmark::State& state) { Version(state, GramIsa::kPlain); }
void BM_Avx2(benchmark::State& state) { Version(state, GramIsa::kAvx2); }
void BM_Avx512(benchmark::State& state) { Version(state, GramIsa::kAvx512); }

BENCHMARK(BM_ScalarLoop)->Arg(64)->Arg(432)->Arg(1024);
BENCHMARK(BM_Plain)->Arg(64)->Arg(432)->Arg(1024);
BENCHMARK(BM_Avx2)->Arg(64)->Arg(432)->Arg(1024);
BENCHMARK(BM_Avx512)->Arg(64)->Arg(432)->Arg(1024);

class Summary : public unionstate::bench::SummaryReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      const std::string name = run.benchmark_name();
      const std::size_t slash = name.find('/');
      if (slash == std::string::npos) continue;
      const int d = std::stoi(name.substr(slash + 1));
      // CPU time per iteration (one thread; robust to other work on the
      // machine), in nanoseconds: one pass of kGramRuns runs.
      microseconds_[{name.substr(3, slash - 3), d}] =
          run.GetAdjustedCPUTime() / 1e3 / static_cast<double>(kGramRuns);
    }
  }
  void Print() const override {
    std::printf(
        "\ngram: one thread, CPU microseconds per run (a pass over the lower "
        "triangle / %zu runs); speed-up over the scalar loop\n",
        kGramRuns);
    std::printf("%8s %14s %14s %14s %14s\n", "columns", "scalar loop", "plain",
                "AVX2", "AVX-512");
    for (int d : {64, 432, 1024}) {
      const auto scalar = microseconds_.find({"ScalarLoop", d});
      if (scalar == microseconds_.end()) continue;
      std::printf("%8d %14.3f", d, scalar->second);
      for (const char* version : {"Plain", "Avx2", "Avx512"}) {
        const auto it = microseconds_.find({version, d});
        if (it == microseconds_.end()) {
          std::printf(" %14s", "-");
        } else {
          std::printf(" %7.3f %5.1fx", it->second, scalar->second / it->second);
        }
      }
      std::printf("\n");
    }
  }

 private:
  std::map<std::pair<std::string, int>, double> microseconds_;
};

}  // namespace

int main(int argc, char** argv) {
  Summary summary;
  return unionstate::bench::RunWithSummary(argc, argv, summary);
}
