// The CSV long tables (csv_output.cc): quoting, numbers that read back bit
// for bit, and one row per issue / per round, actor and issue.

#include "unionstate/csv_output.h"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <sstream>

#include "unionstate/model.h"
#include "unionstate/scenario_io.h"

namespace unionstate {
namespace {

TEST(CsvOutput, QuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(CsvField("gas_price"), "gas_price");
  EXPECT_EQ(CsvField("Price, 2020"), "\"Price, 2020\"");
  EXPECT_EQ(CsvField("the \"ultimatum\""), "\"the \"\"ultimatum\"\"\"");
  EXPECT_EQ(CsvNumber(std::nan("")), "");
  EXPECT_EQ(CsvNumber(127), "127");
}

TEST(CsvOutput, NumbersReadBackBitForBit) {
  for (double x : {0.1, 1.0 / 3, 83.74478207084724, 7.105427357601002e-15,
                   -2.5e300, 5e-324}) {
    const std::string text = CsvNumber(x);
    double back = 0;
    std::from_chars(text.data(), text.data() + text.size(), back);
    EXPECT_EQ(back, x) << text;
  }
}

TEST(CsvOutput, OutcomesAndRoundsOfTheBuiltInScenario) {
  Result<Scenario> s = LoadBuiltinScenario("2019-12.toml");
  ASSERT_TRUE(s.has_value());
  Result<std::unique_ptr<Model>> m = LoadModel("bdm");
  ASSERT_TRUE(m.has_value());
  Result<Forecast> f = (*m)->Run(*s, {.seed = 0});
  ASSERT_TRUE(f.has_value());
  std::istringstream outcomes(ForecastOutcomesToCsv(*s, *f));
  std::string line;
  std::getline(outcomes, line);
  EXPECT_EQ(line,
            "issue,name,unit,min,max,status_quo,outcome,agreement,blocking");
  size_t rows = 0;
  while (std::getline(outcomes, line)) {
    ASSERT_LT(rows, f->issues.size());
    const IssueForecast& issue = f->issues[rows];
    EXPECT_TRUE(line.starts_with(s->issues[rows].id + ","));
    // The outcome is the 7th field counting from the end's 3rd: find it by
    // the agreement flag that follows it.
    const std::string flag = issue.agreement ? ",true," : ",false,";
    const size_t at = line.rfind(flag);
    ASSERT_NE(at, std::string::npos) << line;
    const size_t start = line.rfind(',', at - 1) + 1;
    double outcome = 0;
    std::from_chars(line.data() + start, line.data() + at, outcome);
    EXPECT_EQ(outcome, issue.outcome) << line;
    ++rows;
  }
  EXPECT_EQ(rows, s->issues.size());
  // Rounds: a row per position an actor holds, in every round.
  const std::string rounds = ForecastRoundsToCsv(*s, *f);
  const auto lines = std::count(rounds.begin(), rounds.end(), '\n');
  EXPECT_EQ(static_cast<size_t>(lines),
            1 + f->rounds.size() * s->stances.size());
}

}  // namespace
}  // namespace unionstate
