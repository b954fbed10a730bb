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

// Waits until the database holds at least `runs` runs (or 60 s pass).
bool WaitForRuns(const std::string& db, std::int64_t runs) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    if (Count(db, "SELECT count(DISTINCT run) FROM outcomes") >= runs)
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
  EXPECT_EQ(Count(db, "SELECT count(DISTINCT run) FROM outcomes"), 50);
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

TEST(EnsembleCli, SigkillMidwayLeavesEveryCommittedBatch) {
  const std::string db = TempPath("killed.db");
  const std::string out = TempPath("killed.out");
  pid_t pid = Start({"ensemble", "--runs", "10000000", "--batch", "25",
                     "--threads", "2", "--seed", "4", "--perturb",
                     "positions=10", "--model", "nash", "--store", db},
                    out);
  ASSERT_GT(pid, 0);
  const bool some = WaitForRuns(db, 75);
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(some) << "no batch was committed within 60 s";
  ASSERT_TRUE(WIFSIGNALED(status));

  EXPECT_EQ(Text(db, "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(Text(db, "SELECT status FROM ensembles"), "running");
  const std::int64_t runs =
      Count(db, "SELECT count(DISTINCT run) FROM outcomes");
  ASSERT_GE(runs, 75);
  // Whole batches only, runs 0 .. runs-1, each run complete.
  EXPECT_EQ(runs % 25, 0);
  EXPECT_EQ(Count(db, "SELECT max(run) FROM outcomes"), runs - 1);
  Result<Scenario> s = LoadBuiltinScenario();
  ASSERT_TRUE(s.has_value());
  const EnsemblePlan plan = PlanEnsemble(*s, {.positions = 10});
  EXPECT_EQ(Count(db, "SELECT count(*) FROM outcomes"),
            runs * static_cast<std::int64_t>(s->issues.size()));
  EXPECT_EQ(Count(db, "SELECT count(*) FROM draws"),
            runs * static_cast<std::int64_t>(plan.inputs.size()));
  // The last stored run is the run this library computes for (seed 4, k).
  Result<std::unique_ptr<Model>> m = LoadModel("nash");
  ASSERT_TRUE(m.has_value());
  Result<EnsembleRuns> again = RunEnsemble(
      *s, **m, plan,
      {.runs = runs, .seed = 4, .first_run = runs - 1, .stride = 1});
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(
      testing::SqlReal(db, "SELECT outcome FROM outcomes WHERE run = " +
                               std::to_string(runs - 1) + " AND issue = 0"),
      again->records[0].outcomes[0]);

  testing::CommandResult show = RunUnionstate("show '" + db + "'");
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find(", running)"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("no summary was written"), std::string::npos)
      << show.out;
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
  EXPECT_EQ(Count(db, "SELECT count(DISTINCT run) FROM outcomes"), runs);
  EXPECT_EQ(Text(db, "SELECT status FROM ensembles"), "interrupted");
  EXPECT_EQ(Count(db, "SELECT min(runs) FROM summaries"), runs);
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
  EXPECT_EQ(Count(db, "SELECT count(DISTINCT run) FROM outcomes"),
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
      "--model nash --threads 1";
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
  EXPECT_EQ(Count(db, "SELECT count(DISTINCT run) FROM outcomes"), 101);
  EXPECT_EQ(Text(db, "SELECT status FROM ensembles"), "complete");
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

}  // namespace
}  // namespace unionstate
