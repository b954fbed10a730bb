// `unionstate ensemble` and `unionstate show` as a user runs them: thread and
// rank counts that change nothing, bad arguments, and a process killed or
// interrupted midway.

#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/test_support.h"
#include "unionstate/ensemble.h"
#include "unionstate/scenario_io.h"
#include "unionstate/store.h"

namespace unionstate {
namespace {

using json = nlohmann::json;
using testing::RunShell;
using testing::RunUnionstate;

std::string TempPath(const std::string& name) {
  std::string path = ::testing::TempDir() + "unionstate_ens_" +
                     std::to_string(getpid()) + "_" + name;
  for (const char* suffix : {"", "-wal", "-shm"})
    std::remove((path + suffix).c_str());
  return path;
}

std::int64_t Count(const std::string& path, const std::string& sql) {
  return testing::SqlInt(path, sql);
}
std::string Text(const std::string& path, const std::string& sql) {
  return testing::SqlText(path, sql).value_or("<unreadable>");
}

// Starts `unionstate ARGS...` with stdout to `out`; returns its pid.
pid_t Start(const std::vector<std::string>& args, const std::string& out) {
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 2);
    std::vector<char*> argv;
    std::string binary = testing::UnionstateBinary();
    argv.push_back(binary.data());
    std::vector<std::string> copy = args;
    for (std::string& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

// Starts a shell command line in its own process group; returns its pid.
pid_t StartShell(const std::string& command) {
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

// Waits until the database holds at least `runs` runs (or 60 s pass).
bool WaitForRuns(const std::string& db, std::int64_t runs) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    if (Count(db, "SELECT coalesce(sum(runs), 0) FROM batches") >= runs)
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

TEST(EnsembleCli, ThreadCountChangesNoNumber) {
  const std::string args =
      "ensemble --runs 120 --perturb positions=10,saliences=0.05 "
      "--model nash --quiet --seed ";
  testing::CommandResult one = RunUnionstate(args + "9 --threads 1");
  testing::CommandResult two = RunUnionstate(args + "9 --threads 2 --batch 7");
  ASSERT_EQ(one.exit_code, 0) << one.err;
  ASSERT_EQ(two.exit_code, 0) << two.err;
  EXPECT_EQ(one.out, two.out);
  json out = json::parse(one.out);
  EXPECT_EQ(out["runs"], 120);
  EXPECT_EQ(out["model"], "nash(veto=true)");
  EXPECT_EQ(out["perturbation"], "positions=10,saliences=0.05");
  EXPECT_EQ(out["issues"][0]["id"], "gas_price");
  const json& q = out["issues"][0]["quantiles"];
  EXPECT_LE(q["5"].get<double>(), q["50"].get<double>());
  EXPECT_LE(q["50"].get<double>(), q["95"].get<double>());
  testing::CommandResult other = RunUnionstate(args + "10");
  EXPECT_NE(json::parse(other.out)["issues"][0]["quantiles"], q);
  // No progress bar when stderr is not a terminal, even without --quiet.
  testing::CommandResult plain =
      RunUnionstate("ensemble --runs 20 --perturb positions=5");
  EXPECT_EQ(plain.exit_code, 0);
  EXPECT_EQ(plain.err, "");
}

// On a terminal (a pseudo-terminal from util-linux's `script`) the bar is
// drawn on stderr; --quiet silences it.
TEST(EnsembleCli, ProgressBarOnlyOnATerminal) {
  if (RunShell("command -v script").exit_code != 0)
    GTEST_SKIP() << "no `script` program";
  const std::string out = TempPath("tty.json");
  const std::string command =
      "script -qec \"'" + testing::UnionstateBinary() +
      "' ensemble --runs 300 --perturb positions=5 -o '" + out +
      "'{}\" /dev/null";
  testing::CommandResult bar = RunShell(fmt::format(fmt::runtime(command), ""));
  ASSERT_EQ(bar.exit_code, 0) << bar.err;
  EXPECT_NE(bar.out.find("] 300/300 runs"), std::string::npos) << bar.out;
  EXPECT_NE(bar.out.find("runs/s"), std::string::npos);
  EXPECT_EQ(json::parse(testing::ReadText(out))["runs"], 300);
  testing::CommandResult quiet =
      RunShell(fmt::format(fmt::runtime(command), " --quiet"));
  ASSERT_EQ(quiet.exit_code, 0);
  EXPECT_EQ(quiet.out.find("runs/s"), std::string::npos) << quiet.out;
}

TEST(EnsembleCli, BadArgumentsExitTwoAndSayWhatWasExpected) {
  testing::CommandResult r = RunUnionstate("ensemble --perturb opinions=3");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("expected positions=PERCENT_OF_SCALE"),
            std::string::npos)
      << r.err;
  r = RunUnionstate("ensemble --runs 0");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "unionstate: --runs 0; expected at least 1\n");
  r = RunUnionstate("ensemble --model nosuch");
  EXPECT_EQ(r.exit_code, 2);
  r = RunUnionstate("ensemble '" +
                    testing::SourcePath("tests/data/bad/bad_uncertainty.toml") +
                    "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad_uncertainty.toml:18:12: the normal distribution of "
                       "position has sd "
                       "-3; expected a positive number"),
            std::string::npos)
      << r.err;
  const std::string notdb = TempPath("notdb.txt");
  RunShell("echo hello > '" + notdb + "'");
  r = RunUnionstate("ensemble --runs 5 --perturb positions=5 --store '" +
                    notdb + "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(notdb + ": is not an SQLite database"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.out, "");
  r = RunUnionstate("show '" + notdb + "'");
  EXPECT_EQ(r.exit_code, 2);
  r = RunUnionstate("show '" + TempPath("missing.db") + "'");
  EXPECT_EQ(r.exit_code, 2);
}

TEST(EnsembleCli, StoreThenShow) {
  const std::string db = TempPath("store.db");
  testing::CommandResult r = RunUnionstate(
      "ensemble --runs 50 --batch 20 --seed 2 --perturb positions=10 --format "
      "table --store '" +
      db + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Runs:     50 of 50"), std::string::npos) << r.out;
  EXPECT_EQ(Count(db, "SELECT sum(runs) FROM batches"), 50);
  EXPECT_EQ(Text(db, "SELECT status FROM ensembles"), "complete");
  EXPECT_EQ(Text(db, "SELECT scenario_file FROM ensembles"),
            "builtin:scenarios/union-state/2021-09.toml");
  testing::CommandResult show = RunUnionstate("show '" + db + "'");
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("runs:         50 stored of 50 requested"),
            std::string::npos)
      << show.out;
  EXPECT_NE(show.out.find("perturbation: positions=10"), std::string::npos);
  // A second ensemble goes into the same file.
  ASSERT_EQ(RunUnionstate(
                "ensemble --runs 10 --quiet --perturb saliences=0.1 --store '" +
                db + "'")
                .exit_code,
            0);
  EXPECT_EQ(Count(db, "SELECT count(*) FROM ensembles"), 2);
}

// Every run's outcomes as stored, decoded, in run order.
std::vector<RunRecord> StoredRuns(const std::string& db) {
  Result<std::unique_ptr<ResultStore>> store = ResultStore::OpenExisting(db);
  EXPECT_TRUE(store.has_value()) << store.error().ToString();
  if (!store) return {};
  Result<std::vector<StoredEnsemble>> all = (*store)->Ensembles();
  EXPECT_TRUE(all.has_value() && !all->empty());
  if (!all || all->empty()) return {};
  Result<std::vector<RunRecord>> runs = (*store)->ReadRuns(all->back().id);
  EXPECT_TRUE(runs.has_value()) << runs.error().ToString();
  return runs ? *runs : std::vector<RunRecord>{};
}

void ExpectSameRuns(const std::vector<RunRecord>& a,
                    const std::vector<RunRecord>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t j = 0; j < a.size(); ++j) {
    ASSERT_EQ(a[j].run, b[j].run);
    ASSERT_EQ(a[j].outcomes, b[j].outcomes) << "run " << a[j].run;
    ASSERT_EQ(a[j].agreement, b[j].agreement) << "run " << a[j].run;
    ASSERT_EQ(a[j].blocking, b[j].blocking) << "run " << a[j].run;
    ASSERT_EQ(a[j].inputs, b[j].inputs) << "run " << a[j].run;
  }
}

// The batches exactly as stored (blobs in hex), for byte equality.
std::string Batches(const std::string& db) {
  return Text(db,
              "SELECT group_concat(first_run || ':' || runs || ':' || "
              "hex(outcomes) || ':' || hex(agreement) || ':' || "
              "hex(blocking) || ':' || coalesce(hex(draws), '-'), ';') FROM "
              "(SELECT * FROM batches ORDER BY first_run)");
}

// Issue 18, item 5: `show` reports who blocked, in the table and in JSON,
// from the stored summary and, for an ensemble that never finished, from
// the stored runs; both agree with what `ensemble` itself printed.
TEST(EnsembleCli, ShowPrintsBlockersAndJson) {
  const std::string db = TempPath("blockers.db");
  testing::CommandResult r = RunUnionstate(
      "ensemble --model nash --runs 30 --seed 4 --quiet "
      "--perturb positions=30,saliences=0.3 --store '" +
      db + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json ensemble = json::parse(r.out);
  json expected = json::object();  // issue id -> p_blocking
  for (const json& issue : ensemble["issues"])
    expected[issue["id"].get<std::string>()] = issue["p_blocking"];
  ASSERT_FALSE(expected["gas_price"].empty()) << r.out;

  auto shown_blockers = [&] {
    testing::CommandResult show =
        RunUnionstate("show '" + db + "' --format json");
    EXPECT_EQ(show.exit_code, 0) << show.err;
    const json stored = json::parse(show.out);
    EXPECT_EQ(stored.size(), 1u);
    EXPECT_EQ(stored[0]["runs_stored"], 30);
    json out = json::object();
    for (const json& issue : stored[0]["issues"])
      out[issue["id"].get<std::string>()] = issue["p_blocking"];
    return std::pair(out, stored[0]["summary_from_runs"].get<bool>());
  };
  auto [from_summary, recomputed] = shown_blockers();
  EXPECT_FALSE(recomputed);
  EXPECT_EQ(from_summary, expected);

  testing::CommandResult table = RunUnionstate("show '" + db + "'");
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("    blocked by: "), std::string::npos) << table.out;
  const json& gas = expected["gas_price"];
  for (auto it = gas.begin(); it != gas.end(); ++it) {
    EXPECT_NE(table.out.find(fmt::format("{} ({:.1f} % of runs)", it.key(),
                                         100 * it.value().get<double>())),
              std::string::npos)
        << table.out;
  }

  // As if the process had died before writing its summary.
  ASSERT_EQ(Count(db, "UPDATE ensembles SET status = 'running' RETURNING id"),
            1);
  ASSERT_GE(Count(db, "DELETE FROM summaries RETURNING 1"), 1);
  auto [from_runs, recomputed_now] = shown_blockers();
  EXPECT_TRUE(recomputed_now);
  ASSERT_EQ(from_runs.size(), expected.size());
  for (auto issue = expected.begin(); issue != expected.end(); ++issue) {
    const json& shown = from_runs[issue.key()];
    ASSERT_EQ(shown.size(), issue.value().size()) << issue.key();
    for (auto share = issue.value().begin(); share != issue.value().end();
         ++share) {
      EXPECT_NEAR(shown[share.key()].get<double>(), share.value().get<double>(),
                  1e-12)
          << issue.key() << " " << share.key();
    }
  }
}

// A real child process killed with SIGKILL in the middle of an ensemble
// leaves every committed batch, shows as interrupted, and `--resume`
// finishes it bit-identical (summary, stored runs, stored bytes) to the
// same ensemble run without a break.
TEST(EnsembleCli, SigkillThenResumeEndsBitIdentical) {
  const std::string db = TempPath("killed.db");
  const std::string out = TempPath("killed.out");
  const std::vector<std::string> args = {
      "ensemble", "--runs",    "1200",
      "--batch",  "25",        "--seed",
      "4",        "--perturb", "positions=10,saliences=0.1",
      "--model",  "bdm",       "--store-draws"};
  std::vector<std::string> killed = args;
  killed.insert(killed.end(), {"--threads", "2", "--store", db});
  pid_t pid = Start(killed, out);
  ASSERT_GT(pid, 0);
  const bool some = WaitForRuns(db, 75);
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(some) << "no batch was committed within 60 s";
  ASSERT_TRUE(WIFSIGNALED(status));

  EXPECT_EQ(Text(db, "PRAGMA integrity_check"), "ok");
  // The row still says running, but its process is gone: shown interrupted.
  EXPECT_EQ(Text(db, "SELECT status FROM ensembles"), "running");
  const std::int64_t runs = Count(db, "SELECT sum(runs) FROM batches");
  ASSERT_GE(runs, 75);
  ASSERT_LT(runs, 1200) << "the ensemble ended before the kill";
  // Whole batches only, runs 0 .. runs-1.
  EXPECT_EQ(runs % 25, 0);
  EXPECT_EQ(Count(db, "SELECT max(first_run + runs) FROM batches"), runs);
  testing::CommandResult show = RunUnionstate("show '" + db + "'");
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find(", interrupted)"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("is gone; `unionstate ensemble --resume"),
            std::string::npos)
      << show.out;
  EXPECT_NE(show.out.find("no summary was written"), std::string::npos);
  // The last stored run is the run this library computes for (seed 4, k).
  const std::vector<RunRecord> stored = StoredRuns(db);
  ASSERT_EQ(static_cast<std::int64_t>(stored.size()), runs);
  Result<Scenario> s = LoadBuiltinScenario();
  ASSERT_TRUE(s.has_value());
  const EnsemblePlan plan =
      PlanEnsemble(*s, {.positions = 10, .saliences = 0.1});
  Result<std::unique_ptr<Model>> m = LoadModel("bdm");
  ASSERT_TRUE(m.has_value());
  Result<EnsembleRuns> again = RunEnsemble(
      *s, **m, plan,
      {.runs = runs, .seed = 4, .first_run = runs - 1, .stride = 1});
  ASSERT_TRUE(again.has_value());
  ExpectSameRuns({stored.back()}, again->records);

  testing::CommandResult resumed =
      RunUnionstate("ensemble --quiet --threads 1 --resume '" + db + "'");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(Text(db, "SELECT status FROM ensembles"), "complete");
  const std::string whole = TempPath("whole.db");
  std::string line;
  for (const std::string& a : args) line += a + " ";
  testing::CommandResult uninterrupted =
      RunUnionstate(line + "--quiet --store '" + whole + "'");
  ASSERT_EQ(uninterrupted.exit_code, 0) << uninterrupted.err;
  EXPECT_EQ(resumed.out, uninterrupted.out);
  ExpectSameRuns(StoredRuns(db), StoredRuns(whole));
  EXPECT_EQ(Batches(db), Batches(whole));
  EXPECT_EQ(Text(db,
                 "SELECT group_concat(q50 || ' ' || p_agreement || ' ' || "
                 "src, ';') FROM summaries"),
            Text(whole,
                 "SELECT group_concat(q50 || ' ' || p_agreement || ' ' "
                 "|| src, ';') FROM summaries"));
  // Nothing is left to resume, and --resume takes nothing else.
  testing::CommandResult again_resumed =
      RunUnionstate("ensemble --resume '" + db + "'");
  EXPECT_EQ(again_resumed.exit_code, 2);
  EXPECT_NE(again_resumed.err.find("no ensemble to resume"), std::string::npos)
      << again_resumed.err;
  testing::CommandResult conflicting =
      RunUnionstate("ensemble --runs 5 --seed 1 --resume '" + db + "'");
  EXPECT_EQ(conflicting.exit_code, 2);
  EXPECT_NE(conflicting.err.find("expected none of --runs, --seed beside it"),
            std::string::npos)
      << conflicting.err;
}

// `--resume` reads the stored runs batch by batch into the summary, never
// all of them at once: resuming an ensemble of 102 400 stored runs (one
// real batch copied 400 times, whose first run the resume checks) finishes
// under a 96 MB cap on the process's data memory, where holding the stored
// runs as records took 327 MB and died of std::bad_alloc under 128 MB. One
// thread: every worker's stack counts against the cap, and machines with
// many cores would have many.
TEST(EnsembleCli, ResumeStreamsStoredRunsInBoundedMemory) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "the address sanitizer's shadow memory exceeds any cap";
#else
  const std::string db = TempPath("bounded.db");
  ASSERT_EQ(RunUnionstate("ensemble --runs 256 --batch 256 --seed 3 --perturb "
                          "positions=10 --model compromise --quiet --store '" +
                          db + "'")
                .exit_code,
            0);
  testing::SqlText(
      db,
      "INSERT INTO batches SELECT ensemble_id, first_run + 256 * k, runs, "
      "outcomes, agreement, blocking, draws FROM batches, (WITH RECURSIVE "
      "c(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM c WHERE k < 399) "
      "SELECT k FROM c) WHERE first_run = 0");
  testing::SqlText(db,
                   "UPDATE ensembles SET status = 'interrupted', "
                   "runs_requested = 102656");
  ASSERT_EQ(Count(db, "SELECT sum(runs) FROM batches"), 102400);
  testing::CommandResult resumed =
      RunShell("ulimit -d 98304 && exec '" + testing::UnionstateBinary() +
               "' ensemble --quiet --threads 1 --resume '" + db + "'");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  const json out = json::parse(resumed.out);
  // Every stored run and the last batch, run now, are in the summary.
  EXPECT_EQ(out["runs"], 102656);
  EXPECT_EQ(Text(db, "SELECT status FROM ensembles"), "complete");
  EXPECT_EQ(Count(db, "SELECT sum(runs) FROM batches"), 102656);
#endif
}

