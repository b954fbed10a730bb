// Replays every input a fuzzer ever found (tests/data/fuzz-regressions/
// <target>/<file>) through the same code the fuzz target runs
// (tests/support/fuzz_targets.h). A regression crashes or aborts here; the
// sanitizer build (scripts/test.sh) also catches what only a sanitizer sees.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "tests/support/fuzz_targets.h"
#include "tests/support/test_support.h"

namespace unionstate {
namespace {

namespace fs = std::filesystem;

TEST(FuzzRegressions, EveryKeptInputRunsCleanThroughItsTarget) {
  const fs::path root = testing::SourcePath("tests/data/fuzz-regressions");
  ASSERT_TRUE(fs::is_directory(root)) << root;
  int replayed = 0;
  for (const fs::directory_entry& dir : fs::directory_iterator(root)) {
    if (!dir.is_directory()) continue;
    const std::string target = dir.path().filename().string();
    auto names = testing::FuzzTargetNames();
    ASSERT_NE(std::find(names.begin(), names.end(), target), names.end())
        << target << " is not a fuzz target";
    for (const fs::directory_entry& file : fs::directory_iterator(dir)) {
      SCOPED_TRACE(file.path().string());
      EXPECT_TRUE(testing::RunFuzzTarget(target,
                                         testing::ReadText(file.path())));
      ++replayed;
    }
  }
  EXPECT_GT(replayed, 0);
}

}  // namespace
}  // namespace unionstate
