#ifndef UNIONSTATE_REPORT_STORE_READER_H_
#define UNIONSTATE_REPORT_STORE_READER_H_

// Reads back what a results database (docs/results-schema.md) holds, for
// the report and the dashboard: every ensemble with its summary per issue
// and a histogram of its stored outcomes. Opens the file read-only.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "unionstate/ensemble.h"
#include "unionstate/status.h"

namespace unionstate::report {

struct StoredIssue {
  std::string id;
  std::string unit;
  double min = 0;
  double max = 100;
  bool summarised = false;  // a summary row exists (the ensemble ended)
  std::int64_t runs = 0;
  double mean = 0, sd = 0;
  double q05 = 0, q25 = 0, q50 = 0, q75 = 0, q95 = 0;
  double p_agreement = 0;  // NaN when undefined
  std::vector<std::pair<std::string, double>> p_blocking;
  std::vector<double> src;    // per input; NaN where undefined
  double src_r2 = 0;          // NaN when undefined
  std::vector<double> sobol;  // per input, or empty
  // Outcome counts in kHistogramBins equal bins over [min, max].
  std::vector<std::int64_t> histogram;
};

inline constexpr int kHistogramBins = 20;

struct StoredEnsemble {
  std::int64_t id = 0;
  std::string created;
  std::string scenario_name;
  std::string scenario_file;
  std::string scenario_text;
  std::string input_format;
  std::string model;
  std::string seed;
  std::string perturbation;
  std::int64_t runs_requested = 0;
  std::int64_t runs_stored = 0;
  std::string status;
  std::vector<std::string> inputs;
  std::vector<StoredIssue> issues;
  // The first kTimeRuns stored runs (outcomes and agreement; inputs as
  // stored, else empty), from which the report recomputes the time figures
  // the database does not store.
  std::vector<RunRecord> time_runs;
};

// Runs are independent draws, so the first ones are a fair sample; this
// many keep the report's time chart quick on any ensemble.
inline constexpr size_t kTimeRuns = 1000;

// Every ensemble in `path`, in id order. kIo when the file cannot be opened
// or read; kInvalidInput when it is not a unionstate results database.
Result<std::vector<StoredEnsemble>> ReadStore(const std::string& path);

}  // namespace unionstate::report

#endif  // UNIONSTATE_REPORT_STORE_READER_H_
