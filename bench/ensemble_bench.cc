// Ensemble throughput: runs per second of `RunEnsemble` for the built-in
// Union State scenario and a generated 50-actor x 20-issue scenario, with
// the compromise, nash and bdm models, at 1 and 2 threads (the baseline is
// the same ensemble on one thread, run side by side). Every position and
// salience is perturbed (positions 10 % of the scale, saliences 0.1), as
// `unionstate ensemble --perturb positions=10,saliences=0.1` does. After
// Google Benchmark's table a summary prints runs/s and the 2-thread speed-up.
// The `summarised` cases run the same ensembles with the streamed summary
// (EnsembleAccumulator fed batch by batch, as `unionstate ensemble` does)
// and keep no records; the summary prints their time over the runs' alone.

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cstdio>
#include <map>
#include <memory>
#include <random>

#include "bench/bench_summary.h"
#include "unionstate/ensemble.h"
#include "unionstate/scenario_io.h"

namespace {

using unionstate::Scenario;

// 50 actors on two sides (parity rule, every actor on every issue), issues on
// [0, 100] with status quo 50; numbers from a fixed engine's raw output.
Scenario Generated(int actors, int issues) {
  std::mt19937_64 rng(20211104);
  auto uniform = [&](double lo, double hi) {
    return lo + (hi - lo) * (static_cast<double>(rng() >> 11) * 0x1.0p-53);
  };
  Scenario s;
  s.name = fmt::format("generated {}x{}", actors, issues);
  for (int a = 0; a < actors; ++a) {
    unionstate::Actor actor;
    actor.id = fmt::format("actor{:02d}", a);
    actor.side = a % 2 == 0 ? "east" : "west";
    actor.veto = a < 2;
    actor.capability.value = uniform(0.1, 1);
    s.actors.push_back(actor);
  }
  for (int i = 0; i < issues; ++i) {
    unionstate::Issue issue;
    issue.id = fmt::format("issue{:02d}", i);
    issue.status_quo = unionstate::Quantity{50, "", {}, {}};
    issue.rule = unionstate::DecisionRule::kParity;
    s.issues.push_back(issue);
    for (int a = 0; a < actors; ++a) {
      unionstate::Stance st;
      st.actor = a;
      st.issue = i;
      st.position.value = std::round(uniform(0, 100));
      st.salience.value = uniform(0.05, 1);
      s.stances.push_back(st);
    }
  }
  auto valid = unionstate::ValidateScenario(std::move(s));
  if (!valid) {
    std::fprintf(stderr, "%s\n", valid.error().ToString().c_str());
    std::abort();
  }
  return *valid;
}

const Scenario& UnionState() {
  static const Scenario s = [] {
    auto loaded = unionstate::LoadBuiltinScenario();
    if (!loaded) std::abort();
    return *loaded;
  }();
  return s;
}

const Scenario& Large() {
  static const Scenario s = Generated(50, 20);
  return s;
}

// runs per second, by (scenario, model, threads), of the runs alone and
// with the summary
std::map<std::tuple<std::string, std::string, int>, double> g_rates;
std::map<std::tuple<std::string, std::string, int>, double> g_summarised;

void Ensemble(benchmark::State& state, const Scenario* scenario,
              const std::string& model_spec, std::int64_t runs,
              bool summarised) {
  const int threads = static_cast<int>(state.range(0));
  auto model = unionstate::LoadModel(model_spec);
  if (!model) {
    state.SkipWithError(model.error().ToString().c_str());
    return;
  }
  const unionstate::EnsemblePlan plan =
      unionstate::PlanEnsemble(*scenario, {.positions = 10, .saliences = 0.1});
  for (auto _ : state) {
    unionstate::EnsembleOptions options{
        .runs = runs, .seed = 1, .threads = threads};
    options.keep_records = false;
    std::unique_ptr<unionstate::EnsembleAccumulator> acc;
    if (summarised) {
      acc = std::make_unique<unionstate::EnsembleAccumulator>(*scenario, plan,
                                                              threads);
      options.on_batch = [&](std::span<const unionstate::RunRecord> batch)
          -> unionstate::Result<void> {
        acc->Add(batch);
        return {};
      };
    }
    auto result = unionstate::RunEnsemble(*scenario, **model, plan, options);
    if (!result) {
      state.SkipWithError(result.error().ToString().c_str());
      return;
    }
    if (acc) {
      unionstate::EnsembleSummary summary = acc->Summary();
      benchmark::DoNotOptimize(summary.issues.data());
    }
    benchmark::DoNotOptimize(result->done);
  }
  state.counters["runs/s"] = benchmark::Counter(
      static_cast<double>(runs) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
}

class Summary : public unionstate::bench::SummaryReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      auto it = run.counters.find("runs/s");
      if (it == run.counters.end()) continue;
      // Names are ensemble/<scenario>/<model>/threads:<t>/...
      std::string name = run.benchmark_name();
      std::vector<std::string> parts;
      size_t start = 0;
      while (start <= name.size()) {
        size_t slash = name.find('/', start);
        if (slash == std::string::npos) slash = name.size();
        parts.push_back(name.substr(start, slash - start));
        start = slash + 1;
      }
      if (parts.size() < 4) continue;
      const int threads = std::stoi(parts[3].substr(parts[3].find(':') + 1));
      (parts[0] == "summarised" ? g_summarised
                                : g_rates)[{parts[1], parts[2], threads}] =
          it->second.value;
    }
  }
  void Print() const override {
    std::printf(
        "\nensemble throughput, runs per second (perturbed positions and "
        "saliences)\n");
    std::printf("%-14s %-12s %12s %12s %10s\n", "scenario", "model", "1 thread",
                "2 threads", "speed-up");
    for (const auto& [key, rate] : g_rates) {
      const auto& [scenario, model, threads] = key;
      if (threads != 1) continue;
      auto two = g_rates.find({scenario, model, 2});
      const double r2 = two == g_rates.end() ? 0 : two->second;
      std::printf("%-14s %-12s %12.1f %12.1f %9.2fx\n", scenario.c_str(),
                  model.c_str(), rate, r2, rate > 0 ? r2 / rate : 0);
    }
    std::printf(
        "\nwith the streamed summary: runs per second, and time over the "
        "runs' alone\n");
    std::printf("%-14s %-12s %8s %12s %12s %8s\n", "scenario", "model",
                "threads", "runs alone", "summarised", "ratio");
    for (const auto& [key, rate] : g_summarised) {
      const auto& [scenario, model, threads] = key;
      auto alone = g_rates.find(key);
      const double r = alone == g_rates.end() ? 0 : alone->second;
      std::printf("%-14s %-12s %8d %12.1f %12.1f %7.2fx\n", scenario.c_str(),
                  model.c_str(), threads, r, rate, rate > 0 ? r / rate : 0);
    }
  }
};

