#include "report/store_reader.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>

#include "unionstate/store.h"

namespace unionstate::report {
namespace {

// The schema version this reader understands (docs/results-schema.md).
constexpr std::int64_t kSchemaVersion = 2;  // src/store/store.cc

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

double Real(sqlite3_stmt* s, int k) {
  return sqlite3_column_type(s, k) == SQLITE_NULL ? std::nan("")
                                                  : sqlite3_column_double(s, k);
}
std::string Text(sqlite3_stmt* s, int k) {
  const unsigned char* t = sqlite3_column_text(s, k);
  return t == nullptr ? std::string() : reinterpret_cast<const char*>(t);
}

// JSON array of numbers (null -> NaN); empty on anything else.
std::vector<double> Numbers(const std::string& text) {
  std::vector<double> out;
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& x : j) out.push_back(x.is_number() ? x.get<double>() : NAN);
  return out;
}

}  // namespace

Result<std::vector<StoredEnsemble>> ReadStore(const std::string& path) {
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  DbPtr db(raw);
  if (rc != SQLITE_OK) {
    return IoError(
        {path, 0, 0},
        fmt::format("cannot open the results database: {}",
                    raw != nullptr ? sqlite3_errmsg(raw) : "out of memory"));
  }
  sqlite3_busy_timeout(raw, 5000);
  auto prepare = [&](const char* sql) -> StmtPtr {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(raw, sql, -1, &s, nullptr) != SQLITE_OK) return {};
    return StmtPtr(s);
  };
  auto fail = [&](const char* doing) {
    return IoError({path, 0, 0},
                   fmt::format("cannot {}: {}", doing, sqlite3_errmsg(raw)));
  };
  {
    StmtPtr version = prepare("PRAGMA user_version");
    if (!version || sqlite3_step(version.get()) != SQLITE_ROW) {
      return InvalidInput({path, 0, 0},
                          fmt::format("is not an SQLite database ({}); "
                                      "expected a unionstate results database",
                                      sqlite3_errmsg(raw)));
    }
    if (sqlite3_column_int64(version.get(), 0) != kSchemaVersion) {
      return InvalidInput(
          {path, 0, 0},
          fmt::format("holds schema version {}; expected a unionstate results "
                      "database (version {}, docs/results-schema.md)",
                      sqlite3_column_int64(version.get(), 0), kSchemaVersion));
    }
  }

  std::vector<StoredEnsemble> out;
  StmtPtr ensembles = prepare(
      "SELECT id, created, scenario_name, scenario_file, scenario_text, model, "
      "seed, perturbation, runs_requested, status, (SELECT coalesce(sum(runs), "
      "0) FROM batches b WHERE b.ensemble_id = e.id), input_format FROM "
      "ensembles e ORDER BY id");
  if (!ensembles) return fail("read the ensembles");
  while (sqlite3_step(ensembles.get()) == SQLITE_ROW) {
    sqlite3_stmt* e = ensembles.get();
    StoredEnsemble s;
    s.id = sqlite3_column_int64(e, 0);
    s.created = Text(e, 1);
    s.scenario_name = Text(e, 2);
    s.scenario_file = Text(e, 3);
    s.scenario_text = Text(e, 4);
    s.model = Text(e, 5);
    s.seed = Text(e, 6);
    s.perturbation = Text(e, 7);
    s.runs_requested = sqlite3_column_int64(e, 8);
    s.status = Text(e, 9);
    s.runs_stored = sqlite3_column_int64(e, 10);
    s.input_format = Text(e, 11);
    out.push_back(std::move(s));
  }
  for (StoredEnsemble& s : out) {
    StmtPtr inputs =
        prepare("SELECT name FROM inputs WHERE ensemble_id = ? ORDER BY idx");
    if (!inputs) return fail("read the inputs");
    sqlite3_bind_int64(inputs.get(), 1, s.id);
    while (sqlite3_step(inputs.get()) == SQLITE_ROW) {
      s.inputs.push_back(Text(inputs.get(), 0));
    }
    StmtPtr issues = prepare(
        "SELECT i.id, i.unit, i.min, i.max, s.runs, s.mean, s.sd, s.q05, "
        "s.q25, s.q50, s.q75, s.q95, s.p_agreement, s.p_blocking, s.src, "
        "s.src_r2, s.sobol FROM issues i LEFT JOIN summaries s ON "
        "s.ensemble_id = i.ensemble_id AND s.issue = i.idx WHERE "
        "i.ensemble_id = ? ORDER BY i.idx");
    if (!issues) return fail("read the summaries");
    sqlite3_bind_int64(issues.get(), 1, s.id);
    while (sqlite3_step(issues.get()) == SQLITE_ROW) {
      sqlite3_stmt* q = issues.get();
      StoredIssue issue;
      issue.id = Text(q, 0);
      issue.unit = Text(q, 1);
      issue.min = Real(q, 2);
      issue.max = Real(q, 3);
      issue.summarised = sqlite3_column_type(q, 4) != SQLITE_NULL;
      issue.runs = sqlite3_column_int64(q, 4);
      issue.mean = Real(q, 5);
      issue.sd = Real(q, 6);
      issue.q05 = Real(q, 7);
      issue.q25 = Real(q, 8);
      issue.q50 = Real(q, 9);
      issue.q75 = Real(q, 10);
      issue.q95 = Real(q, 11);
      issue.p_agreement = Real(q, 12);
      nlohmann::json blocking =
          nlohmann::json::parse(Text(q, 13), nullptr, false);
      if (blocking.is_object()) {
        for (const auto& [id, share] : blocking.items()) {
          if (share.is_number()) {
            issue.p_blocking.emplace_back(id, share.get<double>());
          }
        }
      }
      issue.src = Numbers(Text(q, 14));
      issue.src_r2 = Real(q, 15);
      issue.sobol = Numbers(Text(q, 16));
      issue.histogram.assign(kHistogramBins, 0);
      s.issues.push_back(std::move(issue));
    }
  }
  // Histograms from the stored runs, decoded by the store itself (the
  // packed batches of docs/results-schema.md); the inputs are not needed.
  if (out.empty()) return out;
  Result<std::unique_ptr<ResultStore>> store = ResultStore::OpenExisting(path);
  if (!store) return std::unexpected(store.error());
  for (StoredEnsemble& s : out) {
    Result<std::vector<RunRecord>> runs = (*store)->ReadRuns(s.id);
    if (!runs) return std::unexpected(runs.error());
    for (const RunRecord& r : *runs) {
      for (size_t i = 0; i < r.outcomes.size() && i < s.issues.size(); ++i) {
        StoredIssue& issue = s.issues[i];
        if (!(issue.max > issue.min)) continue;
        const double at =
            (r.outcomes[i] - issue.min) * kHistogramBins / (issue.max - issue.min);
        const auto bin = static_cast<std::int64_t>(
            std::clamp(std::floor(at), 0.0, double{kHistogramBins - 1}));
        ++issue.histogram[static_cast<size_t>(bin)];
      }
    }
    if (runs->size() > kTimeRuns) runs->resize(kTimeRuns);
    s.time_runs = std::move(*runs);
  }
  return out;
}

}  // namespace unionstate::report
