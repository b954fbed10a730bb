#ifndef UNIONSTATE_CLI_ENSEMBLE_COMMON_H_
#define UNIONSTATE_CLI_ENSEMBLE_COMMON_H_

// What `ensemble` (with --shard and --resume) and `merge` share: which runs
// a shard holds, and whether this program reproduces stored runs.

#include <cstdint>
#include <string>
#include <utility>

#include "unionstate/ensemble.h"
#include "unionstate/model.h"
#include "unionstate/scenario.h"
#include "unionstate/status.h"
#include "unionstate/store.h"

namespace unionstate::cli {

// Runs [first, end) of an ensemble.
struct RunRange {
  std::int64_t first = 0;
  std::int64_t end = 0;
};

// Part `part` (0-based) of `parts` of the runs [range.first, range.end),
// split on whole batches of `batch` runs counted from range.first: shard K
// of N is Split({0, runs}, batch, K - 1, N), and MPI rank r of a shard's
// runs Split(shard, batch, r, ranks). Every part is a whole number of
// batches but the last, so the batches of any split are those of one
// process.
RunRange Split(RunRange range, std::int64_t batch, std::int64_t part,
               std::int64_t parts);

// Parses --shard "K/N" (1 <= K <= N); kInvalidArgument saying what was
// expected otherwise.
Result<std::pair<std::int64_t, std::int64_t>> ParseShard(
    const std::string& text);

// Runs `stored.run` again and fails (kInvalidArgument, naming `file` and
// the ensemble) unless it comes out bit for bit as stored: continuing or
// merging runs of another program version would mix two computations.
Result<void> CheckReproduced(const Scenario& scenario, const Model& model,
                             const EnsemblePlan& plan, std::uint64_t seed,
                             const RunRecord& stored, const std::string& file,
                             std::int64_t ensemble);

}  // namespace unionstate::cli

#endif  // UNIONSTATE_CLI_ENSEMBLE_COMMON_H_