// A database whose runs this program does not reproduce (another version,
// or damaged) is not resumed: continuing would mix two computations.
TEST(EnsembleCli, ResumeRefusesRunsThisProgramDoesNotReproduce) {
  const std::string db = TempPath("foreign.db");
  ASSERT_EQ(RunUnionstate("ensemble --runs 40 --batch 10 --perturb "
                          "positions=10 --model nash --quiet --store '" +
                          db + "'")
                .exit_code,
            0);
  // (One statement per call: the helper runs the first only.)
  testing::SqlText(db, "UPDATE ensembles SET status = 'interrupted'");
  testing::SqlText(db,
                   "UPDATE batches SET outcomes = zeroblob(length(outcomes)) "
                   "WHERE first_run = 0");
  ASSERT_EQ(Text(db, "SELECT status FROM ensembles"), "interrupted");
  testing::CommandResult r = RunUnionstate("ensemble --resume '" + db + "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("computes run 0 of ensemble 1 differently"),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(r.out.empty());
}

// An ensemble split into shards (as a job array would run them) and merged
// gives the database and the output of the ensemble run in one process.
TEST(EnsembleCli, ShardsMergeIntoTheSingleProcessEnsemble) {
  const std::string args =
      "ensemble --runs 230 --batch 20 --seed 21 --perturb "
      "positions=10,saliences=0.1 --model nash --quiet ";
  const std::string whole = TempPath("shard_whole.db");
  testing::CommandResult single =
      RunUnionstate(args + "--store '" + whole + "'");
  ASSERT_EQ(single.exit_code, 0) << single.err;
  std::vector<std::string> shards;
  std::int64_t sum = 0;
  for (int k = 1; k <= 3; ++k) {
    shards.push_back(TempPath(fmt::format("shard{}.db", k)));
    testing::CommandResult r = RunUnionstate(
        args + fmt::format("--shard {}/3 --store '{}'", k, shards.back()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::int64_t runs = json::parse(r.out)["runs"].get<std::int64_t>();
    EXPECT_GT(runs, 0);
    EXPECT_EQ(Count(shards.back(), "SELECT sum(runs) FROM batches"), runs);
    EXPECT_EQ(Count(shards.back(), "SELECT min(first_run) % 20 FROM batches"),
              0);
    sum += runs;
  }
  EXPECT_EQ(sum, 230);
  // The order of the files does not matter.
  const std::string merged = TempPath("merged.db");
  testing::CommandResult m = RunUnionstate(fmt::format(
      "merge '{}' '{}' '{}' '{}'", merged, shards[2], shards[0], shards[1]));
  ASSERT_EQ(m.exit_code, 0) << m.err;
  EXPECT_EQ(m.out, single.out);
  EXPECT_EQ(Batches(merged), Batches(whole));
  EXPECT_EQ(Text(merged, "SELECT status || shards FROM ensembles"),
            "complete0");
  // A shard missing or given twice is refused; nothing is merged.
  const std::string partial = TempPath("partial.db");
  testing::CommandResult missing = RunUnionstate(
      fmt::format("merge '{}' '{}' '{}'", partial, shards[0], shards[1]));
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("shard 3/3 is missing"), std::string::npos)
      << missing.err;
  testing::CommandResult twice = RunUnionstate(fmt::format(
      "merge '{}' '{}' '{}' '{}'", partial, shards[0], shards[1], shards[1]));
  EXPECT_EQ(twice.exit_code, 2);
  EXPECT_NE(twice.err.find("both hold shard 2/3"), std::string::npos)
      << twice.err;
  testing::CommandResult bad = RunUnionstate(args + "--shard 4/3 --store x");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--shard 4/3; expected K/N with 1 <= K <= N"),
            std::string::npos)
      << bad.err;
  testing::CommandResult nostore = RunUnionstate(args + "--shard 1/3");
  EXPECT_EQ(nostore.exit_code, 2);
  EXPECT_NE(nostore.err.find("expected --store FILE"), std::string::npos);
}

TEST(EnsembleCli, CtrlCStopsCleanlyAndKeepsFinishedRuns) {
  const std::string db = TempPath("interrupted.db");
  const std::string out = TempPath("interrupted.out");
  pid_t pid =
      Start({"ensemble", "--runs", "10000000", "--batch", "20", "--seed", "6",
             "--perturb", "positions=10", "--model", "nash", "--store", db},
            out);
  ASSERT_GT(pid, 0);
  const bool some = WaitForRuns(db, 40);
  kill(pid, SIGINT);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(some);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  json summary = json::parse(testing::ReadText(out));
  EXPECT_EQ(summary["interrupted"], true);
  const std::int64_t runs = summary["runs"].get<std::int64_t>();
  EXPECT_GE(runs, 40);
  EXPECT_EQ(runs % 20, 0);
  EXPECT_EQ(Count(db, "SELECT sum(runs) FROM batches"), runs);
  EXPECT_EQ(Text(db, "SELECT status FROM ensembles"), "interrupted");
  EXPECT_EQ(Count(db, "SELECT min(runs) FROM summaries"), runs);
}

// MPI (and the hwloc, libevent and PMIx libraries it pulls in) is loaded
// only by `ensemble` under mpirun: the dynamic loader's own account
// (LD_DEBUG=libs) of a plain run and of an ensemble without mpirun names no
// MPI library, in the program and in its dynamic sibling (src/cli/modules.h;
// the statically linked program loads nothing at all).
TEST(EnsembleCli, OnlyAnEnsembleUnderMpirunLoadsMpi) {
  for (const std::string& binary : testing::ProgramBinaries()) {
    for (const std::string args :
         {"run --model nash", "ensemble --runs 3 --perturb positions=1"}) {
      const std::string out = testing::LoaderAccount(binary, args);
      for (const char* library :
           {"libmpi", "libhwloc", "libevent", "libopen-"}) {
        EXPECT_EQ(out.find(library), std::string::npos)
            << binary << " " << args << " loads " << library;
      }
    }
  }
  // Under mpirun, the program (when linked statically, through its dynamic
  // sibling) loads the module and MPI.
#ifdef UNIONSTATE_MPIEXEC
  testing::CommandResult under = RunShell(
      "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 "
      "LD_DEBUG=libs '" UNIONSTATE_MPIEXEC "' --oversubscribe -np 1 '" +
      testing::UnionstateBinary() +
      "' ensemble --runs 3 --perturb positions=1 2>&1 >/dev/null");
  EXPECT_EQ(under.exit_code, 0);
  EXPECT_NE(under.out.find("libunionstate_mpi.so"), std::string::npos);
  EXPECT_NE(under.out.find("libmpi.so"), std::string::npos);
#endif
}

// Issue 19: --runs 10^12 is counted, not listed, so the ensemble starts at
// once in a few megabytes, and Ctrl-C stops it promptly with the batches
// done summarised.
TEST(EnsembleCli, ATrillionRunsStreamAndStopOnCtrlC) {
  const std::string out = TempPath("trillion.json");
  const std::string db = TempPath("trillion.db");
  pid_t pid = Start({"ensemble", "--runs", "1000000000000", "--seed", "3",
                     "--perturb", "positions=10,saliences=0.1", "--model",
                     "compromise", "--threads", "2", "-o", out, "--store", db},
                    out + ".stdout");
  ASSERT_GT(pid, 0);
  const bool some = WaitForRuns(db, 512);
  kill(pid, SIGINT);
  const auto sent = std::chrono::steady_clock::now();
  int status = 0;
  // Liveness, not speed: a process that ignored the signal would run for
  // years; one that listed its runs first would not have started.
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() - sent > std::chrono::seconds(30)) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      FAIL() << "still running 30 s after Ctrl-C";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(some) << "no batch was committed within 60 s";
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  json summary = json::parse(testing::ReadText(out));
  EXPECT_EQ(summary["runs_requested"], 1000000000000);
  EXPECT_EQ(Count(db, "SELECT sum(runs) FROM batches"),
            summary["runs"].get<std::int64_t>());
  EXPECT_EQ(Text(db, "SELECT status FROM ensembles"), "interrupted");
  EXPECT_EQ(summary["interrupted"], true);
  const std::int64_t runs = summary["runs"].get<std::int64_t>();
  EXPECT_GT(runs, 0);
  EXPECT_EQ(runs % 256, 0);  // whole batches only
  EXPECT_TRUE(summary["issues"][0]["quantiles"]["50"].is_number());
}

