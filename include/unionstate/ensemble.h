#ifndef UNIONSTATE_ENSEMBLE_H_
#define UNIONSTATE_ENSEMBLE_H_

// Forecasts under uncertainty. An ensemble runs one model many times, each
// run on a scenario whose uncertain inputs -- the distributions written in
// the scenario (docs/scenario-format.md, "Uncertainty") and the
// perturbations asked for on the command line -- are drawn afresh:
//
//   Result<Perturbation> p = ParsePerturbation("positions=10,saliences=0.1");
//   EnsemblePlan plan = PlanEnsemble(scenario, *p);
//   Result<EnsembleRuns> runs = RunEnsemble(scenario, model, plan,
//                                           {.runs = 1000, .seed = 7});
//   EnsembleSummary summary = Summarise(scenario, plan, *runs);
//
// Run k draws from its own random stream, pcg64 seeded with (seed, k), through
// Boost.Random's distributions, so its inputs and outcome depend on (seed, k)
// alone: the same seed gives bit-identical runs and summaries with any
// number of threads or processes, in any order of completion.

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "unionstate/model.h"
#include "unionstate/scenario.h"
#include "unionstate/status.h"

namespace unionstate {

// Noise added to every input of a class that carries no distribution of its
// own (--perturb). Zero leaves the class alone.
struct Perturbation {
  // Standard deviation of a normal around each position, in percent of its
  // issue's scale (max - min); cut to the scale.
  double positions = 0;
  // Standard deviation of a normal around each salience; cut to [0, 1].
  double saliences = 0;
  // Standard deviation relative to each capability (0.2: 20 % of it); cut
  // to [0, infinity).
  double capabilities = 0;

  bool any() const {
    return positions > 0 || saliences > 0 || capabilities > 0;
  }
};

// Parses "positions=10,saliences=0.1,capabilities=0.2" (any subset, any
// order). Fails with kInvalidArgument naming the bad part and what was
// expected.
Result<Perturbation> ParsePerturbation(std::string_view spec);
// The inverse of ParsePerturbation, for the record ("" when none).
std::string PerturbationToString(const Perturbation& p);

// One uncertain number of a scenario.
struct UncertainInput {
  enum class Field { kCapability, kStatusQuo, kPosition, kSalience };
  Field field = Field::kPosition;
  int actor = -1;   // kCapability, kPosition, kSalience
  int issue = -1;   // kStatusQuo, kPosition, kSalience
  int stance = -1;  // index into Scenario::stances (kPosition, kSalience)
  // A stance's own capability (it overrides its actor's) rather than the
  // actor's.
  bool stance_capability = false;
  double value = 0;  // the value a single run uses
  Uncertainty distribution;
  bool perturbed = false;  // from --perturb, not from the scenario
  std::string name;        // "position:ru_gov:gas_price"
};

// The uncertain inputs of a scenario, in a fixed order: per actor its
// capability; per issue its status quo; per stance its capability,
// position, salience. Run k draws them in this order.
struct EnsemblePlan {
  std::vector<UncertainInput> inputs;
};
EnsemblePlan PlanEnsemble(const Scenario& scenario,
                          const Perturbation& perturbation = {});

// The scenario of run k of an ensemble seeded with `seed`, and the values
// drawn (one per plan input, in order) in `*drawn` when not null.
Scenario DrawScenario(const Scenario& scenario, const EnsemblePlan& plan,
                      std::uint64_t seed, std::uint64_t run,
                      std::vector<double>* drawn = nullptr);
// The values drawn by each of `runs` (DrawScenario's `drawn`), without
// building their scenarios: how a results database that keeps only (seed,
// run) gives back the draws.
std::vector<std::vector<double>> DrawInputs(
    const EnsemblePlan& plan, std::uint64_t seed,
    std::span<const std::uint64_t> runs);

// What a run produced, per issue.
struct RunRecord {
  std::uint64_t run = 0;
  std::vector<double> inputs;    // drawn values, one per plan input
  std::vector<double> outcomes;  // per issue
  std::vector<char> agreement;   // per issue, 0 or 1
  std::vector<std::vector<std::string>> blocking;  // per issue
};

// Reports progress; called from worker threads, serialised by the runner.
class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  virtual void Update(std::int64_t done, std::int64_t total) = 0;
};

struct EnsembleOptions {
  std::int64_t runs = 1000;
  std::uint64_t seed = 0;
  int threads = 1;  // 0: as many as the machine has
  // Only runs first_run, first_run + stride, ... below `runs` (splitting an
  // ensemble across processes); the defaults run everything.
  std::int64_t first_run = 0;
  std::int64_t stride = 1;
  // Runs go in batches of this many; each finished batch is handed to
  // `on_batch` (in run order) before the next starts.
  std::int64_t batch = 256;
  std::function<Result<void>(std::span<const RunRecord>)> on_batch = {};
  ProgressSink* progress = nullptr;
  // When it becomes true no new batch starts; finished batches are kept.
  const std::atomic<bool>* stop = nullptr;
};

struct EnsembleRuns {
  std::vector<RunRecord> records;  // in run order
  bool interrupted = false;        // `stop` ended it early
};

// Runs the ensemble. A run that fails fails the ensemble with its error and
// the run number (its inputs can be replayed with DrawScenario).
Result<EnsembleRuns> RunEnsemble(const Scenario& scenario, const Model& model,
                                 const EnsemblePlan& plan,
                                 const EnsembleOptions& options);

// Per issue: the outcome's distribution, agreement and blockers, and how
// the outcome depends on each uncertain input.
struct IssueSummary {
  std::string issue;
  double mean = 0;
  double sd = 0;
  // Quantiles 5, 25, 50, 75, 95 % (linear interpolation between order
  // statistics, Hyndman & Fan type 7).
  double q05 = 0, q25 = 0, q50 = 0, q75 = 0, q95 = 0;
  double p_agreement = 0;
  // Every actor or side that blocked in some run, with the share of runs in
  // which it did, largest first (ties by id).
  std::vector<std::pair<std::string, double>> p_blocking;
  // Per plan input: the standardised regression coefficient of the outcome
  // on all inputs together (NaN when the outcome or the input does not
  // vary, or with fewer runs than inputs + 2).
  std::vector<double> src;
  // R^2 of that linear regression: how much of the variance it explains.
  double src_r2 = 0;
  // Per plan input: the first-order Sobol index Var(E[Y | X_i]) / Var(Y),
  // estimated from the same runs by sorting on X_i and averaging Y within
  // equal-count bins; empty when the plan has more than kMaxSobolInputs
  // inputs.
  std::vector<double> sobol;
};

inline constexpr int kMaxSobolInputs = 20;

struct EnsembleSummary {
  std::int64_t runs = 0;
  std::vector<std::string> inputs;  // plan input names
  std::vector<IssueSummary> issues;
};

EnsembleSummary Summarise(const Scenario& scenario, const EnsemblePlan& plan,
                          std::span<const RunRecord> runs);

// The type-7 quantile of sorted values.
double Quantile(std::span<const double> sorted, double p);
// The first-order Sobol index of y on x from given data (see IssueSummary).
double FirstOrderSobol(std::span<const double> x, std::span<const double> y);

}  // namespace unionstate

#endif  // UNIONSTATE_ENSEMBLE_H_
