#include "unionstate/store.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "store/fault_vfs.h"

namespace unionstate {
namespace {

using json = nlohmann::json;

// docs/results-schema.md. Bump kSchemaVersion with any change.
constexpr int kSchemaVersion = 1;
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS ensembles (
  id             INTEGER PRIMARY KEY,
  created        TEXT NOT NULL,
  scenario_name  TEXT NOT NULL,
  scenario_file  TEXT NOT NULL,
  scenario_text  TEXT NOT NULL,
  model          TEXT NOT NULL,
  seed           TEXT NOT NULL,
  perturbation   TEXT NOT NULL,
  runs_requested INTEGER NOT NULL,
  status         TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS issues (
  ensemble_id INTEGER NOT NULL REFERENCES ensembles(id),
  idx         INTEGER NOT NULL,
  id          TEXT NOT NULL,
  unit        TEXT NOT NULL,
  min         REAL NOT NULL,
  max         REAL NOT NULL,
  PRIMARY KEY (ensemble_id, idx)
) STRICT;
CREATE TABLE IF NOT EXISTS inputs (
  ensemble_id  INTEGER NOT NULL REFERENCES ensembles(id),
  idx          INTEGER NOT NULL,
  name         TEXT NOT NULL,
  value        REAL NOT NULL,
  distribution TEXT NOT NULL,
  perturbed    INTEGER NOT NULL,
  PRIMARY KEY (ensemble_id, idx)
) STRICT;
CREATE TABLE IF NOT EXISTS outcomes (
  ensemble_id INTEGER NOT NULL REFERENCES ensembles(id),
  run         INTEGER NOT NULL,
  issue       INTEGER NOT NULL,
  outcome     REAL NOT NULL,
  agreement   INTEGER NOT NULL,
  blocking    TEXT NOT NULL,
  PRIMARY KEY (ensemble_id, run, issue)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS draws (
  ensemble_id INTEGER NOT NULL REFERENCES ensembles(id),
  run         INTEGER NOT NULL,
  input       INTEGER NOT NULL,
  value       REAL NOT NULL,
  PRIMARY KEY (ensemble_id, run, input)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS summaries (
  ensemble_id INTEGER NOT NULL REFERENCES ensembles(id),
  issue       INTEGER NOT NULL,
  runs        INTEGER NOT NULL,
  mean        REAL,
  sd          REAL,
  q05 REAL, q25 REAL, q50 REAL, q75 REAL, q95 REAL,
  p_agreement REAL,
  p_blocking  TEXT NOT NULL,
  src         TEXT NOT NULL,
  src_r2      REAL,
  sobol       TEXT NOT NULL,
  PRIMARY KEY (ensemble_id, issue)
) STRICT;
)sql";

// A NaN goes in as NULL (SQLite has no NaN) and comes back as NaN.

class Db {
 public:
  Db(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~Db() { sqlite3_close_v2(db_); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  sqlite3* get() const { return db_; }
  const std::string& path() const { return path_; }

  std::unexpected<Error> Fail(const std::string& doing) const {
    return IoError({path_, 0, 0},
                   fmt::format("cannot {}: {}", doing, sqlite3_errmsg(db_)));
  }

  Result<void> Exec(const char* sql, const std::string& doing) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
      std::string text = message != nullptr ? message : sqlite3_errmsg(db_);
      sqlite3_free(message);
      return IoError({path_, 0, 0}, fmt::format("cannot {}: {}", doing, text));
    }
    return {};
  }

 private:
  sqlite3* db_;
  std::string path_;
};

class Statement {
 public:
  Statement(Db& db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db.get(), sql, -1, &stmt_, nullptr) != SQLITE_OK)
      stmt_ = nullptr;
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return stmt_ != nullptr; }
  Statement& Bind(int k, std::int64_t v) {
    sqlite3_bind_int64(stmt_, k, v);
    return *this;
  }
  Statement& Bind(int k, double v) {
    if (std::isnan(v)) {
      sqlite3_bind_null(stmt_, k);
    } else {
      sqlite3_bind_double(stmt_, k, v);
    }
    return *this;
  }
  Statement& Bind(int k, const std::string& v) {
    sqlite3_bind_text(stmt_, k, v.data(), static_cast<int>(v.size()),
                      SQLITE_TRANSIENT);
    return *this;
  }
  // Runs to completion; true when done without error.
  bool Run() {
    int rc = sqlite3_step(stmt_);
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    return rc == SQLITE_DONE;
  }
  bool Step() { return sqlite3_step(stmt_) == SQLITE_ROW; }
  std::int64_t Int(int k) const { return sqlite3_column_int64(stmt_, k); }
  double Double(int k) const {
    return sqlite3_column_type(stmt_, k) == SQLITE_NULL
               ? std::nan("")
               : sqlite3_column_double(stmt_, k);
  }
  std::string Text(int k) const {
    const unsigned char* t = sqlite3_column_text(stmt_, k);
    return t == nullptr ? std::string()
                        : std::string(reinterpret_cast<const char*>(t));
  }

 private:
  Db& db_;
  sqlite3_stmt* stmt_ = nullptr;
};

Result<std::unique_ptr<Db>> OpenDb(const std::string& path, bool create) {
  sqlite3* raw = nullptr;
  const int flags = create ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                           : SQLITE_OPEN_READONLY;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw, flags, internal::StoreVfsName());
  auto db = std::make_unique<Db>(raw, path);
  if (rc != SQLITE_OK) {
    return IoError(
        {path, 0, 0},
        fmt::format("cannot open the results database: {}",
                    raw != nullptr ? sqlite3_errmsg(raw) : "out of memory"));
  }
  sqlite3_busy_timeout(raw, 5000);
  // Reading the schema version tells a database from any other file.
  Statement version(*db, "PRAGMA user_version");
  if (!version.ok() || !version.Step()) {
    return InvalidInput(
        {path, 0, 0}, fmt::format("is not an SQLite database ({}); expected a "
                                  "unionstate results database",
                                  sqlite3_errmsg(raw)));
  }
  const std::int64_t found = version.Int(0);
  Statement tables(*db, "SELECT count(*) FROM sqlite_schema");
  const std::int64_t count = tables.ok() && tables.Step() ? tables.Int(0) : 0;
  if (found != kSchemaVersion && !(found == 0 && count == 0 && create)) {
    return InvalidInput(
        {path, 0, 0},
        fmt::format(
            "holds schema version {} with {} objects; expected a unionstate "
            "results database (version {}, docs/results-schema.md)",
            found, count, kSchemaVersion));
  }
  return db;
}

std::string Now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&t, &utc);
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z",
                     utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                     utc.tm_hour, utc.tm_min, utc.tm_sec);
}

