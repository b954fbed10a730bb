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
//   EnsembleSummary summary = Summarise(scenario, plan, runs->records);
//
// or, for any number of runs in memory that does not grow with it, the runs
// handed batch by batch to an EnsembleAccumulator:
//
//   EnsembleAccumulator acc(scenario, plan);
//   options.keep_records = false;
//   options.on_batch = [&](std::span<const RunRecord> b) { acc.Add(b); ... };
//   RunEnsemble(scenario, model, plan, options);
//   EnsembleSummary summary = acc.Summary();
//
// Run k draws from its own random stream, pcg64 seeded with (seed, k), so its
// inputs and outcome depend on (seed, k) alone, and the summary is a pure
// function of the runs taken in run order: the same seed gives bit-identical
// runs and summaries with any number of threads or processes, in any order
// of completion.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
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
// own (--perturb). Zero leaves the class alone. Bounded classes draw from a
// Beta distribution on the scale whose mean is the value (docs/scenario-
// format.md, "Perturbations"): the requested sd where the scale allows it,
// less near a bound (never so much that the density piles up at a bound),
// and none for a value on a bound, which stays there. Capabilities draw
// from a log-normal with mean the value.
struct Perturbation {
  // Standard deviation around each position, in percent of its issue's
  // scale (max - min); Beta on the scale.
  double positions = 0;
  // Standard deviation around each salience; Beta on [0, 1].
  double saliences = 0;
  // Standard deviation relative to each capability (0.2: 20 % of it);
  // log-normal.
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
  // The scenario's distribution; for a perturbed input kNormal with the
  // requested sd and the scale's bounds in lower/upper, drawn as `shape`
  // says.
  Uncertainty distribution;
  bool perturbed = false;  // from --perturb, not from the scenario
  enum class Shape {
    kScenario,   // as `distribution` says
    kBeta,       // Beta on [lower, upper] with mean `value` (see Perturbation)
    kLogNormal,  // log-normal with mean `value` and sd distribution.sd
  };
  Shape shape = Shape::kScenario;
  std::string name;  // "position:ru_gov:gas_price"
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

// The Beta distribution a perturbed bounded input draws from, on [0, 1]
// (alpha = beta = 0 for a value on a bound, which is not drawn): mean
// (value - lower) / (upper - lower), sd the requested one over the scale's
// width, cut to what keeps alpha and beta >= 1.
struct BetaShape {
  double alpha = 0;
  double beta = 0;
};
BetaShape PerturbationBeta(const UncertainInput& input);

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
  // Any number up to 2^62: runs are numbered as they go, never listed.
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
  // When it becomes true the runs not yet started are skipped and the batch
  // under way is dropped (it is not handed to on_batch): the ensemble ends
  // within about one run's time, with whole batches only.
  const std::atomic<bool>* stop = nullptr;
  // False: `records` stays empty (the runs go to on_batch only), so memory
  // does not grow with the number of runs.
  bool keep_records = true;
  // True (with on_batch and without keep_records): on_batch takes the
  // finished batches on a thread of its own while the next ones run, so
  // that storing and summarising overlap the runs; up to four finished
  // batches wait for it. Calls stay in run order, one at a time; an error
  // it returns ends the ensemble at the next batch's end (the batches
  // waiting and the one running are dropped). The batches finished when
  // `stop` ends the ensemble, or when a run fails, are still handed on,
  // whole. on_batch must not need the calling thread (MPI calls, for one).
  bool overlap_batches = false;
};

