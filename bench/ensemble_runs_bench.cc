// The baseline of bench/ensemble_commands.py: "the same draws' model runs
// alone" as a whole process. It does what `unionstate ensemble` does before
// and around the runs that are not the summary or the database -- start,
// load the built-in Union State scenario, plan the
// perturbation, load the model -- then RunEnsemble over the same run numbers
// with the same seed, threads and batch size, every run's draws and model
// run made and its record built, and then drops the records: no summary,
// no database, no output but one line.
//
//   build/bench/ensemble_runs_bench [--model SPEC] [--runs N] [--seed S]
//       [--perturb TEXT] [--threads T] [--batch B]
//
// Defaults are `unionstate ensemble`'s (threads 0: one per core, batch 256,
// seed 0); --perturb has no default here (the command's refuses an ensemble
// with nothing to vary). Exit 2 on a bad argument.

#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "unionstate/ensemble.h"
#include "unionstate/model.h"
#include "unionstate/scenario_io.h"

namespace {

bool Integer(std::string_view text, std::int64_t& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

int main(int argc, char** argv) {
  std::string model_spec = "compromise";
  std::string perturb;
  std::int64_t runs = 1000, seed = 0, threads = 0, batch = 256;
  for (int k = 1; k < argc; ++k) {
    const std::string_view flag = argv[k];
    if (k + 1 >= argc) {
      std::fprintf(stderr, "%s: expected a value after it\n", argv[k]);
      return 2;
    }
    const std::string_view value = argv[++k];
    bool ok = true;
    if (flag == "--model") {
      model_spec = value;
    } else if (flag == "--perturb") {
      perturb = value;
    } else if (flag == "--runs") {
      ok = Integer(value, runs) && runs >= 1;
    } else if (flag == "--seed") {
      ok = Integer(value, seed) && seed >= 0;
    } else if (flag == "--threads") {
      ok = Integer(value, threads) && threads >= 0;
    } else if (flag == "--batch") {
      ok = Integer(value, batch) && batch >= 1;
    } else {
      std::fprintf(stderr,
                   "unknown option %s; expected --model, --runs, --seed, "
                   "--perturb, --threads or --batch\n",
                   argv[k - 1]);
      return 2;
    }
    if (!ok) {
      std::fprintf(stderr, "%s %s; expected a number (runs, batch >= 1)\n",
                   argv[k - 1], argv[k]);
      return 2;
    }
  }
  const auto start = std::chrono::steady_clock::now();
  unionstate::Result<unionstate::Scenario> scenario =
      unionstate::LoadBuiltinScenario();
  if (!scenario) {
    std::fprintf(stderr, "%s\n", scenario.error().ToString().c_str());
    return 2;
  }
  unionstate::Result<unionstate::Perturbation> perturbation =
      unionstate::ParsePerturbation(perturb);
  if (!perturbation) {
    std::fprintf(stderr, "%s\n", perturbation.error().ToString().c_str());
    return 2;
  }
  unionstate::Result<std::unique_ptr<unionstate::Model>> model =
      unionstate::LoadModel(model_spec);
  if (!model) {
    std::fprintf(stderr, "%s\n", model.error().ToString().c_str());
    return 2;
  }
  const unionstate::EnsemblePlan plan =
      unionstate::PlanEnsemble(*scenario, *perturbation);
  unionstate::EnsembleOptions options;
  options.runs = runs;
  options.seed = static_cast<std::uint64_t>(seed);
  options.threads = static_cast<int>(threads);
  options.batch = batch;
  options.keep_records = false;
  unionstate::Result<unionstate::EnsembleRuns> done =
      unionstate::RunEnsemble(*scenario, **model, plan, options);
  if (!done) {
    std::fprintf(stderr, "%s\n", done.error().ToString().c_str());
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  std::printf(
      "%lld runs of %s, %zu uncertain inputs, in %.3f s (%.0f runs/s)\n",
      static_cast<long long>(done->done), model_spec.c_str(),
      plan.inputs.size(), seconds, static_cast<double>(done->done) / seconds);
  return 0;
}
