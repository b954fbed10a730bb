// The smp model's speed: the fast engine (models/smp/smp_engine.cc, threads)
// side by side with the straightforward reference engine
// (models/smp/smp_reference.cc, one thread) that the tests hold it equal to, on
// generated scenarios of 10, 25, 50, 100 and 300 actors on 1, 3 and 10
// dimensions.
//
//   build/bench/smp_bench                       everything (a few minutes)
//   build/bench/smp_bench --benchmark_filter=fast
//   build/bench/smp_bench --emit_csv=DIR        also write the scenarios as
//                                               KTAB CSV files, to time
//                                               KTAB's smpc on the same input
//   build/bench/smp_bench --model_on=FILE [--repeat=N]
//                                               only the model on one
//                                               scenario file, in one
//                                               process: Model::Run (the
//                                               engine and the forecast's
//                                               rounds, no start-up,
//                                               loading or JSON) N times
//                                               (300), best and median
//
// Per case: "fast" runs the whole model until KTAB's stopping rule (time per
// turn, number of turns); "reference" and "fast_first3" run the first three
// turns of the same run (max_turns = 3), which both engines compute bit for
// bit alike, so their ratio is the speed-up on identical work. After the
// cases a table prints the time per turn, the speed-up, and how the time
// per turn grows with the number of actors (the exponent k in t ~ N^k
// between successive sizes).

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <ctime>
#include <fstream>
#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <string>

#include "models/smp/smp_engine.h"
#include "unionstate/env.h"
#include "unionstate/model.h"
#include "unionstate/scenario_io.h"