// Issue 19: nothing to vary and a deterministic model: refused, with how to
// add uncertainty.
TEST(EnsembleCli, NothingToVaryIsRefusedWithTheWayOut) {
  testing::CommandResult r = RunUnionstate("ensemble --runs 50");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("nothing to vary"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--perturb positions=10,saliences=0.1"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("docs/scenario-format.md"), std::string::npos);
  // --sobol adds first- and total-order indices with their intervals.
  r = RunUnionstate(
      "ensemble --runs 40 --sobol 8 --perturb saliences=0.1 --model "
      "compromise --seed 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json out = json::parse(r.out);
  const std::int64_t inputs = static_cast<std::int64_t>(out["inputs"].size());
  EXPECT_EQ(out["sobol_design"]["base_runs"], 8);
  EXPECT_EQ(out["sobol_design"]["runs"], 8 * (inputs + 2));
  const json& first = out["issues"][0]["sobol"].begin().value();
  EXPECT_TRUE(first.contains("total_ci"));
  EXPECT_EQ(first["first_ci"].size(), 2u);
}

TEST(EnsembleCli, TwoMpiRanksGiveTheNumbersOfOneProcess) {
#ifndef UNIONSTATE_MPIEXEC
  GTEST_SKIP() << "built without MPI (install libopenmpi-dev openmpi-bin and "
                  "reconfigure)";
#else
  const std::string args =
      "ensemble --runs 101 --seed 12 --perturb positions=10,saliences=0.1 "
      "--model nash --threads 1 --batch 10";
  testing::CommandResult single = RunUnionstate(args);
  ASSERT_EQ(single.exit_code, 0) << single.err;
  const std::string db = TempPath("mpi.db");
  // Open MPI refuses root without these; --oversubscribe lets two ranks
  // share fewer cores.
  testing::CommandResult ranks = RunShell(
      "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 "
      "'" UNIONSTATE_MPIEXEC "' --oversubscribe -np 2 '" +
      testing::UnionstateBinary() + "' " + args + " --store '" + db + "'");
  ASSERT_EQ(ranks.exit_code, 0) << ranks.err;
  EXPECT_EQ(ranks.out, single.out);
  EXPECT_EQ(Count(db, "SELECT sum(runs) FROM batches"), 101);
  EXPECT_EQ(Text(db, "SELECT status FROM ensembles"), "complete");
  // Rank 0 committed every rank's batches, whole batches of one process.
  const std::string single_db = TempPath("mpi_single.db");
  ASSERT_EQ(
      RunUnionstate(args + " --quiet --store '" + single_db + "'").exit_code,
      0);
  EXPECT_EQ(Batches(db), Batches(single_db));
  // A database rank 0 cannot open fails every rank; none waits for it.
  testing::CommandResult bad = RunShell(
      "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 timeout 60 "
      "'" UNIONSTATE_MPIEXEC "' --oversubscribe -np 2 '" +
      testing::UnionstateBinary() +
      "' ensemble --runs 10 --perturb positions=5 --store "
      "/nonexistent/dir/r.db");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.exit_code, 124) << "the ranks hung";
  EXPECT_NE(
      bad.err.find("/nonexistent/dir/r.db: cannot open the results database"),
      std::string::npos)
      << bad.err;
#endif
}

// Under MPI rank 0 commits the other ranks' batches as they arrive: when
// rank 0 is killed halfway, the database holds batches of rank 1's share
// (the second half of the runs), the job shows as interrupted, and
// `--resume` finishes it bit-identical to one uninterrupted process.
TEST(EnsembleCli, MpiFailureKeepsEveryCommittedBatchOfEveryRank) {
#ifndef UNIONSTATE_MPIEXEC
  GTEST_SKIP() << "built without MPI (install libopenmpi-dev openmpi-bin and "
                  "reconfigure)";
#else
  const std::string args =
      "ensemble --runs 1600 --batch 20 --seed 8 --perturb positions=10 "
      "--model bdm --threads 1 --quiet";
  const std::string db = TempPath("mpi_killed.db");
  const pid_t job = StartShell(
      "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 exec "
      "'" UNIONSTATE_MPIEXEC "' --oversubscribe -np 2 '" +
      testing::UnionstateBinary() + "' " + args + " --store '" + db + "'");
  ASSERT_GT(job, 0);
  // Waits for two batches of rank 1 (runs 800 ..) to be committed.
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(120);
  bool arrived = false;
  while (!arrived && std::chrono::steady_clock::now() < deadline) {
    arrived =
        Count(db, "SELECT count(*) FROM batches WHERE first_run >= 800") >= 2;
    if (!arrived) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const std::int64_t rank0 = Count(db, "SELECT writer_pid FROM ensembles");
  if (rank0 > 0) kill(static_cast<pid_t>(rank0), SIGKILL);
  // mpirun ends the job when a rank dies; the whole group goes if it hangs.
  int status = 0;
  for (int k = 0; k < 600 && waitpid(job, &status, WNOHANG) == 0; ++k)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  if (waitpid(job, &status, WNOHANG) == 0) {
    kill(-job, SIGKILL);
    waitpid(job, &status, 0);
  }
  ASSERT_TRUE(arrived) << "rank 1's batches never reached the database";
  ASSERT_GT(rank0, 0);

  EXPECT_EQ(Text(db, "PRAGMA integrity_check"), "ok");
  const std::int64_t first_half =
      Count(db,
            "SELECT coalesce(sum(runs), 0) FROM batches WHERE "
            "first_run < 800");
  const std::int64_t second_half =
      Count(db,
            "SELECT coalesce(sum(runs), 0) FROM batches WHERE "
            "first_run >= 800");
  EXPECT_GE(second_half, 40);
  EXPECT_LT(first_half, 800) << "rank 0 finished before it was killed";
  // Each rank's committed batches are a prefix of its share.
  EXPECT_EQ(Count(db,
                  "SELECT max(first_run + runs) FROM batches WHERE "
                  "first_run < 800"),
            first_half);
  EXPECT_EQ(Count(db,
                  "SELECT max(first_run + runs) FROM batches WHERE "
                  "first_run >= 800"),
            800 + second_half);
  testing::CommandResult show = RunUnionstate("show '" + db + "'");
  EXPECT_NE(show.out.find(", interrupted)"), std::string::npos) << show.out;

  testing::CommandResult resumed =
      RunUnionstate("ensemble --quiet --resume '" + db + "'");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  const std::string whole = TempPath("mpi_whole.db");
  testing::CommandResult single =
      RunUnionstate(args + " --store '" + whole + "'");
  ASSERT_EQ(single.exit_code, 0) << single.err;
  EXPECT_EQ(resumed.out, single.out);
  ExpectSameRuns(StoredRuns(db), StoredRuns(whole));
#endif
}

}  // namespace
}  // namespace unionstate
