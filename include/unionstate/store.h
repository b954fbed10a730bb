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

#include <cstdint>
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
};

class ResultStore {
 public:
  // Opens or creates the database at `path` (kIo when it cannot, naming the
  // file; kInvalidInput when the file is not a unionstate results
  // database).
  static Result<std::unique_ptr<ResultStore>> Open(const std::string& path);
  ~ResultStore();
  ResultStore(const ResultStore&) = delete;
  ResultStore& operator=(const ResultStore&) = delete;

  // Records a new ensemble with status "running"; returns its id.
  Result<std::int64_t> BeginEnsemble(const EnsembleHeader& header,
                                     const Scenario& scenario,
                                     const EnsemblePlan& plan);
  // Writes the runs (drawn inputs and outcomes) in one transaction.
  Result<void> AddRuns(std::int64_t ensemble, std::span<const RunRecord> runs);
  // Writes the summary and sets the status ("complete" or "interrupted").
  Result<void> Finish(std::int64_t ensemble, const EnsembleSummary& summary,
                      const std::string& status);

 private:
  struct Impl;
  explicit ResultStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// What `unionstate show` reports of one issue of a stored ensemble.
struct StoredIssue {
  std::string id;
  std::string unit;
  double quantiles[5] = {0, 0, 0, 0, 0};  // 5, 25, 50, 75, 95 %; NaN: no run
  double p_agreement = 0;                 // NaN when no run was stored
  // Who blocked, with the share of runs, most frequent first.
  std::vector<std::pair<std::string, double>> p_blocking;
};

// One ensemble of a results database, as `unionstate show` reports it.
struct StoredEnsemble {
  std::int64_t id = 0;
  std::string created;
  std::string status;  // running, complete, interrupted
  std::string scenario_name;
  std::string scenario_file;
  std::string model;
  std::string seed;
  std::string perturbation;
  std::int64_t runs_requested = 0;
  std::int64_t runs_stored = 0;
  std::int64_t uncertain_inputs = 0;
  // True when no summary was written (the process stopped before the end)
  // and the issues' figures are computed from the stored runs.
  bool from_runs = false;
  std::vector<StoredIssue> issues;
};

// Every ensemble of the results database at `path`, with per issue the
// outcome quantiles, agreement and blockers (from the stored summary, or
// computed from the stored runs when the ensemble never finished).
Result<std::vector<StoredEnsemble>> ReadStore(const std::string& path);

// A readable account of those ensembles (`unionstate show`).
std::string DescribeStore(const std::string& path,
                          const std::vector<StoredEnsemble>& ensembles);
// ReadStore, then the readable account.
Result<std::string> DescribeStore(const std::string& path);
// The same as a JSON array (`unionstate show --format json`,
// docs/results-schema.md).
std::string StoredEnsemblesToJson(const std::vector<StoredEnsemble>& ensembles);

}  // namespace unionstate

#endif  // UNIONSTATE_STORE_H_
