#ifndef UNIONSTATE_STORE_H_
#define UNIONSTATE_STORE_H_

// The results database: ensembles written to an SQLite file whose schema is
// docs/results-schema.md. The file is in WAL mode and every batch of runs is
// written in one transaction, so a process killed at any moment leaves a
// file that opens and holds every batch committed before.
//
//   Result<std::unique_ptr<ResultStore>> store = ResultStore::Open(path);
//   Result<std::int64_t> id = (*store)->BeginEnsemble(header, scenario, plan);
//   (*store)->AddRuns(*id, batch);            // once per batch
//   (*store)->Finish(*id, summary, "complete");
//
// A batch is stored as one row of packed little-endian arrays (outcomes,
// agreement bits, blockers, and the drawn inputs only when asked for): the
// draws of run k are a pure function of (seed, k) and the plan, so ReadRuns
// can draw them again bit for bit. Each ensemble records the host, process
// id and process start time of the process writing it, so that a reader
// tells an ensemble whose writer is gone ("interrupted") from one still
// running, and `ensemble --resume` can claim it and continue.

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "unionstate/ensemble.h"
#include "unionstate/scenario.h"
#include "unionstate/status.h"

namespace unionstate {

// What identifies an ensemble beside its runs.
struct EnsembleHeader {
  std::string scenario_file;  // the path, or "builtin:<label>"
  std::string scenario_text;  // the file as it was read
  std::string model;          // the full specification, defaults included
  std::uint64_t seed = 0;
  std::string perturbation;  // as --perturb takes it; "" for none
  std::int64_t runs_requested = 0;
  std::int64_t batch = 256;  // runs per stored batch
  // `--shard K/N`: this ensemble holds shard K (1-based) of N; 0/0 for the
  // whole ensemble.
  std::int64_t shard = 0;
  std::int64_t shards = 0;
  std::string input_format = {};  // --input-format; "" when detected
  // Write each run's drawn inputs too (8 bytes per input and run); without
  // it ReadRuns draws them again from (seed, run).
  bool store_draws = false;
};

// An ensemble as stored, with whether the process writing it still lives.
struct StoredEnsemble {
  std::int64_t id = 0;
  std::string created;
  std::string scenario_name;
  EnsembleHeader header;
  // As written: "running", "complete", "interrupted" or "failed".
  std::string status;
  enum class Writer {
    kDone,     // not running: nobody writes it any more
    kAlive,    // running, and its process is alive on this host
    kGone,     // running, but its process is gone (killed, crashed)
    kUnknown,  // running on another host: cannot tell from here
  };
  Writer writer = Writer::kDone;
  std::string writer_host;
  std::int64_t writer_pid = 0;
  std::int64_t runs_stored = 0;

  // The status a reader should see: "interrupted" for a running ensemble
  // whose process is gone, else `status`.
  std::string EffectiveStatus() const {
    return writer == Writer::kGone ? "interrupted" : status;
  }
};

class ResultStore {
 public:
  // Opens or creates the database at `path` (kIo when it cannot, naming the
  // file; kInvalidInput when the file is not a unionstate results
  // database).
  static Result<std::unique_ptr<ResultStore>> Open(const std::string& path);
  // Opens an existing database for reading and writing; kInvalidInput when
  // the file is missing or not a unionstate results database.
  static Result<std::unique_ptr<ResultStore>> OpenExisting(
      const std::string& path);
  ~ResultStore();
  ResultStore(const ResultStore&) = delete;
  ResultStore& operator=(const ResultStore&) = delete;

  // Records a new ensemble with status "running"; returns its id.
  Result<std::int64_t> BeginEnsemble(const EnsembleHeader& header,
                                     const Scenario& scenario,
                                     const EnsemblePlan& plan);
  // Writes the runs in one transaction: one row per stretch of consecutive
  // run numbers (the drawn inputs too when the header asked for them).
  Result<void> AddRuns(std::int64_t ensemble, std::span<const RunRecord> runs);
  // Writes the summary and sets the status ("complete" or "interrupted").
  Result<void> Finish(std::int64_t ensemble, const EnsembleSummary& summary,
                      const std::string& status);