namespace {

using unionstate::smp::Input;
using unionstate::smp::Options;

// KTAB's own random actor (SMPActor::randomize), written as KTAB CSV with
// the precision of shared/reference/ktab.md's generator: capability
// U(10, 200), total salience U(75, 99) split by U(0.1, 1) weights, positions
// U(0, 100).
std::string KtabCsv(int actors, int dims) {
  std::mt19937_64 rng(20240611 + 1000 * actors + dims);
  auto uniform = [&](double lo, double hi) {
    return lo + (hi - lo) * (static_cast<double>(rng() >> 11) * 0x1.0p-53);
  };
  std::string out = fmt::format(
      "Rand_a{0}_d{1},\"Generated scenario, {0} actors, {1} dimensions\",{0},"
      "{1},\nActor,Description,Power",
      actors, dims);
  for (int d = 0; d < dims; ++d) out += fmt::format(",Pstn{0},Sal{0}", d + 1);
  out += ",\n";
  for (int i = 0; i < actors; ++i) {
    const double capability = uniform(10, 200);
    const double total = uniform(75, 99);
    std::vector<double> w(dims);
    double sum = 0;
    for (double& x : w) sum += x = uniform(0.1, 1);
    out += fmt::format("A{:03d},Generated actor,{:.3f}", i, capability);
    for (int d = 0; d < dims; ++d) {
      const double salience = std::floor(total * w[d] / sum * 100) / 100;
      out += fmt::format(",{:.2f},{:.2f}", uniform(0, 100), salience);
    }
    out += ",\n";
  }
  return out;
}

// The scenario as the model sees it: through the KTAB importer, on [0, 1].
Input MakeInput(int actors, int dims) {
  unionstate::Result<unionstate::Scenario> s = unionstate::ParseScenario(
      KtabCsv(actors, dims),
      fmt::format("rand_a{:03d}_d{:02d}.csv", actors, dims));
  if (!s) {
    fmt::print(stderr, "{}\n", s.error().ToString());
    std::abort();
  }
  Input in;
  in.actors = actors;
  in.dims = dims;
  for (const unionstate::Actor& a : s->actors) {
    in.capability.push_back(a.capability.value);
  }
  in.salience.resize(static_cast<size_t>(actors) * dims);
  in.position.resize(static_cast<size_t>(actors) * dims);
  for (const unionstate::Stance& st : s->stances) {
    in.salience[st.actor * dims + st.issue] = st.salience.value;
    in.position[st.actor * dims + st.issue] = st.position.value / 100;
  }
  return in;
}

struct Timing {
  double seconds_per_turn = 0;
  int turns = 0;
};
std::map<std::string, Timing>& Results() {
  static std::map<std::string, Timing> results;
  return results;
}

std::string Key(const char* kind, int actors, int dims) {
  return fmt::format("{}/{}/{}", kind, actors, dims);
}

void Record(benchmark::State& state, const char* kind, int actors, int dims,
            int turns, double total) {
  const double per_turn =
      total / static_cast<double>(state.iterations()) / turns;
  state.counters["turns"] = turns;
  state.counters["ms_per_turn"] = per_turn * 1e3;
  Results()[Key(kind, actors, dims)] = {per_turn, turns};
}

void Fast(benchmark::State& state, int actors, int dims, int max_turns,
          const char* kind) {
  Input in = MakeInput(actors, dims);
  Options o;
  o.max_turns = max_turns;
  int turns = 0;
  double total = 0;
  for (auto _ : state) {
    auto start = std::chrono::steady_clock::now();
    auto run = unionstate::smp::RunSmp(in, o, 0);
    total +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    if (!run) state.SkipWithError(run.error().c_str());
    turns = static_cast<int>(run->states.size()) - 1;
    benchmark::DoNotOptimize(run);
  }
  Record(state, kind, actors, dims, turns, total);
}

void Reference(benchmark::State& state, int actors, int dims) {
  Input in = MakeInput(actors, dims);
  Options o;
  o.max_turns = 3;
  int turns = 0;
  double total = 0;
  for (auto _ : state) {
    auto start = std::chrono::steady_clock::now();
    auto run = unionstate::smp::RunSmpReference(in, o, 0);
    total +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    if (!run) state.SkipWithError(run.error().c_str());
    turns = static_cast<int>(run->states.size()) - 1;
    benchmark::DoNotOptimize(run);
  }
  Record(state, "reference", actors, dims, turns, total);
}

constexpr int kActors[] = {10, 25, 50, 100, 300};
constexpr int kDims[] = {1, 3, 10};

std::string Seconds(double s) {
  if (s >= 1) return fmt::format("{:.2f} s", s);
  if (s >= 1e-3) return fmt::format("{:.2f} ms", s * 1e3);
  return fmt::format("{:.1f} us", s * 1e6);
}

void PrintSummary() {
  auto& r = Results();
  fmt::print(
      "\nsmp: time per turn (fast engine, whole run until the stopping "
      "rule; the first three turns for the speed-up over the reference)\n");
  fmt::print("{:>6} {:>4} {:>6} {:>12} {:>7} {:>14} {:>14} {:>9}\n", "actors",
             "dims", "turns", "fast/turn", "growth", "first3 fast",
             "first3 ref", "speed-up");
  for (int d : kDims) {
    double previous = 0;
    int previous_n = 0;
    for (int n : kActors) {
      auto fast = r.find(Key("fast", n, d));
      if (fast == r.end()) continue;
      std::string growth = "";
      if (previous > 0) {
        growth = fmt::format(
            "N^{:.1f}", std::log(fast->second.seconds_per_turn / previous) /
                            std::log(static_cast<double>(n) / previous_n));
      }
      previous = fast->second.seconds_per_turn;
      previous_n = n;
      auto first = r.find(Key("fast_first3", n, d));
      auto ref = r.find(Key("reference", n, d));
      std::string f3 =
          first == r.end() ? "-" : Seconds(first->second.seconds_per_turn);
      std::string rf =
          ref == r.end() ? "-" : Seconds(ref->second.seconds_per_turn);
      std::string ratio =
          first == r.end() || ref == r.end()
              ? "-"
              : fmt::format("{:.0f}x", ref->second.seconds_per_turn /
                                           first->second.seconds_per_turn);
      fmt::print("{:>6} {:>4} {:>6} {:>12} {:>7} {:>14} {:>14} {:>9}\n", n, d,
                 fast->second.turns, Seconds(fast->second.seconds_per_turn),
                 growth, f3, rf, ratio);
    }
  }
}

// The model alone on a scenario file: CPU time of Model::Run ("smp" with
// its defaults, seed 0) per call, `repeat` calls in one process after one
// untimed call, best and median. Returns the exit status.
int ModelOn(const std::string& file, int repeat) {
  unionstate::Result<unionstate::Scenario> s =
      unionstate::LoadScenario(unionstate::Env::Default(), file);
  if (!s) {
    fmt::print(stderr, "{}\n", s.error().ToString());
    return 2;
  }
  unionstate::Result<std::unique_ptr<unionstate::Model>> model =
      unionstate::LoadModel("smp");
  if (!model) {
    fmt::print(stderr, "{}\n", model.error().ToString());
    return 2;
  }
  auto cpu = [] {
    timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
  };
  unionstate::RunOptions options;
  if (!(*model)->Run(*s, options)) return 1;  // warm: thread buffers, pages
  std::vector<double> times;
  size_t rounds = 0;
  for (int k = 0; k < repeat; ++k) {
    const double start = cpu();
    unionstate::Result<unionstate::Forecast> f = (*model)->Run(*s, options);
    times.push_back(cpu() - start);
    if (!f) return 1;
    rounds = f->rounds.size();
  }
  std::sort(times.begin(), times.end());
  fmt::print(
      "smp model only (Model::Run, CPU time, {} calls in one process): {} "
      "actors x {} issues, {} rounds: best {:.3f} ms, median {:.3f} ms\n",
      repeat, s->actors.size(), s->issues.size(), rounds, times.front() * 1e3,
      times[times.size() / 2] * 1e3);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // --model_on=FILE [--repeat=N]: the model alone on one file, and nothing
  // else.
  std::string model_on;
  int repeat = 300;
  for (int k = 1; k < argc; ++k) {
    std::string arg = argv[k];
    if (arg.starts_with("--model_on=")) model_on = arg.substr(11);
    if (arg.starts_with("--repeat=")) repeat = std::max(1, std::stoi(arg.substr(9)));
  }
  if (!model_on.empty()) return ModelOn(model_on, repeat);
  // Our own flag first; Google Benchmark rejects unknown ones.
  std::vector<char*> rest;
  for (int k = 0; k < argc; ++k) {
    std::string arg = argv[k];
    if (arg.starts_with("--emit_csv=")) {
      std::string dir = arg.substr(11);
      for (int n : kActors) {
        for (int d : kDims) {
          std::ofstream(fmt::format("{}/rand_a{:03d}_d{:02d}.csv", dir, n, d))
              << KtabCsv(n, d);
        }
      }
      continue;
    }
    rest.push_back(argv[k]);
  }
  int rest_argc = static_cast<int>(rest.size());
  for (int n : kActors) {
    for (int d : kDims) {
      benchmark::RegisterBenchmark(
          fmt::format("smp/fast/{}/{}", n, d).c_str(),
          [n, d](benchmark::State& s) { Fast(s, n, d, 100, "fast"); })
          ->Unit(benchmark::kMillisecond)
          ->Iterations(n >= 100 ? 1 : 3);
      benchmark::RegisterBenchmark(
          fmt::format("smp/fast_first3/{}/{}", n, d).c_str(),
          [n, d](benchmark::State& s) { Fast(s, n, d, 3, "fast_first3"); })
          ->Unit(benchmark::kMillisecond)
          ->Iterations(n >= 100 ? 2 : 10);
      benchmark::RegisterBenchmark(
          fmt::format("smp/reference/{}/{}", n, d).c_str(),
          [n, d](benchmark::State& s) { Reference(s, n, d); })
          ->Unit(benchmark::kMillisecond)
          ->Iterations(1);
    }
  }
  benchmark::Initialize(&rest_argc, rest.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  PrintSummary();
  return 0;
}
