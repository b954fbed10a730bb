// The results database under faults (issue 18, items 8 and 11): a disk that
// fails a write or an fsync in the middle of a batch (store/fault_vfs.h),
// and a database whose process died before its first batch.

#include <gtest/gtest.h>

#include <cstdio>

#include "store/fault_vfs.h"
#include "tests/support/test_support.h"
#include "unionstate/scenario_io.h"
#include "unionstate/store.h"

namespace unionstate {
namespace {

std::string TempDb(const std::string& name) {
  std::string path = ::testing::TempDir() + "unionstate_fault_" + name + ".db";
  for (const char* suffix : {"", "-wal", "-shm"})
    std::remove((path + suffix).c_str());
  return path;
}

// Removes the faults however the test ends.
struct FaultScope {
  explicit FaultScope(internal::StoreFaults* f) { internal::SetStoreFaults(f); }
  ~FaultScope() { internal::SetStoreFaults(nullptr); }
};

struct Fixture {
  Scenario scenario = *LoadBuiltinScenario();
  EnsemblePlan plan = PlanEnsemble(scenario, {.positions = 10});
  std::unique_ptr<Model> model = std::move(*LoadModel("compromise"));
  EnsembleHeader header{"builtin:x", "text", "compromise", 1, "positions=10",
                        64};
};

TEST(StoreFaults, ShowSaysNoRunsCommittedBeforeTheFirstBatch) {
  const std::string path = TempDb("empty");
  Fixture f;
  {
    Result<std::unique_ptr<ResultStore>> store = ResultStore::Open(path);
    ASSERT_TRUE(store.has_value()) << store.error().ToString();
    ASSERT_TRUE((*store)->BeginEnsemble(f.header, f.scenario, f.plan));
  }  // killed here: status "running", no runs
  Result<std::string> text = DescribeStore(path);
  ASSERT_TRUE(text.has_value()) << text.error().ToString();
  EXPECT_NE(text->find("runs:         0 stored of 64 requested\n"), std::string::npos)
      << *text;
  EXPECT_NE(text->find("  no runs committed\n"), std::string::npos) << *text;
  EXPECT_EQ(text->find("nan"), std::string::npos) << *text;
}

// Runs 64 runs in batches of 16 into `path`; before the third batch,
// `arm` sets the faults. Returns the ensemble's result.
Result<EnsembleRuns> RunWithFaultAtThirdBatch(
    const std::string& path, internal::StoreFaults& faults,
    const std::function<void()>& arm) {
  Fixture f;
  Result<std::unique_ptr<ResultStore>> store = ResultStore::Open(path);
  EXPECT_TRUE(store.has_value());
  Result<std::int64_t> id = (*store)->BeginEnsemble(f.header, f.scenario, f.plan);
  EXPECT_TRUE(id.has_value());
  int batch = 0;
  EnsembleOptions o{.runs = 64, .seed = 3, .threads = 1, .batch = 16};
  o.on_batch = [&](std::span<const RunRecord> runs) {
    if (++batch == 3) arm();
    return (*store)->AddRuns(*id, runs);
  };
  (void)faults;
  return RunEnsemble(f.scenario, *f.model, f.plan, o);
}

TEST(StoreFaults, WriteFailingMidBatchIsReportedAndLosesNothingCommitted) {
  const std::string path = TempDb("write");
  internal::StoreFaults faults;
  FaultScope scope(&faults);
  // The second write of the third batch's commit fails, and every later one.
  Result<EnsembleRuns> runs = RunWithFaultAtThirdBatch(path, faults, [&] {
    faults.fail_write_from = faults.writes.load() + 2;
  });
  ASSERT_FALSE(runs.has_value());
  EXPECT_EQ(runs.error().kind(), ErrorKind::kIo) << runs.error().ToString();
  EXPECT_NE(runs.error().ToString().find(path), std::string::npos)
      << runs.error().ToString();
  EXPECT_GE(faults.writes.load(), faults.fail_write_from.load());

  internal::SetStoreFaults(nullptr);
  EXPECT_EQ(testing::SqlText(path, "PRAGMA integrity_check"), "ok");
  // Two whole batches, runs 0-31, in the store's packed rows (schema 2).
  EXPECT_EQ(testing::SqlInt(path, "SELECT sum(runs) FROM batches"), 32);
  EXPECT_EQ(testing::SqlInt(path, "SELECT max(first_run + runs - 1) FROM batches"),
            31);
  Result<std::string> text = DescribeStore(path);
  ASSERT_TRUE(text.has_value()) << text.error().ToString();
  EXPECT_NE(text->find("runs:         32 stored of 64 requested"), std::string::npos)
      << *text;
}

// In WAL mode with synchronous=FULL (store.cc) every commit syncs the WAL.
// An fsync refused from the third batch on fails that batch's commit: the
// ensemble stops with an I/O error naming the database, and the batches
// committed before are all there when the database is opened again.
TEST(StoreFaults, FsyncFailingMidEnsembleIsReportedAndLosesNothingCommitted) {
  const std::string path = TempDb("sync");
  internal::StoreFaults faults;
  FaultScope scope(&faults);
  std::int64_t syncs_before = -1;
  Result<EnsembleRuns> runs = RunWithFaultAtThirdBatch(path, faults, [&] {
    syncs_before = faults.syncs.load();
    faults.fail_sync_from = syncs_before + 1;
  });
  ASSERT_FALSE(runs.has_value());
  EXPECT_EQ(runs.error().kind(), ErrorKind::kIo) << runs.error().ToString();
  EXPECT_NE(runs.error().ToString().find(path), std::string::npos)
      << runs.error().ToString();
  EXPECT_GT(faults.syncs.load(), syncs_before);

  internal::SetStoreFaults(nullptr);
  EXPECT_EQ(testing::SqlText(path, "PRAGMA integrity_check"), "ok");
  // Runs 0-31 were committed and synced. The third batch's frames reached
  // the WAL before its sync was refused, so the next open's WAL recovery
  // finds it whole (SQLite 3.40): a batch the ensemble reported as failed
  // may be there, never a part of one, and the runs stay a prefix.
  EXPECT_EQ(testing::SqlInt(path, "SELECT sum(runs) FROM batches"), 48);
  EXPECT_EQ(testing::SqlInt(path, "SELECT max(first_run + runs) FROM batches"),
            48);
}

}  // namespace
}  // namespace unionstate
