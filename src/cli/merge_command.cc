// `unionstate merge OUT.db SHARD.db...`: joins the databases that the shards
// of one ensemble wrote (`ensemble --shard K/N --store`) into one ensemble
// whose runs, summary and output are those of the ensemble run in one
// process.

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <map>
#include <span>
#include <vector>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/ensemble_common.h"
#include "unionstate/ensemble.h"
#include "unionstate/model.h"
#include "unionstate/output.h"
#include "unionstate/store.h"

namespace unionstate::cli {
namespace {

Error Bad(const std::string& text) {
  return Error(ErrorKind::kInvalidArgument, {}, text);
}

// The fields every shard of one ensemble shares.
bool SameEnsemble(const EnsembleHeader& a, const EnsembleHeader& b) {
  return a.scenario_file == b.scenario_file &&
         a.scenario_text == b.scenario_text &&
         a.input_format == b.input_format && a.model == b.model &&
         a.seed == b.seed && a.perturbation == b.perturbation &&
         a.runs_requested == b.runs_requested && a.batch == b.batch &&
         a.shards == b.shards;
}

}  // namespace

int Merge(const MergeCommand& command) {
  std::error_code ec;
  for (const std::string& shard : command.shards) {
    if (std::filesystem::equivalent(shard, command.output, ec)) {
      return Report(Bad(fmt::format(
          "merge: {} is both the output and a shard; expected a new "
          "database (or another one) to write",
          shard)));
    }
  }
  // Each file's last ensemble is its shard.
  struct Shard {
    std::string path;
    StoredEnsemble ensemble;
    std::unique_ptr<ResultStore> store;
  };
  std::map<std::int64_t, Shard> shards;
  for (const std::string& path : command.shards) {
    Result<std::unique_ptr<ResultStore>> store =
        ResultStore::OpenExisting(path);
    if (!store) return Report(store.error());
    Result<std::vector<StoredEnsemble>> all = (*store)->Ensembles();
    if (!all) return Report(all.error());
    if (all->empty() || all->back().header.shards == 0) {
      return Report(Bad(fmt::format(
          "merge: {} holds no shard; expected a database written by "
          "`unionstate ensemble --shard K/N --store`",
          path)));
    }
    const StoredEnsemble& e = all->back();
    if (e.EffectiveStatus() != "complete") {
      return Report(Bad(fmt::format(
          "merge: shard {}/{} in {} is {} ({} of its runs stored); expected "
          "it complete: `unionstate ensemble --resume {}` finishes it",
          e.header.shard, e.header.shards, path, e.EffectiveStatus(),
          e.runs_stored, path)));
    }
    if (!shards.empty() &&
        !SameEnsemble(shards.begin()->second.ensemble.header, e.header)) {
      return Report(Bad(fmt::format(
          "merge: {} and {} are shards of different ensembles (scenario, "
          "model, seed, perturbation, runs, batch or shard count differ); "
          "expected the shards of one",
          shards.begin()->second.path, path)));
    }
    if (shards.contains(e.header.shard)) {
      return Report(Bad(fmt::format(
          "merge: {} and {} both hold shard {}/{}; expected each shard once",
          shards[e.header.shard].path, path, e.header.shard, e.header.shards)));
    }
    shards[e.header.shard] = {path, e, std::move(*store)};
  }
  const EnsembleHeader& first = shards.begin()->second.ensemble.header;
  for (std::int64_t k = 1; k <= first.shards; ++k) {
    if (!shards.contains(k)) {
      return Report(Bad(fmt::format(
          "merge: shard {}/{} is missing; expected one database for each of "
          "the {} shards",
          k, first.shards, first.shards)));
    }
  }

  EnsembleHeader header = first;
  header.shard = 0;
  header.shards = 0;
  Result<Scenario> scenario = StoredScenario(header);
  if (!scenario) return Report(scenario.error());
  Result<std::unique_ptr<Model>> model = LoadModel(header.model);
  if (!model) return Report(model.error());
  Result<Perturbation> perturbation = ParsePerturbation(header.perturbation);
  if (!perturbation) return Report(perturbation.error());
  const EnsemblePlan plan = PlanEnsemble(*scenario, *perturbation);

  Result<std::unique_ptr<ResultStore>> out = ResultStore::Open(command.output);
  if (!out) return Report(out.error());
  Result<std::int64_t> id = (*out)->BeginEnsemble(header, *scenario, plan);
  if (!id) return Report(id.error());
  // Shards hold whole batches (but the last): copied in batches of the
  // header's size, the merged database has the batches of a single
  // process. Shard k holds the k-th stretch of runs, so taken in shard order
  // the runs come in run order; they are read one stored batch at a time,
  // go to the summary and are dropped, so memory does not grow with them.
  EnsembleAccumulator accumulator(*scenario, plan);
  std::uint64_t next = 0;          // the run expected next
  std::vector<RunRecord> pending;  // runs not yet written, < one batch
  auto write = [&](std::span<const RunRecord> runs) -> Result<void> {
    Result<void> added = (*out)->AddRuns(*id, runs);
    if (added) accumulator.Add(runs);
    return added;
  };
  for (auto& [k, shard] : shards) {
    bool first_of_shard = true;
    Result<void> read = shard.store->ForEachStoredBatch(
        shard.ensemble.id, header.store_draws ? nullptr : &plan, 0,
        std::numeric_limits<std::int64_t>::max(),
        [&](std::span<const RunRecord> runs) -> Result<void> {
          if (first_of_shard) {
            first_of_shard = false;
            Result<void> same =
                CheckReproduced(*scenario, **model, plan, header.seed,
                                runs.front(), shard.path, shard.ensemble.id);
            if (!same) return same;
          }
          for (const RunRecord& r : runs) {
            if (r.run != next) {
              return std::unexpected(Bad(fmt::format(
                  "merge: run {} is {}; expected every run 0 .. {} exactly "
                  "once",
                  std::min(r.run, next),
                  r.run < next ? "stored twice" : "missing",
                  header.runs_requested - 1)));
            }
            ++next;
            pending.push_back(r);
            if (pending.size() == static_cast<size_t>(header.batch)) {
              if (Result<void> w = write(pending); !w) return w;
              pending.clear();
            }
          }
          return {};
        });
    if (!read) {
      (void)(*out)->Finish(*id, {}, "failed");
      return Report(read.error());
    }
  }
  if (!pending.empty()) {
    if (Result<void> w = write(pending); !w) {
      (void)(*out)->Finish(*id, {}, "failed");
      return Report(w.error());
    }
  }
  if (static_cast<std::int64_t>(next) != header.runs_requested) {
    (void)(*out)->Finish(*id, {}, "failed");
    return Report(Bad(
        fmt::format("merge: the shards hold {} runs; expected the {} requested",
                    next, header.runs_requested)));
  }

  EnsembleReport report;
  report.scenario = scenario->name;
  report.model = header.model;
  report.seed = header.seed;
  report.perturbation = header.perturbation;
  report.runs_requested = header.runs_requested;
  report.summary = accumulator.Summary();
  Result<void> finished = (*out)->Finish(*id, report.summary, "complete");
  if (!finished) return Report(finished.error());
  return Emit(command.format == "table" ? EnsembleToTable(*scenario, report)
                                        : EnsembleToJson(*scenario, report),
              "");
}

}  // namespace unionstate::cli
