// One round of the exchange model on generated dense scenarios (every actor
// on every issue) of 10x5, 50x20, 100x50 and 200x100 actors x issues: the
// indexed realisation loop beside decide's reference loop (every remaining
// candidate offered every realised exchange, a full scan for the next). The
// reference loop is O(E^2) in the E candidates (about n^2 m^2 / 16), so it
// runs only where it finishes in reasonable time. Prints Google Benchmark's
// table, then a summary: candidates, exchanges realised, time per round, the
// reference/indexed ratio, and the growth exponent against actors x issues.

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cmath>
#include <map>
#include <random>

#include "bench/bench_summary.h"
#include "models/exchange/exchange_engine.h"

namespace {

using unionstate::exchange::Data;
using unionstate::exchange::Options;
using unionstate::exchange::PlayRound;
using unionstate::exchange::Realisation;
using unionstate::exchange::RoundResult;

Data Generated(int actors, int issues) {
  std::mt19937_64 rng(20211104);
  std::uniform_real_distribution<double> unit(0, 1);
  Data d;
  d.actors = actors;
  d.issues = issues;
  for (int a = 0; a < actors; ++a) {
    d.actor_ids.push_back(fmt::format("actor{:04d}", a));
    d.scenario_actor.push_back(a);
    for (int i = 0; i < issues; ++i) {
      d.position.push_back(std::round(100 * unit(rng)));
      d.salience.push_back(0.05 + 0.95 * unit(rng));
      d.power.push_back(0.1 + 0.9 * unit(rng));
    }
  }
  return d;
}

struct Measured {
  double seconds = 0;
  int64_t candidates = 0;
  size_t exchanges = 0;
};
std::map<std::pair<int, int>, Measured> indexed_runs, reference_runs;

void RoundOf(benchmark::State& bench, Realisation realisation) {
  const int actors = static_cast<int>(bench.range(0));
  const int issues = static_cast<int>(bench.range(1));
  const Data start = Generated(actors, issues);
  Options options{.realisation = realisation};
  RoundResult last;
  for (auto _ : bench) {
    Data data = start;
    last = PlayRound(data, options, nullptr);
    benchmark::DoNotOptimize(last.exchanges.data());
  }
  bench.counters["candidates"] = static_cast<double>(last.candidates);
  bench.counters["exchanges"] = static_cast<double>(last.exchanges.size());
  auto& runs =
      realisation == Realisation::kIndexed ? indexed_runs : reference_runs;
  runs[{actors, issues}].candidates = last.candidates;
  runs[{actors, issues}].exchanges = last.exchanges.size();
}

void BM_ExchangeRoundIndexed(benchmark::State& b) {
  RoundOf(b, Realisation::kIndexed);
}
void BM_ExchangeRoundReference(benchmark::State& b) {
  RoundOf(b, Realisation::kReference);
}

BENCHMARK(BM_ExchangeRoundIndexed)
    ->Args({10, 5})
    ->Args({50, 20})
    ->Args({100, 50})
    ->Args({200, 100})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);
BENCHMARK(BM_ExchangeRoundReference)
    ->Args({10, 5})
    ->Args({50, 20})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

class Summary : public unionstate::bench::SummaryReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      std::string name = run.benchmark_name();
      int actors = 0, issues = 0;
      if (std::sscanf(name.c_str() + name.find('/'), "/%d/%d", &actors,
                      &issues) != 2)
        continue;
      auto& to = name.starts_with("BM_ExchangeRoundIndexed") ? indexed_runs
                                                             : reference_runs;
      to[{actors, issues}].seconds = run.GetAdjustedRealTime() / 1e3;
    }
  }
  void Print() const override {
    std::printf(
        "\nexchange: one round on dense generated scenarios, seconds\n");
    std::printf("%9s %12s %10s %12s %12s %10s %16s\n", "actors x", "candidates",
                "realised", "indexed", "reference", "ref/idx", "growth (n*m)");
    double previous_size = 0, previous_time = 0;
    for (const auto& [shape, run] : indexed_runs) {
      double size = static_cast<double>(shape.first) * shape.second;
      auto ref = reference_runs.find(shape);
      std::string reference = ref == reference_runs.end()
                                  ? std::string("-")
                                  : fmt::format("{:.4f}", ref->second.seconds);
      std::string ratio =
          ref == reference_runs.end()
              ? std::string("-")
              : fmt::format("{:.1f}", ref->second.seconds / run.seconds);
      std::string growth =
          previous_size > 0
              ? fmt::format("(n*m)^{:.2f}",
                            std::log(run.seconds / previous_time) /
                                std::log(size / previous_size))
              : "-";
      std::printf("%4dx%-4d %12lld %10zu %12.4f %12s %10s %16s\n", shape.first,
                  shape.second, static_cast<long long>(run.candidates),
                  run.exchanges, run.seconds, reference.c_str(), ratio.c_str(),
                  growth.c_str());
      previous_size = size;
      previous_time = run.seconds;
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  Summary summary;
  return unionstate::bench::RunWithSummary(argc, argv, summary);
}
