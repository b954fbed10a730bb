// Golden runs (tests/golden/manifest.txt): whole-program outputs on the
// scenario corpus, compared byte for byte. After an intended change of
// behaviour, run scripts/regen-golden.sh and review the diff.

#include <gtest/gtest.h>

#include <sstream>

#include "tests/support/test_support.h"

namespace unionstate {
namespace {

struct GoldenRun {
  std::string name;
  std::string arguments;
};

std::vector<GoldenRun> Manifest() {
  std::vector<GoldenRun> runs;
  std::stringstream in(
      testing::ReadText(testing::SourcePath("tests/golden/manifest.txt")));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t bar = line.find('|');
    if (bar == std::string::npos) {
      ADD_FAILURE() << "manifest line without '|': " << line;
      continue;
    }
    auto trim = [](std::string s) {
      s.erase(0, s.find_first_not_of(' '));
      s.erase(s.find_last_not_of(' ') + 1);
      return s;
    };
    runs.push_back({trim(line.substr(0, bar)), trim(line.substr(bar + 1))});
  }
  return runs;
}

TEST(Golden, EveryManifestRunMatchesItsGoldenOutput) {
  std::vector<GoldenRun> runs = Manifest();
  ASSERT_GE(runs.size(), 10u);
  for (const GoldenRun& run : runs) {
    SCOPED_TRACE(run.name);
    std::string arguments = run.arguments;
    // Oracle data: wherever shared/ lives on this machine.
    for (size_t at = arguments.find("../shared/"); at != std::string::npos;
         at = arguments.find("../shared/", at)) {
      arguments.replace(at, 10, testing::SharedPath(""));
    }
    testing::CommandResult r =
        testing::RunUnionstateIn(testing::SourcePath(""), arguments);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::string expected = testing::ReadText(
        testing::SourcePath("tests/golden/" + run.name + ".out"));
    EXPECT_EQ(r.out, expected)
        << "output of `unionstate " << run.arguments
        << "` changed; if intended, run scripts/regen-golden.sh and "
           "review the diff";
  }
}

}  // namespace
}  // namespace unionstate