json DistributionJson(const UncertainInput& in) {
  const Uncertainty& u = in.distribution;
  json j;
  switch (u.kind) {
    case Uncertainty::Kind::kNormal:
      j = {{"dist", "normal"}, {"sd", u.sd}};
      if (std::isfinite(u.lower)) j["min"] = u.lower;
      if (std::isfinite(u.upper)) j["max"] = u.upper;
      break;
    case Uncertainty::Kind::kUniform:
      j = {{"dist", "uniform"}, {"min", u.lower}, {"max", u.upper}};
      break;
    case Uncertainty::Kind::kDiscrete:
      j = {{"dist", "discrete"}, {"values", u.values}};
      if (!u.weights.empty()) j["weights"] = u.weights;
      break;
  }
  return j;
}

json NumbersJson(const std::vector<double>& v) {
  json j = json::array();
  for (double x : v) j.push_back(std::isnan(x) ? json(nullptr) : json(x));
  return j;
}

std::string Join(const std::vector<std::string>& v) {
  return fmt::format("{}", fmt::join(v, ","));
}

}  // namespace

struct ResultStore::Impl {
  std::unique_ptr<Db> db;
};

ResultStore::ResultStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ResultStore::~ResultStore() = default;

Result<std::unique_ptr<ResultStore>> ResultStore::Open(
    const std::string& path) {
  Result<std::unique_ptr<Db>> db = OpenDb(path, /*create=*/true);
  if (!db) return std::unexpected(db.error());
  Db& d = **db;
  if (auto r = d.Exec("PRAGMA journal_mode=WAL", "switch to WAL"); !r)
    return std::unexpected(r.error());
  if (auto r = d.Exec("PRAGMA synchronous=NORMAL", "set synchronous"); !r) {
    return std::unexpected(r.error());
  }
  if (auto r = d.Exec("PRAGMA foreign_keys=ON", "enable foreign keys"); !r) {
    return std::unexpected(r.error());
  }
  if (auto r = d.Exec("BEGIN", "begin"); !r) return std::unexpected(r.error());
  if (auto r = d.Exec(kSchema, "create the schema"); !r)
    return std::unexpected(r.error());
  const std::string version =
      fmt::format("PRAGMA user_version={}", kSchemaVersion);
  if (auto r = d.Exec(version.c_str(), "set the schema version"); !r) {
    return std::unexpected(r.error());
  }
  if (auto r = d.Exec("COMMIT", "commit the schema"); !r)
    return std::unexpected(r.error());
  auto impl = std::make_unique<Impl>();
  impl->db = std::move(*db);
  return std::unique_ptr<ResultStore>(new ResultStore(std::move(impl)));
}

