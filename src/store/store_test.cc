#include "unionstate/store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <bit>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>

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
  EnsembleOptions o{.runs = 40, .seed = 18446744073709551615ull, .batch = 16};
  o.on_batch = [&](std::span<const RunRecord> batch) {
    return (*store)->AddRuns(*id, batch);
  };
  Result<EnsembleRuns> runs = RunEnsemble(*s, **m, plan, o);
  ASSERT_TRUE(runs.has_value());
  const EnsembleSummary summary = Summarise(*s, plan, runs->records);
  ASSERT_TRUE((*store)->Finish(*id, summary, "complete").has_value());
  store->reset();

  EXPECT_EQ(Query(path, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(
      Query(path,
            "SELECT status || ' ' || seed || ' ' || model FROM ensembles"),
      "complete 18446744073709551615 nash(veto=true)");
  // Batches of 16, 16 and 8 runs.
  EXPECT_EQ(Query(path,
                  "SELECT group_concat(first_run || '+' || runs) FROM "
                  "batches"),
            "0+16,16+16,32+8");
  EXPECT_EQ(Query(path, "SELECT count(*) FROM inputs"),
            std::to_string(plan.inputs.size()));
  // Every run read back exactly as computed; without stored draws the
  // inputs are drawn again from (seed, run).
  Result<std::unique_ptr<ResultStore>> reopened =
      ResultStore::OpenExisting(path);
  ASSERT_TRUE(reopened.has_value()) << reopened.error().ToString();
  Result<std::vector<RunRecord>> bare = (*reopened)->ReadRuns(*id);
  ASSERT_TRUE(bare.has_value()) << bare.error().ToString();
  Result<std::vector<RunRecord>> read = (*reopened)->ReadRuns(*id, &plan);
  ASSERT_TRUE(read.has_value()) << read.error().ToString();
  ASSERT_EQ(read->size(), 40u);
  bool some_blocked = false;
  for (size_t j = 0; j < 40; ++j) {
    const RunRecord& a = (*read)[j];
    const RunRecord& b = runs->records[j];
    EXPECT_EQ(a.run, b.run);
    EXPECT_EQ(a.outcomes, b.outcomes);
    EXPECT_EQ(a.agreement, b.agreement);
    EXPECT_EQ(a.blocking, b.blocking);
    EXPECT_EQ(a.inputs, b.inputs);
    EXPECT_TRUE((*bare)[j].inputs.empty());
    for (const auto& who : b.blocking) some_blocked |= !who.empty();
  }
  EXPECT_TRUE(some_blocked) << "the test should store some blockers";
  const int gas = s->FindIssue("gas_price");
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

// docs/results-schema.md states the bytes a run takes; this holds it: under
// 1 KB per run of the Union State with every position and salience drawn
// (two inputs per position) when draws are drawn again, 8 bytes more per
// input with --store-draws.
TEST(ResultStore, ARunOfTheUnionStateTakesUnderAKilobyte) {
  Result<Scenario> s = LoadBuiltinScenario();
  ASSERT_TRUE(s.has_value());
  const EnsemblePlan plan =
      PlanEnsemble(*s, {.positions = 10, .saliences = 0.1});
  const std::size_t inputs = 2 * s->stances.size();
  ASSERT_EQ(plan.inputs.size(), inputs);
  Result<std::unique_ptr<Model>> m = LoadModel("parity");
  ASSERT_TRUE(m.has_value());
  Result<EnsembleRuns> runs =
      RunEnsemble(*s, **m, plan, {.runs = 512, .seed = 5, .batch = 256});
  ASSERT_TRUE(runs.has_value());
  for (bool draws : {false, true}) {
    const std::string path = TempDb(draws ? "size_draws" : "size");
    Result<std::unique_ptr<ResultStore>> store = ResultStore::Open(path);
    ASSERT_TRUE(store.has_value());
    EnsembleHeader header{"builtin:x", "", "parity", 5, "", 512};
    header.store_draws = draws;
    Result<std::int64_t> id = (*store)->BeginEnsemble(header, *s, plan);
    ASSERT_TRUE(id.has_value());
    ASSERT_TRUE((*store)->AddRuns(*id, runs->records).has_value());
    store->reset();
    // The blobs of a run, and the pages the file grew by per run.
    const double blob = Real(path,
                             "SELECT sum(length(outcomes) + length(agreement) "
                             "+ length(blocking) + coalesce(length(draws), "
                             "0)) / 512.0 FROM batches");
    const double pages = Real(
        path, "SELECT sum(pgsize) / 512.0 FROM dbstat WHERE name = 'batches'");
    if (draws) {
      EXPECT_GT(blob, static_cast<double>(inputs * 8));
      EXPECT_LT(blob, static_cast<double>(inputs * 8 + 1024));
    } else {
      EXPECT_LT(blob, 1024) << blob;
      // every issue's outcome
      EXPECT_GE(blob, static_cast<double>(s->issues.size() * 8));
      if (!std::isnan(pages)) {
        EXPECT_LT(pages, 1024) << pages;
      }
    }
  }
}

// Runs handed over out of a simple stretch (0-2, 5-6) are stored as two
// rows and read back as given, blockers in their order; a damaged row is
// an error naming it, not a crash.
TEST(ResultStore, StretchesOfRunsAndDamagedRows) {
  const std::string path = TempDb("stretches");
  Scenario s = testing::MakeScenario(4, 2, 1);
  const EnsemblePlan plan = PlanEnsemble(s, {.positions = 5});
  Result<std::unique_ptr<ResultStore>> store = ResultStore::Open(path);
  ASSERT_TRUE(store.has_value());
  EnsembleHeader header{"x.toml", "", "compromise", 1, "positions=5", 7};
  Result<std::int64_t> id = (*store)->BeginEnsemble(header, s, plan);
  ASSERT_TRUE(id.has_value());
  std::vector<RunRecord> runs;
  for (std::uint64_t k : {0, 1, 2, 5, 6}) {
    RunRecord r;
    r.run = k;
    r.outcomes = {0.1 * static_cast<double>(k), -0.0};
    r.agreement = {static_cast<char>(k % 2), 1};
    r.blocking = {{}, {}};
    if (k == 1) r.blocking[0] = {"west", "east"};
    if (k == 6) r.blocking[1] = {"\u00e9ast \"q\"", "west"};
    runs.push_back(r);
  }
  ASSERT_TRUE((*store)->AddRuns(*id, runs).has_value());
  EXPECT_EQ(Query(path,
                  "SELECT group_concat(first_run || '+' || runs) FROM "
                  "batches"),
            "0+3,5+2");
  Result<std::vector<RunRecord>> read = (*store)->ReadRuns(*id);
  ASSERT_TRUE(read.has_value()) << read.error().ToString();
  ASSERT_EQ(read->size(), runs.size());
  for (size_t j = 0; j < runs.size(); ++j) {
    EXPECT_EQ((*read)[j].run, runs[j].run);
    EXPECT_EQ((*read)[j].agreement, runs[j].agreement);
    EXPECT_EQ((*read)[j].blocking, runs[j].blocking);
    ASSERT_EQ((*read)[j].outcomes.size(), 2u);
    EXPECT_EQ((*read)[j].outcomes[0], runs[j].outcomes[0]);
    EXPECT_TRUE(std::signbit((*read)[j].outcomes[1]));  // -0.0 kept
  }
  store->reset();
  testing::SqlText(path,
                   "UPDATE batches SET blocking = x'05' WHERE first_run = 5");
  Result<std::unique_ptr<ResultStore>> again = ResultStore::OpenExisting(path);
  ASSERT_TRUE(again.has_value());
  Result<std::vector<RunRecord>> damaged = (*again)->ReadRuns(*id);
  ASSERT_FALSE(damaged.has_value());
  EXPECT_EQ(damaged.error().kind(), ErrorKind::kInvalidInput);
  EXPECT_NE(damaged.error().ToString().find("from run 5 is damaged"),
            std::string::npos)
      << damaged.error().ToString();
}

// ForEachStoredBatch hands over one stored batch at a time, in run order,
// within the range asked for, with the inputs drawn again: together the
// batches are ReadRuns's runs, and fed to an accumulator they give the
// summary of the runs as computed. StoredStretches names the stretches
// stored, one pair per stretch.
TEST(ResultStore, StreamsStoredRunsOneBatchAtATime) {
  const std::string path = TempDb("stream");
  Result<Scenario> s = LoadBuiltinScenario();
  ASSERT_TRUE(s.has_value());
  const EnsemblePlan plan = PlanEnsemble(*s, {.positions = 10});
  Result<std::unique_ptr<Model>> m = LoadModel("compromise");
  ASSERT_TRUE(m.has_value());
  Result<std::unique_ptr<ResultStore>> store = ResultStore::Open(path);
  ASSERT_TRUE(store.has_value()) << store.error().ToString();
  EnsembleHeader header{"builtin:x", "text",         "compromise",
                        7,           "positions=10", 100};
  header.batch = 16;
  Result<std::int64_t> id = (*store)->BeginEnsemble(header, *s, plan);
  ASSERT_TRUE(id.has_value()) << id.error().ToString();
  // Runs 0..47 and 64..99: a gap of one batch, as a killed MPI rank leaves.
  std::vector<RunRecord> all;
  for (const auto& [first, end] :
       std::vector<std::pair<std::int64_t, std::int64_t>>{{0, 48}, {64, 100}}) {
    EnsembleOptions o{.runs = end, .seed = 7, .first_run = first};
    o.batch = 16;
    o.on_batch = [&](std::span<const RunRecord> batch) {
      return (*store)->AddRuns(*id, batch);
    };
    Result<EnsembleRuns> runs = RunEnsemble(*s, **m, plan, o);
    ASSERT_TRUE(runs.has_value());
    all.insert(all.end(), runs->records.begin(), runs->records.end());
  }
  using Stretches = std::vector<std::pair<std::int64_t, std::int64_t>>;
  Result<Stretches> stretches = (*store)->StoredStretches(*id);
  ASSERT_TRUE(stretches.has_value()) << stretches.error().ToString();
  EXPECT_EQ(*stretches, (Stretches{{0, 48}, {64, 100}}));

  std::vector<size_t> sizes;
  std::vector<std::uint64_t> numbers;
  EnsembleAccumulator streamed(*s, plan);
  Result<void> read = (*store)->ForEachStoredBatch(
      *id, &plan, 0, std::numeric_limits<std::int64_t>::max(),
      [&](std::span<const RunRecord> batch) -> Result<void> {
        sizes.push_back(batch.size());
        for (const RunRecord& r : batch) {
          numbers.push_back(r.run);
          EXPECT_EQ(r.inputs.size(), plan.inputs.size());
        }
        streamed.Add(batch);
        return {};
      });
  ASSERT_TRUE(read.has_value()) << read.error().ToString();
  // One stored batch per call (16 runs, 4 at the end of a stretch).
  EXPECT_EQ(sizes, (std::vector<size_t>{16, 16, 16, 16, 16, 4}));
  ASSERT_EQ(numbers.size(), all.size());
  for (size_t j = 0; j < all.size(); ++j) EXPECT_EQ(numbers[j], all[j].run);
  const EnsembleSummary a = streamed.Summary();
  const EnsembleSummary b = Summarise(*s, plan, all);
  ASSERT_EQ(a.issues.size(), b.issues.size());
  EXPECT_EQ(a.runs, 84);
  auto bits = [](const IssueSummary& x) {
    std::vector<std::uint64_t> out;
    for (double v : {x.mean, x.sd, x.q05, x.q25, x.q50, x.q75, x.q95,
                     x.p_agreement, x.src_r2})
      out.push_back(std::bit_cast<std::uint64_t>(v));
    for (double v : x.src) out.push_back(std::bit_cast<std::uint64_t>(v));
    return out;
  };
  for (size_t i = 0; i < a.issues.size(); ++i) {
    EXPECT_EQ(bits(a.issues[i]), bits(b.issues[i])) << i;
    EXPECT_EQ(a.issues[i].p_blocking, b.issues[i].p_blocking) << i;
  }

  // A range takes the batches that start in it; a failure stops the reading.
  numbers.clear();
  read = (*store)->ForEachStoredBatch(*id, &plan, 16, 80,
                                      [&](std::span<const RunRecord> batch) {
                                        numbers.push_back(batch.front().run);
                                        return Result<void>();
                                      });
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(numbers, (std::vector<std::uint64_t>{16, 32, 64}));
  int calls = 0;
  read = (*store)->ForEachStoredBatch(
      *id, &plan, 0, 100, [&](std::span<const RunRecord>) -> Result<void> {
        ++calls;
        return InvalidArgument("stop here");
      });
  ASSERT_FALSE(read.has_value());
  EXPECT_EQ(read.error().ToString(), "stop here");
  EXPECT_EQ(calls, 1);
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
                "database (version 2, docs/results-schema.md)");

  Result<std::unique_ptr<ResultStore>> missing =
      ResultStore::Open(::testing::TempDir() + "no/such/dir/r.db");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().kind(), ErrorKind::kIo);
  EXPECT_FALSE(DescribeStore(TempDb("absent")).has_value());
}

}  // namespace
}  // namespace unionstate
