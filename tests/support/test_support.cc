#include "tests/support/test_support.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include "unionstate/scenario_io.h"

namespace unionstate::testing {

std::string SourcePath(const std::string& relative) {
  return std::string(UNIONSTATE_SOURCE_DIR) + "/" + relative;
}

std::string SharedPath(const std::string& relative) {
  const char* overridden = std::getenv("UNIONSTATE_SHARED_DIR");
  return std::string(overridden ? overridden : UNIONSTATE_SHARED_DIR) + "/" +
         relative;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<std::vector<std::string>> ReadCsv(const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  std::stringstream in(ReadText(path));
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string> fields;
    std::stringstream cells(line);
    std::string cell;
    while (std::getline(cells, cell, ',')) fields.push_back(cell);
    if (line.back() == ',') fields.emplace_back();
    rows.push_back(fields);
  }
  return rows;
}

Scenario LoadOrDie(const std::string& path) {
  Result<Scenario> scenario = LoadScenario(Env::Default(), path);
  EXPECT_TRUE(scenario.has_value())
      << (scenario ? "" : scenario.error().ToString());
  return scenario ? *scenario : Scenario{};
}

namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

CommandResult RunUnionstate(const std::string& arguments) {
  return RunUnionstateIn("", arguments);
}

std::string UnionstateBinary() { return UNIONSTATE_BINARY; }
std::string LoadingBinary() { return UNIONSTATE_LOADING_BINARY; }
std::vector<std::string> ProgramBinaries() {
  if (LoadingBinary() == UnionstateBinary()) return {UnionstateBinary()};
  return {UnionstateBinary(), LoadingBinary()};
}
std::string LoaderAccount(const std::string& binary, const std::string& args,
                          int exit_code) {
  CommandResult r =
      RunShell("LD_DEBUG=libs '" + binary + "' " + args + " 2>&1 >/dev/null");
  EXPECT_EQ(r.exit_code, exit_code) << binary << " " << args << "\n" << r.out;
  if (binary == LoadingBinary()) {
    EXPECT_NE(r.out.find("calling init: "), std::string::npos)
        << binary << " " << args << "\n"
        << r.out;
  } else {
    EXPECT_EQ(r.out, "") << binary << " is linked statically";
  }
  return r.out;
}

CommandResult RunUnionstateIn(const std::string& directory,
                              const std::string& arguments) {
  return RunShell((directory.empty() ? "" : "cd '" + directory + "' && ") +
                  "'" + UNIONSTATE_BINARY + "' " + arguments);
}

CommandResult RunShell(const std::string& command_line) {
  static int counter = 0;
  std::string base = ::testing::TempDir() + "unionstate_cli_" +
                     std::to_string(::getpid()) + "_" +
                     std::to_string(counter++);
  std::string command =
      "(" + command_line + ") >'" + base + ".out' 2>'" + base + ".err'";
  int status = std::system(command.c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = Slurp(base + ".out");
  result.err = Slurp(base + ".err");
  std::remove((base + ".out").c_str());
  std::remove((base + ".err").c_str());
  return result;
}

namespace {

// Runs `sql` and hands the first row's first column to `read`.
template <class T, class F>
T FirstValue(const std::string& path, const std::string& sql, T otherwise,
             F read) {
  sqlite3* db = nullptr;
  T out = otherwise;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) ==
      SQLITE_OK) {
    sqlite3_busy_timeout(db, 1000);
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      out = read(stmt);
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return out;
}

}  // namespace

std::optional<std::string> SqlText(const std::string& path,
                                   const std::string& sql) {
  return FirstValue<std::optional<std::string>>(
      path, sql, std::nullopt, [](sqlite3_stmt* stmt) {
        const unsigned char* t = sqlite3_column_text(stmt, 0);
        return std::optional<std::string>(
            t == nullptr ? "" : reinterpret_cast<const char*>(t));
      });
}

double SqlReal(const std::string& path, const std::string& sql) {
  return FirstValue<double>(path, sql, std::nan(""), [](sqlite3_stmt* stmt) {
    return sqlite3_column_double(stmt, 0);
  });
}

std::int64_t SqlInt(const std::string& path, const std::string& sql) {
  return FirstValue<std::int64_t>(path, sql, -1, [](sqlite3_stmt* stmt) {
    return static_cast<std::int64_t>(sqlite3_column_int64(stmt, 0));
  });
}

Scenario MakeScenario(int n_actors, int n_issues, unsigned seed) {
  std::mt19937 rng(seed);
  // Integers drawn by hand from the engine's raw output keep the scenario
  // identical on every standard library.
  auto uniform = [&](double lo, double hi) {
    return lo + (hi - lo) * (static_cast<double>(rng()) / 4294967296.0);
  };
  Scenario s;
  s.name = "generated";
  for (int a = 0; a < n_actors; ++a) {
    Actor actor;
    actor.id = "actor" + std::to_string(a);
    actor.name = actor.id;
    actor.side = a % 2 == 0 ? "east" : "west";
    actor.capability.value = uniform(0.1, 1.0);
    s.actors.push_back(actor);
  }
  for (int i = 0; i < n_issues; ++i) {
    Issue issue;
    issue.id = "issue" + std::to_string(i);
    issue.name = issue.id;
    issue.min = 0;
    issue.max = 100;
    issue.status_quo = Quantity{50, "", {}, {}};
    issue.rule = DecisionRule::kMajority;
    s.issues.push_back(issue);
    for (int a = 0; a < n_actors; ++a) {
      Stance stance;
      stance.actor = a;
      stance.issue = i;
      stance.position.value = std::round(uniform(0, 100));
      stance.salience.value = uniform(0.05, 1.0);
      s.stances.push_back(stance);
    }
  }
  Result<Scenario> valid = ValidateScenario(std::move(s));
  EXPECT_TRUE(valid.has_value());
  return valid ? *valid : Scenario{};
}

}  // namespace unionstate::testing