void Register() {
  struct Case {
    const char* scenario;
    const Scenario* (*get)();
    const char* model;
    std::int64_t runs;
  };
  static const Case cases[] = {
      {"union_state", [] { return &UnionState(); }, "compromise", 100000},
      {"union_state", [] { return &UnionState(); }, "nash", 2000},
      {"union_state", [] { return &UnionState(); }, "bdm", 100},
      {"gen50x20", [] { return &Large(); }, "compromise", 2000},
      {"gen50x20", [] { return &Large(); }, "nash", 1000},
      {"gen50x20", [] { return &Large(); }, "bdm", 100},
  };
  for (const Case& c : cases) {
    for (bool summarised : {false, true}) {
      benchmark::RegisterBenchmark(
          fmt::format("{}/{}/{}", summarised ? "summarised" : "ensemble",
                      c.scenario, c.model)
              .c_str(),
          [c, summarised](benchmark::State& state) {
            Ensemble(state, c.get(), c.model, c.runs, summarised);
          })
          ->ArgName("threads")
          ->Arg(1)
          ->Arg(2)
          ->UseRealTime()
          ->Unit(benchmark::kMillisecond)
          ->MinTime(1.0);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  Register();
  Summary summary;
  return unionstate::bench::RunWithSummary(argc, argv, summary);
}