struct EnsembleRuns {
  std::vector<RunRecord> records;  // in run order (when keep_records)
  std::int64_t done = 0;           // runs completed and handed on
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
  // Quantiles 5, 25, 50, 75, 95 % (Hyndman & Fan type 7: linear
  // interpolation between order statistics), exact up to
  // QuantileSketch::kExactRuns runs and from a sketch beyond (see there).
  double q05 = 0, q25 = 0, q50 = 0, q75 = 0, q95 = 0;
  double p_agreement = 0;
  // Every actor or side that blocked in some run, with the share of runs in
  // which it did, largest first (ties by id).
  std::vector<std::pair<std::string, double>> p_blocking;
  // Per plan input: the standardised regression coefficient of the outcome
  // on all inputs together (NaN when the outcome or the input does not
  // vary, or with fewer runs than varying inputs + 2).
  std::vector<double> src;
  // R^2 of that linear regression: how much of the variance it explains.
  double src_r2 = 0;
  // Per plan input, only when a Sobol design was run (RunSobol): first- and
  // total-order Sobol indices and the bounds of their bootstrap confidence
  // intervals; NaN when the outcome does not vary.
  std::vector<double> sobol;                              // first order S_i
  std::vector<double> sobol_total;                        // total order S_Ti
  std::vector<std::pair<double, double>> sobol_ci;        // of S_i
  std::vector<std::pair<double, double>> sobol_total_ci;  // of S_Ti
};

struct EnsembleSummary {
  std::int64_t runs = 0;
  std::vector<std::string> inputs;  // plan input names
  std::vector<IssueSummary> issues;
  // The Sobol design behind IssueSummary::sobol (0 when none was run).
  std::int64_t sobol_base_runs = 0;  // N
  std::int64_t sobol_runs = 0;       // model runs it took: N (inputs + 2)
  int sobol_bootstrap = 0;           // bootstrap replicates
  double sobol_confidence = 0;       // of the intervals, e.g. 0.95
};

// The quantiles of a stream of numbers in memory that does not grow with
// the stream. The first kExactRuns values are kept, and quantiles of up to
// that many are exact (type 7). When one more arrives, the kept values fix
// kBins bins at every (kExactRuns / kBins)-th order statistic -- a value
// that repeats among them becomes a bin of its own, so point masses (an
// outcome stuck at the status quo) stay exact -- and from then on each bin
// counts its values and keeps their least and greatest. A quantile is then
// found by rank: in the bin holding rank h, interpolated linearly between
// the bin's least and greatest value, so its rank is off by less than one
// bin's share of the runs (about 1/kBins) and its value lies between two
// values that were observed. The result depends on the values and their
// order only.
class QuantileSketch {
 public:
  static constexpr std::int64_t kExactRuns = 8192;
  static constexpr int kBins = 2048;

  void Add(double x);
  // The same as Add of each in order; once frozen, the bins of all are
  // found before any is counted, so that their lookups overlap.
  void Add(std::span<const double> xs);
  std::int64_t count() const { return count_; }
  // NaN when empty.
  double Quantile(double p) const;

 private:
  struct Bin {
    std::int64_t count = 0;
    double lo = 0;
    double hi = 0;
    void Count(double x);  // counts x and widens [lo, hi] to it
  };
  static constexpr int kGrid = 2 * kBins;
  void Freeze();
  size_t BinOf(double x) const;
  std::int64_t count_ = 0;
  std::vector<double> kept_;    // while count_ <= kExactRuns
  std::vector<double> starts_;  // bin k holds [starts_[k], starts_[k + 1])
  std::vector<Bin> bins_;
  std::vector<std::uint32_t> grid_;  // a lookup of bins by value
  std::vector<std::uint32_t> found_;  // Add(xs)'s bins, reused
};

// Summarises runs handed to it in run order, in memory that depends on the
// numbers of inputs and issues, not of runs: mean, sd and quantiles per
// issue, agreement and blocking shares, and the regression of every
// outcome on the inputs, from the cross-products of the inputs and outcomes
// accumulated in blocks of a fixed number of runs (so how the runs are
// split into batches changes no number) and factored once for all issues
// when the summary is asked for. `threads` (0: every core) share the
// cross-products; the numbers do not depend on it. The scenario and plan
// must outlive the accumulator.
class EnsembleAccumulator {
 public:
  EnsembleAccumulator(const Scenario& scenario, const EnsemblePlan& plan,
                      int threads = 1);
  ~EnsembleAccumulator();
  EnsembleAccumulator(const EnsembleAccumulator&) = delete;
  EnsembleAccumulator& operator=(const EnsembleAccumulator&) = delete;