Result<std::int64_t> ResultStore::BeginEnsemble(const EnsembleHeader& header,
                                                const Scenario& scenario,
                                                const EnsemblePlan& plan) {
  Db& d = *impl_->db;
  if (auto r = d.Exec("BEGIN", "begin"); !r) return std::unexpected(r.error());
  auto rollback = [&](const std::string& doing) {
    std::unexpected<Error> e = d.Fail(doing);
    sqlite3_exec(d.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    return e;
  };
  Statement ensemble(d,
                     "INSERT INTO ensembles (created, scenario_name, "
                     "scenario_file, scenario_text, "
                     "model, seed, perturbation, runs_requested, status) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running')");
  if (!ensemble.ok()) return rollback("prepare the ensemble record");
  ensemble.Bind(1, Now())
      .Bind(2, scenario.name)
      .Bind(3, header.scenario_file)
      .Bind(4, header.scenario_text)
      .Bind(5, header.model)
      .Bind(6, std::to_string(header.seed))
      .Bind(7, header.perturbation)
      .Bind(8, header.runs_requested);
  if (!ensemble.Run()) return rollback("record the ensemble");
  const std::int64_t id = sqlite3_last_insert_rowid(d.get());
  Statement issue(d, "INSERT INTO issues VALUES (?, ?, ?, ?, ?, ?)");
  if (!issue.ok()) return rollback("prepare the issues");
  for (size_t i = 0; i < scenario.issues.size(); ++i) {
    const Issue& is = scenario.issues[i];
    issue.Bind(1, id)
        .Bind(2, static_cast<std::int64_t>(i))
        .Bind(3, is.id)
        .Bind(4, is.unit);
    issue.Bind(5, is.min).Bind(6, is.max);
    if (!issue.Run()) return rollback("record the issues");
  }
  Statement input(d, "INSERT INTO inputs VALUES (?, ?, ?, ?, ?, ?)");
  if (!input.ok()) return rollback("prepare the inputs");
  for (size_t k = 0; k < plan.inputs.size(); ++k) {
    const UncertainInput& in = plan.inputs[k];
    input.Bind(1, id)
        .Bind(2, static_cast<std::int64_t>(k))
        .Bind(3, in.name)
        .Bind(4, in.value);
    input.Bind(5, DistributionJson(in).dump())
        .Bind(6, std::int64_t{in.perturbed ? 1 : 0});
    if (!input.Run()) return rollback("record the inputs");
  }
  if (auto r = d.Exec("COMMIT", "commit the ensemble record"); !r)
    return std::unexpected(r.error());
  return id;
}

Result<void> ResultStore::AddRuns(std::int64_t ensemble,
                                  std::span<const RunRecord> runs) {
  Db& d = *impl_->db;
  if (auto r = d.Exec("BEGIN", "begin a batch"); !r) return r;
  auto rollback = [&](const std::string& doing) {
    std::unexpected<Error> e = d.Fail(doing);
    sqlite3_exec(d.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    return e;
  };
  {
    Statement outcome(d, "INSERT INTO outcomes VALUES (?, ?, ?, ?, ?, ?)");
    Statement draw(d, "INSERT INTO draws VALUES (?, ?, ?, ?)");
    if (!outcome.ok() || !draw.ok()) return rollback("prepare a batch");
    for (const RunRecord& r : runs) {
      const std::int64_t run = static_cast<std::int64_t>(r.run);
      for (size_t i = 0; i < r.outcomes.size(); ++i) {
        outcome.Bind(1, ensemble)
            .Bind(2, run)
            .Bind(3, static_cast<std::int64_t>(i));
        outcome.Bind(4, r.outcomes[i]).Bind(5, std::int64_t{r.agreement[i]});
        outcome.Bind(6, Join(r.blocking[i]));
        if (!outcome.Run()) return rollback(fmt::format("write run {}", run));
      }
      for (size_t k = 0; k < r.inputs.size(); ++k) {
        draw.Bind(1, ensemble)
            .Bind(2, run)
            .Bind(3, static_cast<std::int64_t>(k));
        draw.Bind(4, r.inputs[k]);
        if (!draw.Run())
          return rollback(fmt::format("write the draws of run {}", run));
      }
    }
  }
  if (sqlite3_exec(d.get(), "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return rollback("commit a batch");
  }
  return {};
}

Result<void> ResultStore::Finish(std::int64_t ensemble,
                                 const EnsembleSummary& summary,
                                 const std::string& status) {
  Db& d = *impl_->db;
  if (auto r = d.Exec("BEGIN", "begin"); !r) return r;
  auto rollback = [&](const std::string& doing) {
    std::unexpected<Error> e = d.Fail(doing);
    sqlite3_exec(d.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    return e;
  };
  {
    Statement row(d,
                  "INSERT OR REPLACE INTO summaries VALUES "
                  "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!row.ok()) return rollback("prepare the summary");
    for (size_t i = 0; i < summary.issues.size(); ++i) {
      const IssueSummary& s = summary.issues[i];
      json blocking = json::object();
      for (const auto& [who, p] : s.p_blocking) blocking[who] = p;
      row.Bind(1, ensemble)
          .Bind(2, static_cast<std::int64_t>(i))
          .Bind(3, summary.runs);
      row.Bind(4, s.mean).Bind(5, s.sd).Bind(6, s.q05).Bind(7, s.q25).Bind(
          8, s.q50);
      row.Bind(9, s.q75)
          .Bind(10, s.q95)
          .Bind(11, s.p_agreement)
          .Bind(12, blocking.dump());
      row.Bind(13, NumbersJson(s.src).dump()).Bind(14, s.src_r2);
      row.Bind(15, NumbersJson(s.sobol).dump());
      if (!row.Run()) return rollback("write the summary");
    }
    Statement done(d, "UPDATE ensembles SET status = ? WHERE id = ?");
    if (!done.ok()) return rollback("prepare the status");
    done.Bind(1, status).Bind(2, ensemble);
    if (!done.Run()) return rollback("set the status");
  }
  if (sqlite3_exec(d.get(), "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return rollback("commit the summary");
  }
  return {};
}

Result<std::string> DescribeStore(const std::string& path) {
  Result<std::unique_ptr<Db>> opened = OpenDb(path, /*create=*/false);
  if (!opened) return std::unexpected(opened.error());
  Db& d = **opened;
  std::string out;
  Statement ensembles(d,
                      "SELECT id, created, scenario_name, scenario_file, "
                      "model, seed, perturbation, "
                      "runs_requested, status, (SELECT count(DISTINCT run) "
                      "FROM outcomes o WHERE "
                      "o.ensemble_id = e.id) FROM ensembles e ORDER BY id");
  if (!ensembles.ok()) return d.Fail("read the ensembles");
  int count = 0;
  while (ensembles.Step()) {
    ++count;
    const std::int64_t id = ensembles.Int(0);
    const std::string status = ensembles.Text(8);
    const std::int64_t stored = ensembles.Int(9);
    out +=
        fmt::format("Ensemble {}  ({}, {})\n", id, ensembles.Text(1), status);
    out += fmt::format("  scenario:     {}  ({})\n", ensembles.Text(2),
                       ensembles.Text(3));
    out += fmt::format("  model:        {}\n", ensembles.Text(4));
    out += fmt::format("  seed:         {}\n", ensembles.Text(5));
    const std::string perturbation = ensembles.Text(6);
    out += fmt::format("  perturbation: {}\n",
                       perturbation.empty() ? "none" : perturbation);
    out += fmt::format("  runs:         {} stored of {} requested\n", stored,
                       ensembles.Int(7));
    Statement inputs(d, "SELECT count(*) FROM inputs WHERE ensemble_id = ?");
    inputs.Bind(1, id);
    out += fmt::format("  inputs:       {} uncertain\n",
                       inputs.Step() ? inputs.Int(0) : 0);

    // Per issue: the stored summary, or one computed from the stored runs.
    std::map<std::int64_t, std::vector<double>> values;
    std::map<std::int64_t, double> agreed;
    bool from_runs = status != "complete" && status != "interrupted";
    if (from_runs && stored == 0) {
      // Killed before its first batch: nothing to summarise (quantiles of
      // no runs would print as nan).
      out += "  no runs committed\n\n";
      continue;
    }
    if (from_runs) {
      Statement rows(d,
                     "SELECT issue, outcome, agreement FROM outcomes WHERE "
                     "ensemble_id = ?");
      rows.Bind(1, id);
      while (rows.Step()) {
        values[rows.Int(0)].push_back(rows.Double(1));
        agreed[rows.Int(0)] += static_cast<double>(rows.Int(2));
      }
      out +=
          "  (no summary was written: the process stopped before the end; "
          "figures below are "
          "computed from the stored runs)\n";
    }
    out += fmt::format(
        "  {:<24} {:>11} {:>11} {:>11} {:>11} {:>11} {:>8}  {}\n", "issue",
        "5%", "25%", "median", "75%", "95%", "P(agree)", "unit");
    Statement issues(d,
                     "SELECT i.idx, i.id, i.unit, s.q05, s.q25, s.q50, s.q75, "
                     "s.q95, s.p_agreement "
                     "FROM issues i LEFT JOIN summaries s ON s.ensemble_id = "
                     "i.ensemble_id AND "
                     "s.issue = i.idx WHERE i.ensemble_id = ? ORDER BY i.idx");
    issues.Bind(1, id);
    while (issues.Step()) {
      double q[5];
      double p = 0;
      if (from_runs) {
        std::vector<double>& v = values[issues.Int(0)];
        std::sort(v.begin(), v.end());
        const double ps[5] = {0.05, 0.25, 0.5, 0.75, 0.95};
        for (int k = 0; k < 5; ++k) q[k] = Quantile(v, ps[k]);
        p = v.empty() ? std::nan("")
                      : agreed[issues.Int(0)] / static_cast<double>(v.size());
      } else {
        for (int k = 0; k < 5; ++k) q[k] = issues.Double(3 + k);
        p = issues.Double(8);
      }
      out += fmt::format(
          "  {:<24} {:>11.6g} {:>11.6g} {:>11.6g} {:>11.6g} {:>11.6g} {:>8.3f} "
          " {}\n",
          issues.Text(1), q[0], q[1], q[2], q[3], q[4], p, issues.Text(2));
    }
    out += "\n";
  }
  if (count == 0) out = fmt::format("{}: no ensembles stored\n", path);
  return out;
}

}  // namespace unionstate