  // Every ensemble in the file, oldest first.
  Result<std::vector<StoredEnsemble>> Ensembles();
  // Makes this process the writer of a stored ensemble (status "running"),
  // to continue it. Fails with kInvalidArgument while another live process
  // writes it.
  Result<void> Claim(std::int64_t ensemble);
  // The stored runs of an ensemble, in run order. Each run's `inputs` are
  // the stored draws, or, when none were stored and `plan` is given, drawn
  // again with DrawInputs(*plan, seed, run); else empty.
  Result<std::vector<RunRecord>> ReadRuns(std::int64_t ensemble,
                                          const EnsemblePlan* plan = nullptr);
  // The same runs streamed, for ensembles of any size: those of the stored
  // batches that start in [first, end), in run order, one stored batch at a
  // time (`each` gets its runs, inputs as ReadRuns gives them, and may stop
  // the reading by failing, which is returned). Only one batch is in
  // memory at a time, so memory does not grow with the runs stored.
  Result<void> ForEachStoredBatch(
      std::int64_t ensemble, const EnsemblePlan* plan, std::int64_t first,
      std::int64_t end,
      const std::function<Result<void>(std::span<const RunRecord>)>& each);
  // The run numbers stored for an ensemble as [first, end) stretches in
  // order, adjacent batches joined (one pair per stretch, not per run).
  Result<std::vector<std::pair<std::int64_t, std::int64_t>>> StoredStretches(
      std::int64_t ensemble);

 private:
  struct Impl;
  explicit ResultStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The scenario a stored ensemble ran on, parsed from the text it stored
// (with its input format). With the plan PlanEnsemble(scenario,
// ParsePerturbation(header.perturbation)) it gives ReadRuns the draws of an
// ensemble stored without them. Fails when the text does not parse (for
// example when none was stored).
Result<Scenario> StoredScenario(const EnsembleHeader& header);

// Whether StoredScenario(header) with the header's perturbation plans the
// same inputs, with the same values, as `plan`: when not (a scenario read
// from a folder of wide tables, whose actors table alone is stored, or one
// made in memory), the draws cannot be drawn again and must be stored.
bool StoredScenarioGivesPlan(const EnsembleHeader& header,
                             const EnsemblePlan& plan);

// What `unionstate show` reports of one issue of a stored ensemble.
struct ShownIssue {
  std::string id;
  std::string unit;
  double quantiles[5] = {0, 0, 0, 0, 0};  // 5, 25, 50, 75, 95 %; NaN: no run
  double p_agreement = 0;                 // NaN when no run was stored
  // Who blocked, with the share of runs, most frequent first (ties by id).
  std::vector<std::pair<std::string, double>> p_blocking;
};

// One ensemble of a results database as `unionstate show` reports it: the
// stored ensemble and, per issue, the outcome quantiles, agreement and
// blockers (from the stored summary, or computed from the stored runs when
// the ensemble never finished: `from_runs`).
struct ShownEnsemble {
  StoredEnsemble stored;
  std::int64_t uncertain_inputs = 0;
  bool from_runs = false;
  std::vector<ShownIssue> issues;
};

// Every ensemble of the results database at `path`, as above.
Result<std::vector<ShownEnsemble>> ReadStore(const std::string& path);

// A readable account of those ensembles (`unionstate show`): scenario,
// model, seed, runs stored, status ("interrupted" for one whose process is
// gone, with the command that resumes it), and per issue the quantiles,
// agreement and a `blocked by:` line.
std::string DescribeStore(const std::string& path,
                          const std::vector<ShownEnsemble>& ensembles);
// ReadStore, then the readable account.
Result<std::string> DescribeStore(const std::string& path);

// The same as a JSON array (`unionstate show --format json`,
// docs/results-schema.md).
std::string ShownEnsemblesToJson(const std::vector<ShownEnsemble>& ensembles);

}  // namespace unionstate

#endif  // UNIONSTATE_STORE_H_
