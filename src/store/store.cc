#include "unionstate/store.h"

#include <fmt/format.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string_view>

#include "unionstate/scenario_io.h"

#include "store/fault_vfs.h"

namespace unionstate {
namespace {

using json = nlohmann::json;

// docs/results-schema.md. Bump kSchemaVersion with any change.
constexpr int kSchemaVersion = 2;
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS ensembles (
  id             INTEGER PRIMARY KEY,
  created        TEXT NOT NULL,
  scenario_name  TEXT NOT NULL,
  scenario_file  TEXT NOT NULL,
  scenario_text  TEXT NOT NULL,
  input_format   TEXT NOT NULL,
  model          TEXT NOT NULL,
  seed           TEXT NOT NULL,
  perturbation   TEXT NOT NULL,
  runs_requested INTEGER NOT NULL,
  batch          INTEGER NOT NULL,
  shard          INTEGER NOT NULL,
  shards         INTEGER NOT NULL,
  store_draws    INTEGER NOT NULL,
  status         TEXT NOT NULL,
  writer_host    TEXT NOT NULL,
  writer_pid     INTEGER NOT NULL,
  writer_start   TEXT NOT NULL
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
CREATE TABLE IF NOT EXISTS batches (
  ensemble_id INTEGER NOT NULL REFERENCES ensembles(id),
  first_run   INTEGER NOT NULL,
  runs        INTEGER NOT NULL,
  outcomes    BLOB NOT NULL,
  agreement   BLOB NOT NULL,
  blocking    BLOB NOT NULL,
  draws       BLOB,
  PRIMARY KEY (ensemble_id, first_run)
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
  Statement(Db& db, const char* sql) {
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
  Statement& BindBlob(int k, const std::string& v) {
    sqlite3_bind_blob(stmt_, k, v.data(), static_cast<int>(v.size()),
                      SQLITE_TRANSIENT);
    return *this;
  }
  Statement& BindNull(int k) {
    sqlite3_bind_null(stmt_, k);
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
  bool IsNull(int k) const {
    return sqlite3_column_type(stmt_, k) == SQLITE_NULL;
  }
  std::string Blob(int k) const {
    const void* b = sqlite3_column_blob(stmt_, k);
    const int n = sqlite3_column_bytes(stmt_, k);
    return b == nullptr ? std::string()
                        : std::string(static_cast<const char*>(b),
                                      static_cast<size_t>(n));
  }
  std::string Text(int k) const {
    const unsigned char* t = sqlite3_column_text(stmt_, k);
    return t == nullptr ? std::string()
                        : std::string(reinterpret_cast<const char*>(t));
  }

 private:
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
  // --perturb's draws (docs/scenario-format.md): mean the value, this sd.
  if (in.shape == UncertainInput::Shape::kBeta)
    return {{"dist", "beta"}, {"sd", u.sd}, {"min", u.lower}, {"max", u.upper}};
  if (in.shape == UncertainInput::Shape::kLogNormal)
    return {{"dist", "lognormal"}, {"sd", u.sd}};
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

// Packed arrays (docs/results-schema.md, "batches"): little-endian IEEE
// doubles, bits from the lowest, and LEB128 unsigned varints.

void PutDouble(std::string& out, double x) {
  std::uint64_t bits = std::bit_cast<std::uint64_t>(x);
  for (int b = 0; b < 8; ++b) {
    out.push_back(static_cast<char>(bits & 0xff));
    bits >>= 8;
  }
}

double GetDouble(std::string_view in, size_t k) {
  std::uint64_t bits = 0;
  for (int b = 7; b >= 0; --b) {
    bits = (bits << 8) |
           static_cast<unsigned char>(in[k * 8 + static_cast<size_t>(b)]);
  }
  return std::bit_cast<double>(bits);
}

void PutVarint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

// Reads a varint at `pos`; false when the bytes end first.
bool GetVarint(std::string_view in, size_t& pos, std::uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64 && pos < in.size(); shift += 7) {
    const auto byte = static_cast<unsigned char>(in[pos++]);
    v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

struct PackedBatch {
  std::string outcomes, agreement, blocking, draws;
};

// `runs` are consecutive run numbers with `issues` outcomes each.
PackedBatch Pack(std::span<const RunRecord> runs, size_t issues,
                 bool with_draws) {
  PackedBatch p;
  p.outcomes.reserve(runs.size() * issues * 8);
  p.agreement.assign((runs.size() * issues + 7) / 8, '\0');
  std::vector<std::string> names;
  std::map<std::string, std::uint64_t, std::less<>> index;
  std::string entries;
  std::uint64_t count = 0;
  for (size_t j = 0; j < runs.size(); ++j) {
    const RunRecord& r = runs[j];
    for (size_t i = 0; i < issues; ++i) {
      const size_t cell = j * issues + i;
      PutDouble(p.outcomes, r.outcomes[i]);
      if (r.agreement[i] != 0)
        p.agreement[cell / 8] =
            static_cast<char>(p.agreement[cell / 8] | (1 << (cell % 8)));
      for (const std::string& who : r.blocking[i]) {
        auto [it, added] = index.emplace(who, names.size());
        if (added) names.push_back(who);
        PutVarint(entries, cell);
        PutVarint(entries, it->second);
        ++count;
      }
    }
    if (with_draws) {
      for (double x : r.inputs) PutDouble(p.draws, x);
    }
  }
  PutVarint(p.blocking, names.size());
  for (const std::string& name : names) {
    PutVarint(p.blocking, name.size());
    p.blocking += name;
  }
  PutVarint(p.blocking, count);
  p.blocking += entries;
  return p;
}

// Appends the runs of one stored batch to `out`; false when its arrays do
// not have the sizes the row says.
bool Unpack(std::uint64_t first, size_t runs, size_t issues, size_t inputs,
            const PackedBatch& p, bool has_draws, std::vector<RunRecord>& out) {
  if (p.outcomes.size() != runs * issues * 8 ||
      p.agreement.size() != (runs * issues + 7) / 8 ||
      (has_draws && p.draws.size() != runs * inputs * 8)) {
    return false;
  }
  const size_t base = out.size();
  for (size_t j = 0; j < runs; ++j) {
    RunRecord r;
    r.run = first + j;
    r.outcomes.resize(issues);
    r.agreement.resize(issues);
    r.blocking.resize(issues);
    for (size_t i = 0; i < issues; ++i) {
      const size_t cell = j * issues + i;
      r.outcomes[i] = GetDouble(p.outcomes, cell);
      r.agreement[i] = static_cast<char>(
          (static_cast<unsigned char>(p.agreement[cell / 8]) >> (cell % 8)) &
          1);
    }
    if (has_draws) {
      r.inputs.resize(inputs);
      for (size_t k = 0; k < inputs; ++k)
        r.inputs[k] = GetDouble(p.draws, j * inputs + k);
    }
    out.push_back(std::move(r));
  }
  std::string_view b = p.blocking;
  size_t pos = 0;
  std::uint64_t n = 0;
  if (!GetVarint(b, pos, n) || n > b.size()) return false;
  std::vector<std::string> names(n);
  for (std::string& name : names) {
    std::uint64_t length = 0;
    if (!GetVarint(b, pos, length) || length > b.size() - pos) return false;
    name.assign(b.substr(pos, length));
    pos += length;
  }
  std::uint64_t count = 0;
  if (!GetVarint(b, pos, count)) return false;
  for (std::uint64_t e = 0; e < count; ++e) {
    std::uint64_t cell = 0;
    std::uint64_t name = 0;
    if (!GetVarint(b, pos, cell) || !GetVarint(b, pos, name) ||
        cell >= runs * issues || name >= names.size()) {
      return false;
    }
    out[base + cell / issues].blocking[cell % issues].push_back(names[name]);
  }
  return pos == b.size();
}

// Who writes an ensemble: host name, process id, and the process's start
// (boot id and start time in clock ticks, from /proc), so that a reused
// process id is not taken for the writer.
struct Writer {
  std::string host;
  std::int64_t pid = 0;
  std::string start;
};

std::string ReadSmallFile(const std::string& path) {
  std::ifstream in(path);
  std::string text;
  std::getline(in, text);
  return text;
}

// "" when the process does not exist (or /proc cannot tell).
std::string StartOf(std::int64_t pid) {
  const std::string stat = ReadSmallFile(fmt::format("/proc/{}/stat", pid));
  // The command name (field 2) may hold spaces and parentheses: count the
  // fields after its last ')'. Field 22 is the start time.
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return "";
  std::istringstream fields(stat.substr(close + 1));
  std::string field;
  for (int k = 3; k <= 22; ++k) {
    if (!(fields >> field)) return "";
  }
  return ReadSmallFile("/proc/sys/kernel/random/boot_id") + ":" + field;
}

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "";
  return name;
}

Writer ThisProcess() {
  const auto pid = static_cast<std::int64_t>(getpid());
  return {HostName(), pid, StartOf(pid)};
}

StoredEnsemble::Writer CheckWriter(const std::string& status, const Writer& w) {
  using W = StoredEnsemble::Writer;
  if (status != "running") return W::kDone;
  if (w.host != HostName()) return W::kUnknown;
  if (w.start.empty()) {
    // Written where /proc could not tell the start time: the pid alone.
    return kill(static_cast<pid_t>(w.pid), 0) == 0 || errno == EPERM ? W::kAlive
                                                                     : W::kGone;
  }
  return StartOf(w.pid) == w.start ? W::kAlive : W::kGone;
}

Result<std::vector<StoredEnsemble>> List(Db& d) {
  Statement rows(d,
                 "SELECT id, created, scenario_name, scenario_file, "
                 "scenario_text, input_format, model, seed, perturbation, "
                 "runs_requested, batch, shard, shards, store_draws, status, "
                 "writer_host, writer_pid, writer_start, "
                 "(SELECT coalesce(sum(runs), 0) FROM batches b "
                 "WHERE b.ensemble_id = e.id) FROM ensembles e ORDER BY id");
  if (!rows.ok()) return d.Fail("read the ensembles");
  std::vector<StoredEnsemble> out;
  while (rows.Step()) {
    StoredEnsemble e;
    e.id = rows.Int(0);
    e.created = rows.Text(1);
    e.scenario_name = rows.Text(2);
    e.header.scenario_file = rows.Text(3);
    e.header.scenario_text = rows.Text(4);
    e.header.input_format = rows.Text(5);
    e.header.model = rows.Text(6);
    e.header.seed = std::strtoull(rows.Text(7).c_str(), nullptr, 10);
    e.header.perturbation = rows.Text(8);
    e.header.runs_requested = rows.Int(9);
    e.header.batch = rows.Int(10);
    e.header.shard = rows.Int(11);
    e.header.shards = rows.Int(12);
    e.header.store_draws = rows.Int(13) != 0;
    e.status = rows.Text(14);
    e.writer_host = rows.Text(15);
    e.writer_pid = rows.Int(16);
    e.writer =
        CheckWriter(e.status, {e.writer_host, e.writer_pid, rows.Text(17)});
    e.runs_stored = rows.Int(18);
    out.push_back(std::move(e));
  }
  return out;
}

// The runs stored for `ensemble` whose stored batch starts in [first, end),
// in run order, one stored batch at a time: `each` gets the batch's runs
// (drawn inputs as stored; none when not stored) and may stop the reading by
// failing. Only one batch is held at a time, whatever the number of runs.
Result<void> StreamBatches(
    Db& d, std::int64_t ensemble, std::int64_t first, std::int64_t end,
    const std::function<Result<void>(std::vector<RunRecord>&)>& each) {
  Statement counts(d,
                   "SELECT (SELECT count(*) FROM issues WHERE ensemble_id = "
                   "?1), (SELECT count(*) FROM inputs WHERE ensemble_id = ?1)");
  if (!counts.ok()) return d.Fail("read the ensemble");
  counts.Bind(1, ensemble);
  if (!counts.Step()) return d.Fail("read the ensemble");
  const auto issues = static_cast<size_t>(counts.Int(0));
  const auto inputs = static_cast<size_t>(counts.Int(1));
  Statement rows(d,
                 "SELECT first_run, runs, outcomes, agreement, blocking, "
                 "draws FROM batches WHERE ensemble_id = ? AND first_run >= ? "
                 "AND first_run < ? ORDER BY first_run");
  if (!rows.ok()) return d.Fail("read the runs");
  rows.Bind(1, ensemble).Bind(2, first).Bind(3, end);
  std::vector<RunRecord> batch;
  while (rows.Step()) {
    const std::int64_t at = rows.Int(0);
    const std::int64_t runs = rows.Int(1);
    PackedBatch p{rows.Blob(2), rows.Blob(3), rows.Blob(4), rows.Blob(5)};
    batch.clear();
    if (at < 0 || runs < 1 || issues == 0 ||
        !Unpack(static_cast<std::uint64_t>(at), static_cast<size_t>(runs),
                issues, inputs, p, !rows.IsNull(5), batch)) {
      return InvalidInput(
          {d.path(), 0, 0},
          fmt::format("the stored batch of ensemble {} from run {} is "
                      "damaged; expected {} runs of {} issues "
                      "(docs/results-schema.md)",
                      ensemble, at, runs, issues));
    }
    if (Result<void> taken = each(batch); !taken) return taken;
  }
  return {};
}

// Every run stored for `ensemble`, in run order, drawn inputs as stored.
Result<std::vector<RunRecord>> ReadBatches(Db& d, std::int64_t ensemble) {
  std::vector<RunRecord> out;
  Result<void> read =
      StreamBatches(d, ensemble, 0, std::numeric_limits<std::int64_t>::max(),
                    [&](std::vector<RunRecord>& batch) -> Result<void> {
                      for (RunRecord& r : batch) out.push_back(std::move(r));
                      return {};
                    });
  if (!read) return std::unexpected(read.error());
  return out;
}

}  // namespace

struct ResultStore::Impl {
  std::unique_ptr<Db> db;
  std::map<std::int64_t, bool> store_draws;  // per ensemble begun or claimed
};

ResultStore::ResultStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ResultStore::~ResultStore() = default;

namespace {

Result<std::unique_ptr<Db>> OpenForWriting(const std::string& path) {
  Result<std::unique_ptr<Db>> db = OpenDb(path, /*create=*/true);
  if (!db) return std::unexpected(db.error());
  Db& d = **db;
  if (auto r = d.Exec("PRAGMA journal_mode=WAL", "switch to WAL"); !r)
    return std::unexpected(r.error());
  // FULL: every commit syncs the WAL, so a committed batch is on the disk
  // when AddRuns returns, and a failing fsync fails that batch's commit,
  // which the ensemble reports (with NORMAL SQLite would sync only at a
  // checkpoint, and a refused sync there reached nobody). One fsync per
  // batch of 256 runs: about 0.4 ms on this machine's disk.
  if (auto r = d.Exec("PRAGMA synchronous=FULL", "set synchronous"); !r) {
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
  return db;
}

}  // namespace

Result<std::unique_ptr<ResultStore>> ResultStore::Open(
    const std::string& path) {
  Result<std::unique_ptr<Db>> db = OpenForWriting(path);
  if (!db) return std::unexpected(db.error());
  auto impl = std::make_unique<Impl>();
  impl->db = std::move(*db);
  return std::unique_ptr<ResultStore>(new ResultStore(std::move(impl)));
}

Result<std::unique_ptr<ResultStore>> ResultStore::OpenExisting(
    const std::string& path) {
  if (access(path.c_str(), F_OK) != 0) {
    return InvalidInput({path, 0, 0},
                        "no such file; expected a unionstate results "
                        "database written by `unionstate ensemble --store`");
  }
  {
    // A file that is not a results database is refused before anything
    // is written to it.
    Result<std::unique_ptr<Db>> check = OpenDb(path, /*create=*/false);
    if (!check) return std::unexpected(check.error());
  }
  return Open(path);
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
  const Writer me = ThisProcess();
  Statement ensemble(
      d,
      "INSERT INTO ensembles (created, scenario_name, scenario_file, "
      "scenario_text, input_format, model, seed, perturbation, "
      "runs_requested, batch, shard, shards, store_draws, status, "
      "writer_host, writer_pid, writer_start) VALUES (?, ?, ?, ?, ?, ?, ?, "
      "?, ?, ?, ?, ?, ?, 'running', ?, ?, ?)");
  if (!ensemble.ok()) return rollback("prepare the ensemble record");
  ensemble.Bind(1, Now())
      .Bind(2, scenario.name)
      .Bind(3, header.scenario_file)
      .Bind(4, header.scenario_text)
      .Bind(5, header.input_format)
      .Bind(6, header.model)
      .Bind(7, std::to_string(header.seed))
      .Bind(8, header.perturbation);
  ensemble.Bind(9, header.runs_requested)
      .Bind(10, header.batch)
      .Bind(11, header.shard)
      .Bind(12, header.shards)
      .Bind(13, std::int64_t{header.store_draws ? 1 : 0});
  ensemble.Bind(14, me.host).Bind(15, me.pid).Bind(16, me.start);
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
  impl_->store_draws[id] = header.store_draws;
  return id;
}

Result<void> ResultStore::AddRuns(std::int64_t ensemble,
                                  std::span<const RunRecord> runs) {
  Db& d = *impl_->db;
  const bool with_draws = impl_->store_draws[ensemble];
  if (auto r = d.Exec("BEGIN", "begin a batch"); !r) return r;
  auto rollback = [&](const std::string& doing) {
    std::unexpected<Error> e = d.Fail(doing);
    sqlite3_exec(d.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    return e;
  };
  {
    Statement row(d, "INSERT INTO batches VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!row.ok()) return rollback("prepare a batch");
    // One row per stretch of consecutive run numbers.
    for (size_t begin = 0; begin < runs.size();) {
      size_t end = begin + 1;
      while (end < runs.size() && runs[end].run == runs[end - 1].run + 1) ++end;
      const std::span<const RunRecord> part = runs.subspan(begin, end - begin);
      const PackedBatch p =
          Pack(part, part.front().outcomes.size(), with_draws);
      const auto first = static_cast<std::int64_t>(part.front().run);
      row.Bind(1, ensemble)
          .Bind(2, first)
          .Bind(3, static_cast<std::int64_t>(part.size()));
      row.BindBlob(4, p.outcomes)
          .BindBlob(5, p.agreement)
          .BindBlob(6, p.blocking);
      if (with_draws) {
        row.BindBlob(7, p.draws);
      } else {
        row.BindNull(7);
      }
      if (!row.Run())
        return rollback(fmt::format("write the runs from run {}", first));
      begin = end;
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

Result<std::vector<StoredEnsemble>> ResultStore::Ensembles() {
  return List(*impl_->db);
}

Result<void> ResultStore::Claim(std::int64_t ensemble) {
  Db& d = *impl_->db;
  // BEGIN IMMEDIATE takes the write lock first: two processes claiming at
  // once cannot both see the writer gone.
  if (auto r = d.Exec("BEGIN IMMEDIATE", "begin"); !r) return r;
  auto rollback = [&](std::unexpected<Error> e) {
    sqlite3_exec(d.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    return e;
  };
  Result<std::vector<StoredEnsemble>> all = List(d);
  if (!all) return rollback(std::unexpected(all.error()));
  const auto it = std::ranges::find(*all, ensemble, &StoredEnsemble::id);
  if (it == all->end()) {
    return rollback(InvalidArgument(
        fmt::format("{}: there is no ensemble {}", d.path(), ensemble)));
  }
  if (it->writer == StoredEnsemble::Writer::kAlive ||
      it->writer == StoredEnsemble::Writer::kUnknown) {
    return rollback(InvalidArgument(fmt::format(
        "{}: ensemble {} is being written by process {} on {}{}; expected "
        "one whose process is gone",
        d.path(), ensemble, it->writer_pid, it->writer_host,
        it->writer == StoredEnsemble::Writer::kUnknown
            ? " (another host: resume it there once it is gone)"
            : "")));
  }
  const Writer me = ThisProcess();
  Statement claim(d,
                  "UPDATE ensembles SET status = 'running', writer_host = ?, "
                  "writer_pid = ?, writer_start = ? WHERE id = ?");
  Statement clear(d, "DELETE FROM summaries WHERE ensemble_id = ?");
  if (!claim.ok() || !clear.ok()) return rollback(d.Fail("claim the ensemble"));
  claim.Bind(1, me.host).Bind(2, me.pid).Bind(3, me.start).Bind(4, ensemble);
  clear.Bind(1, ensemble);
  if (!claim.Run() || !clear.Run())
    return rollback(d.Fail("claim the ensemble"));
  if (sqlite3_exec(d.get(), "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK)
    return rollback(d.Fail("commit the claim"));
  impl_->store_draws[ensemble] = it->header.store_draws;
  return {};
}

Result<std::vector<RunRecord>> ResultStore::ReadRuns(std::int64_t ensemble,
                                                     const EnsemblePlan* plan) {
  Db& d = *impl_->db;
  Result<std::vector<RunRecord>> runs = ReadBatches(d, ensemble);
  if (!runs || plan == nullptr || runs->empty() ||
      !runs->front().inputs.empty())
    return runs;
  Statement seed(d, "SELECT seed FROM ensembles WHERE id = ?");
  if (!seed.ok()) return d.Fail("read the seed");
  seed.Bind(1, ensemble);
  if (!seed.Step()) return d.Fail("read the seed");
  const std::uint64_t s = std::strtoull(seed.Text(0).c_str(), nullptr, 10);
  std::vector<std::uint64_t> numbers;
  numbers.reserve(runs->size());
  for (const RunRecord& r : *runs) numbers.push_back(r.run);
  std::vector<std::vector<double>> drawn = DrawInputs(*plan, s, numbers);
  for (size_t j = 0; j < runs->size(); ++j)
    (*runs)[j].inputs = std::move(drawn[j]);
  return runs;
}

Result<void> ResultStore::ForEachStoredBatch(
    std::int64_t ensemble, const EnsemblePlan* plan, std::int64_t first,
    std::int64_t end,
    const std::function<Result<void>(std::span<const RunRecord>)>& each) {
  Db& d = *impl_->db;
  std::optional<std::uint64_t> seed;
  std::vector<std::uint64_t> numbers;
  return StreamBatches(
      d, ensemble, first, end,
      [&](std::vector<RunRecord>& batch) -> Result<void> {
        if (plan != nullptr && batch.front().inputs.empty()) {
          // Not stored: drawn again from (seed, run), this batch's only.
          if (!seed) {
            Statement row(d, "SELECT seed FROM ensembles WHERE id = ?");
            if (!row.ok()) return d.Fail("read the seed");
            row.Bind(1, ensemble);
            if (!row.Step()) return d.Fail("read the seed");
            seed = std::strtoull(row.Text(0).c_str(), nullptr, 10);
          }
          numbers.clear();
          for (const RunRecord& r : batch) numbers.push_back(r.run);
          std::vector<std::vector<double>> drawn =
              DrawInputs(*plan, *seed, numbers);
          for (size_t j = 0; j < batch.size(); ++j)
            batch[j].inputs = std::move(drawn[j]);
        }
        return each(batch);
      });
}

Result<std::vector<std::pair<std::int64_t, std::int64_t>>>
ResultStore::StoredStretches(std::int64_t ensemble) {
  Db& d = *impl_->db;
  Statement rows(d,
                 "SELECT first_run, runs FROM batches WHERE ensemble_id = ? "
                 "ORDER BY first_run");
  if (!rows.ok()) return d.Fail("read the stored runs");
  rows.Bind(1, ensemble);
  std::vector<std::pair<std::int64_t, std::int64_t>> out;
  while (rows.Step()) {
    const std::int64_t first = rows.Int(0);
    const std::int64_t end = first + rows.Int(1);
    if (!out.empty() && out.back().second == first) {
      out.back().second = end;
    } else {
      out.emplace_back(first, end);
    }
  }
  return out;
}

Result<Scenario> StoredScenario(const EnsembleHeader& header) {
  LoadOptions options;
  if (!header.input_format.empty())
    options.format = ParseInputFormat(header.input_format);
  std::string file = header.scenario_file;
  if (file.starts_with("builtin:")) file = file.substr(8);
  return ParseScenario(header.scenario_text, file, options);
}

bool StoredScenarioGivesPlan(const EnsembleHeader& header,
                             const EnsemblePlan& plan) {
  Result<Scenario> again = StoredScenario(header);
  if (!again) return false;
  Result<Perturbation> perturbation = ParsePerturbation(header.perturbation);
  if (!perturbation) return false;
  const EnsemblePlan replanned = PlanEnsemble(*again, *perturbation);
  if (replanned.inputs.size() != plan.inputs.size()) return false;
  for (size_t k = 0; k < plan.inputs.size(); ++k) {
    if (replanned.inputs[k].name != plan.inputs[k].name ||
        replanned.inputs[k].value != plan.inputs[k].value)
      return false;
  }
  return true;
}

Result<std::vector<ShownEnsemble>> ReadStore(const std::string& path) {
  Result<std::unique_ptr<Db>> opened = OpenDb(path, /*create=*/false);
  if (!opened) return std::unexpected(opened.error());
  Db& d = **opened;
  Result<std::vector<StoredEnsemble>> ensembles = List(d);
  if (!ensembles) return std::unexpected(ensembles.error());
  std::vector<ShownEnsemble> out;
  for (const StoredEnsemble& stored : *ensembles) {
    ShownEnsemble e;
    e.stored = stored;
    const std::int64_t id = stored.id;
    Statement inputs(d, "SELECT count(*) FROM inputs WHERE ensemble_id = ?");
    inputs.Bind(1, id);
    e.uncertain_inputs = inputs.Step() ? inputs.Int(0) : 0;

    // Per issue: the stored summary, or one computed from the stored runs.
    std::map<std::int64_t, std::vector<double>> values;
    std::map<std::int64_t, double> agreed;
    std::map<std::int64_t, std::map<std::string, double>> blocked;
    e.from_runs =
        stored.status != "complete" && stored.status != "interrupted";
    if (e.from_runs) {
      // Batch by batch: the outcomes are kept (exact quantiles), the runs'
      // other fields are not.
      Result<void> read = StreamBatches(
          d, id, 0, std::numeric_limits<std::int64_t>::max(),
          [&](std::vector<RunRecord>& batch) -> Result<void> {
            for (const RunRecord& r : batch) {
              for (size_t i = 0; i < r.outcomes.size(); ++i) {
                const auto issue = static_cast<std::int64_t>(i);
                values[issue].push_back(r.outcomes[i]);
                agreed[issue] += static_cast<double>(r.agreement[i]);
                if (i < r.blocking.size()) {
                  for (const std::string& who : r.blocking[i])
                    blocked[issue][who] += 1;
                }
              }
            }
            return {};
          });
      if (!read) return std::unexpected(read.error());
    }
    Statement issues(d,
                     "SELECT i.idx, i.id, i.unit, s.q05, s.q25, s.q50, s.q75, "
                     "s.q95, s.p_agreement, s.p_blocking "
                     "FROM issues i LEFT JOIN summaries s ON s.ensemble_id = "
                     "i.ensemble_id AND "
                     "s.issue = i.idx WHERE i.ensemble_id = ? ORDER BY i.idx");
    issues.Bind(1, id);
    while (issues.Step()) {
      ShownIssue issue;
      issue.id = issues.Text(1);
      issue.unit = issues.Text(2);
      if (e.from_runs) {
        std::vector<double>& v = values[issues.Int(0)];
        std::sort(v.begin(), v.end());
        const double ps[5] = {0.05, 0.25, 0.5, 0.75, 0.95};
        for (int k = 0; k < 5; ++k) issue.quantiles[k] = Quantile(v, ps[k]);
        const double n = static_cast<double>(v.size());
        issue.p_agreement =
            v.empty() ? std::nan("") : agreed[issues.Int(0)] / n;
        for (const auto& [who, count] : blocked[issues.Int(0)])
          issue.p_blocking.emplace_back(who, count / n);
      } else {
        for (int k = 0; k < 5; ++k) issue.quantiles[k] = issues.Double(3 + k);
        issue.p_agreement = issues.Double(8);
        json shares = json::parse(issues.Text(9), nullptr, false);
        if (shares.is_object()) {
          for (auto it = shares.begin(); it != shares.end(); ++it) {
            if (it.value().is_number())
              issue.p_blocking.emplace_back(it.key(), it.value().get<double>());
          }
        }
      }
      // The most frequent blocker first; ties by id (the maps are sorted).
      std::stable_sort(
          issue.p_blocking.begin(), issue.p_blocking.end(),
          [](const auto& x, const auto& y) { return x.second > y.second; });
      e.issues.push_back(std::move(issue));
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::string DescribeStore(const std::string& path,
                          const std::vector<ShownEnsemble>& ensembles) {
  std::string out;
  for (const ShownEnsemble& shown : ensembles) {
    const StoredEnsemble& e = shown.stored;
    out += fmt::format("Ensemble {}  ({}, {})\n", e.id, e.created,
                       e.EffectiveStatus());
    out += fmt::format("  scenario:     {}  ({})\n", e.scenario_name,
                       e.header.scenario_file);
    out += fmt::format("  model:        {}\n", e.header.model);
    out += fmt::format("  seed:         {}\n", e.header.seed);
    out += fmt::format("  perturbation: {}\n", e.header.perturbation.empty()
                                                   ? "none"
                                                   : e.header.perturbation);
    out += fmt::format("  runs:         {} stored of {} requested\n",
                       e.runs_stored, e.header.runs_requested);
    if (e.header.shards > 0) {
      out += fmt::format("  shard:        {} of {}\n", e.header.shard,
                         e.header.shards);
    }
    out += fmt::format("  inputs:       {} uncertain\n",
                       shown.uncertain_inputs);
    switch (e.writer) {
      case StoredEnsemble::Writer::kGone:
        out += fmt::format(
            "  writer:       process {} on {} is gone; `unionstate ensemble "
            "--resume {}` continues it\n",
            e.writer_pid, e.writer_host, path);
        break;
      case StoredEnsemble::Writer::kAlive:
        out +=
            fmt::format("  writer:       process {} (running)\n", e.writer_pid);
        break;
      case StoredEnsemble::Writer::kUnknown:
        out += fmt::format(
            "  writer:       process {} on {} (another host; not checked)\n",
            e.writer_pid, e.writer_host);
        break;
      case StoredEnsemble::Writer::kDone:
        break;
    }
    if (shown.from_runs && e.runs_stored == 0) {
      // Killed before its first batch: nothing to summarise (quantiles of
      // no runs would print as nan).
      out += "  no runs committed\n\n";
      continue;
    }
    if (shown.from_runs) {
      out +=
          "  (no summary was written: the process stopped before the end; "
          "figures below are "
          "computed from the stored runs)\n";
    }
    out += fmt::format(
        "  {:<24} {:>11} {:>11} {:>11} {:>11} {:>11} {:>8}  {}\n", "issue",
        "5%", "25%", "median", "75%", "95%", "P(agree)", "unit");
    for (const ShownIssue& issue : shown.issues) {
      const double* q = issue.quantiles;
      out += fmt::format(
          "  {:<24} {:>11.6g} {:>11.6g} {:>11.6g} {:>11.6g} {:>11.6g} {:>8.3f} "
          " {}\n",
          issue.id, q[0], q[1], q[2], q[3], q[4], issue.p_agreement,
          issue.unit);
      std::string blockers;
      for (const auto& [who, p] : issue.p_blocking) {
        blockers += fmt::format("{}{} ({:.1f} % of runs)",
                                blockers.empty() ? "" : ", ", who, 100 * p);
      }
      if (!blockers.empty()) out += "    blocked by: " + blockers + "\n";
    }
    out += "\n";
  }
  if (ensembles.empty()) out = fmt::format("{}: no ensembles stored\n", path);
  return out;
}

Result<std::string> DescribeStore(const std::string& path) {
  Result<std::vector<ShownEnsemble>> ensembles = ReadStore(path);
  if (!ensembles) return std::unexpected(ensembles.error());
  return DescribeStore(path, *ensembles);
}

std::string ShownEnsemblesToJson(const std::vector<ShownEnsemble>& ensembles) {
  using ordered = nlohmann::ordered_json;
  auto number = [](double x) { return std::isnan(x) ? ordered() : ordered(x); };
  ordered out = ordered::array();
  for (const ShownEnsemble& shown : ensembles) {
    const StoredEnsemble& e = shown.stored;
    ordered entry;
    entry["id"] = e.id;
    entry["created"] = e.created;
    entry["status"] = e.EffectiveStatus();
    entry["scenario"] = e.scenario_name;
    entry["scenario_file"] = e.header.scenario_file;
    entry["model"] = e.header.model;
    entry["seed"] = std::to_string(e.header.seed);
    entry["perturbation"] = e.header.perturbation;
    entry["runs_requested"] = e.header.runs_requested;
    entry["runs_stored"] = e.runs_stored;
    entry["uncertain_inputs"] = shown.uncertain_inputs;
    entry["summary_from_runs"] = shown.from_runs;
    ordered issues = ordered::array();
    for (const ShownIssue& issue : shown.issues) {
      ordered i;
      i["id"] = issue.id;
      i["unit"] = issue.unit;
      i["q05"] = number(issue.quantiles[0]);
      i["q25"] = number(issue.quantiles[1]);
      i["q50"] = number(issue.quantiles[2]);
      i["q75"] = number(issue.quantiles[3]);
      i["q95"] = number(issue.quantiles[4]);
      i["p_agreement"] = number(issue.p_agreement);
      ordered blocking = ordered::object();
      for (const auto& [who, p] : issue.p_blocking) blocking[who] = p;
      i["p_blocking"] = std::move(blocking);
      issues.push_back(std::move(i));
    }
    entry["issues"] = std::move(issues);
    out.push_back(std::move(entry));
  }
  return out.dump(2) + "\n";
}

}  // namespace unionstate