  // REQUIRES: runs in run order, each with the plan's inputs and the
  // scenario's issues.
  void Add(std::span<const RunRecord> runs);
  std::int64_t runs() const;
  EnsembleSummary Summary() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The summary of runs held in memory (an EnsembleAccumulator fed them all).
EnsembleSummary Summarise(const Scenario& scenario, const EnsemblePlan& plan,
                          std::span<const RunRecord> runs);

// The type-7 quantile of sorted values.
double Quantile(std::span<const double> sorted, double p);

// Sobol indices by a Saltelli design (Saltelli et al. 2010, "Variance based
// sensitivity analysis of model output", Comput. Phys. Commun. 181): two
// independent N x k matrices of draws A and B (row j from their own random
// streams fixed by (seed, j)), and for each input i the matrix A_B^i, A with
// column i taken from B. The model runs on every row of A, B and each A_B^i:
// N (k + 2) runs. First order S_i = mean(f(B) (f(A_B^i) - f(A))) / V
// (Saltelli 2010, table 2 (b)); total order S_Ti = mean((f(A) -
// f(A_B^i))^2) / (2 V) (Jansen 1999), V the variance of f over A and B
// together. Confidence intervals: percentiles of `bootstrap` Poisson
// bootstrap replicates (each row weighted by a Poisson(1) count drawn from
// a stream fixed by (seed, j)), which needs no list of rows. A row's runs
// share one model seed (common random numbers for stochastic models).
struct SobolOptions {
  std::int64_t base_runs = 1000;  // N
  std::uint64_t seed = 0;
  int threads = 1;  // 0: as many as the machine has
  int bootstrap = 200;
  double confidence = 0.95;
  ProgressSink* progress = nullptr;  // counts model runs
  // Stops as EnsembleOptions::stop does; the indices cover the rows done.
  const std::atomic<bool>* stop = nullptr;
};

// Accumulates Saltelli rows in row order (RunSobol's estimator, open for
// functions that are not models): per row, f on A, on B and on each A_B^i,
// for every output.
class SobolAccumulator {
 public:
  SobolAccumulator(int inputs, int outputs, std::uint64_t seed,
                   int bootstrap = 200);
  // f_a, f_b: one value per output; f_ab: inputs x outputs, row i holding
  // f(A_B^i). REQUIRES: rows in order 0, 1, 2, ...
  void AddRow(std::span<const double> f_a, std::span<const double> f_b,
              std::span<const double> f_ab);
  std::int64_t rows() const { return rows_; }
  // Fills sobol, sobol_total and their intervals of every issue summary
  // (one per output, in order) with `confidence`.
  void Fill(std::vector<IssueSummary>& issues, double confidence) const;

 private:
  struct Sums {
    double weight = 0;
    std::vector<double> f, f2;         // per output: sum of f, f^2 over A, B
    std::vector<double> first, total;  // per input x output
  };
  void Accumulate(Sums& sums, double w, std::span<const double> f_a,
                  std::span<const double> f_b,
                  std::span<const double> f_ab) const;
  int inputs_;
  int outputs_;
  std::uint64_t seed_;
  std::int64_t rows_ = 0;
  std::vector<double> shift_;  // per output: f(A) of row 0
  Sums point_;
  std::vector<Sums> replicates_;
};

struct SobolRuns {
  std::int64_t rows = 0;  // rows of the design completed
  bool interrupted = false;
};

// Runs the Saltelli design and writes its indices into `summary` (its
// issues must be the scenario's, e.g. from an EnsembleAccumulator).
Result<SobolRuns> RunSobol(const Scenario& scenario, const Model& model,
                           const EnsemblePlan& plan,
                           const SobolOptions& options,
                           EnsembleSummary& summary);

}  // namespace unionstate

#endif  // UNIONSTATE_ENSEMBLE_H_
