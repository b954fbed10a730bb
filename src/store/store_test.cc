#include "unionstate/store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cmath>
#include <cstdio>
#include <fstream>

#include "tests/support/test_support.h"
#include "unionstate/scenario_io.h"

namespace unionstate {
namespace {

std::string TempDb(const std::string& name) {
  std::string path = ::testing::TempDir() + "unionstate_store_" + name + ".db";
  for (const char* suffix : {"", "-wal", "-shm"})
    std::remove((path + suffix).c_str());
  return path;
}

std::string Query(const std::string& path, const std::string& sql) {
  return testing::SqlText(path, sql).value_or("<error>");
}
double Real(const std::string& path, const std::string& sql) {
  return testing::SqlReal(path, sql);
}

TEST(ResultStore, WritesAnEnsembleAndDescribesIt) {
  const std::string path = TempDb("roundtrip");
  Result<Scenario> s = LoadBuiltinScenario();
  ASSERT_TRUE(s.has_value());
  const EnsemblePlan plan = PlanEnsemble(*s, {.positions = 10});
  Result<std::unique_ptr<Model>> m = LoadModel("nash");
  ASSERT_TRUE(m.has_value());
  Result<std::unique_ptr<ResultStore>> store = ResultStore::Open(path);
  ASSERT_TRUE(store.has_value()) << store.error().ToString();
  EnsembleHeader header{"builtin:x",       "text",
                        "nash(veto=true)", 18446744073709551615ull,
                        "positions=10",    40};
  Result<std::int64_t> id = (*store)->BeginEnsemble(header, *s, plan);
  ASSERT_TRUE(id.has_value()) << id.error().ToString();
  EnsembleOptions o{.runs = 40, .seed = 3, .batch = 16};
  o.on_batch = [&](std::span<const RunRecord> batch) {
    return (*store)->AddRuns(*id, batch);
  };
  Result<EnsembleRuns> runs = RunEnsemble(*s, **m, plan, o);
  ASSERT_TRUE(runs.has_value());
  const EnsembleSummary summary = Summarise(*s, plan, runs->records);
  ASSERT_TRUE((*store)->Finish(*id, summary, "complete").has_value());
  store->reset();

  const size_t issues = s->issues.size();
  EXPECT_EQ(Query(path, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(
      Query(path,
            "SELECT status || ' ' || seed || ' ' || model FROM ensembles"),
      "complete 18446744073709551615 nash(veto=true)");
  EXPECT_EQ(Query(path, "SELECT count(*) FROM outcomes"),
            std::to_string(40 * issues));
  EXPECT_EQ(Query(path, "SELECT count(*) FROM draws"),
            std::to_string(40 * plan.inputs.size()));
  EXPECT_EQ(Query(path, "SELECT count(*) FROM inputs"),
            std::to_string(plan.inputs.size()));
  // Run 7's gas price outcome and its first draw, exactly as computed.
  const int gas = s->FindIssue("gas_price");
  const RunRecord& r7 = runs->records[7];
  EXPECT_EQ(Real(path,
                 "SELECT outcome FROM outcomes WHERE run = 7 "
                 "AND issue = " +
                     std::to_string(gas)),
            r7.outcomes[static_cast<size_t>(gas)]);
  EXPECT_EQ(Real(path,
                 "SELECT value FROM draws WHERE run = 7 AND "
                 "input = 0"),
            r7.inputs[0]);
  EXPECT_EQ(Real(path, "SELECT q50 FROM summaries WHERE issue = " +
                           std::to_string(gas)),
            summary.issues[static_cast<size_t>(gas)].q50);
  // The perturbation's sd: 10 % of the gas price scale.
  const Issue& g = s->issues[static_cast<size_t>(gas)];
  EXPECT_EQ(Real(path,
                 "SELECT json_extract(distribution, '$.sd') "
                 "FROM inputs WHERE name = 'position:ru_president:gas_price'"),
            10.0 / 100 * (g.max - g.min));

  Result<std::string> text = DescribeStore(path);
  ASSERT_TRUE(text.has_value()) << text.error().ToString();
  EXPECT_NE(text->find("Ensemble 1  ("), std::string::npos) << *text;
  EXPECT_NE(text->find("runs:         40 stored of 40 requested"),
            std::string::npos)
      << *text;
  EXPECT_NE(text->find("gas_price"), std::string::npos);
  EXPECT_EQ(text->find("no summary was written"), std::string::npos);
}

TEST(ResultStore, RefusesFilesThatAreNotResultsDatabases) {
  const std::string path = TempDb("notadb");
  std::ofstream(path) << "just some text, not SQLite\n";
  Result<std::unique_ptr<ResultStore>> store = ResultStore::Open(path);
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().kind(), ErrorKind::kInvalidInput);
  EXPECT_EQ(
      store.error().ToString().rfind(path + ": is not an SQLite database", 0),
      0u)
      << store.error().ToString();

  // Another application's SQLite file.
  const std::string other = TempDb("other");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(other.c_str(), &db), SQLITE_OK);
  sqlite3_exec(db, "CREATE TABLE t(x)", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  Result<std::string> described = DescribeStore(other);
  ASSERT_FALSE(described.has_value());
  EXPECT_EQ(described.error().ToString(),
            other +
                ": holds schema version 0 with 1 objects; expected a "
                "unionstate results "
                "database (version 1, docs/results-schema.md)");

  Result<std::unique_ptr<ResultStore>> missing =
      ResultStore::Open(::testing::TempDir() + "no/such/dir/r.db");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().kind(), ErrorKind::kIo);
  EXPECT_FALSE(DescribeStore(TempDb("absent")).has_value());
}

}  // namespace
}  // namespace unionstate
