#include "models/compromise/compromise.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tests/support/test_support.h"
#include "unionstate/scenario_io.h"

namespace unionstate {
namespace {

using testing::LoadOrDie;
using testing::ReadCsv;
using testing::SharedPath;

Forecast RunOrDie(const std::string& spec, const Scenario& scenario) {
  Result<std::unique_ptr<Model>> model = LoadModel(spec);
  EXPECT_TRUE(model.has_value());
  Result<Forecast> forecast = (*model)->Run(scenario, {});
  EXPECT_TRUE(forecast.has_value()) << forecast.error().ToString();
  return *forecast;
}

// shared/oracles/deu_compromise_nbs: the per-issue predictions computed there
// (cm_gdp with the GDP capability line, cm_equal with equal capabilities,
// mean_positions unweighted) and the mean absolute errors of its README.
TEST(Compromise, ReproducesTheDeuThreeBaselines) {
  Scenario deu = LoadOrDie(SharedPath("oracles/deu_compromise_nbs/deu3.csv"));
  auto rows =
      ReadCsv(SharedPath("oracles/deu_compromise_nbs/expected/"
                         "deu3_baseline_predictions_computed_here.csv"));
  ASSERT_EQ(rows.size(), 365u);
  ASSERT_EQ(rows[0][5], "cm_gdp");
  Forecast gdp = RunOrDie("compromise", deu);
  Forecast equal = RunOrDie("compromise(weights=salience)", deu);
  Forecast plain = RunOrDie("compromise(weights=none)", deu);
  double error_gdp = 0;
  double error_equal = 0;
  double error_plain = 0;
  int scored = 0;
  for (size_t r = 1; r < rows.size(); ++r) {
    const auto& row = rows[r];
    int issue = deu.FindIssue(row[1]);
    ASSERT_GE(issue, 0) << row[1];
    size_t i = static_cast<size_t>(issue);
    SCOPED_TRACE(row[1]);
    // The oracle prints six decimals.
    EXPECT_NEAR(gdp.issues[i].outcome, std::stod(row[5]), 5.1e-7);
    EXPECT_NEAR(equal.issues[i].outcome, std::stod(row[6]), 5.1e-7);
    EXPECT_NEAR(plain.issues[i].outcome, std::stod(row[7]), 5.1e-7);
    if (row[3].empty()) {
      EXPECT_FALSE(deu.issues[i].observed.has_value());
      continue;
    }
    double observed = std::stod(row[3]);
    EXPECT_DOUBLE_EQ(*deu.issues[i].observed, observed);
    error_gdp += std::abs(gdp.issues[i].outcome - observed);
    error_equal += std::abs(equal.issues[i].outcome - observed);
    error_plain += std::abs(plain.issues[i].outcome - observed);
    ++scored;
  }
  EXPECT_EQ(scored, 353);
  EXPECT_NEAR(error_gdp / scored, 23.2237, 5e-5);
  EXPECT_NEAR(error_equal / scored, 23.6808, 5e-5);
  EXPECT_NEAR(error_plain / scored, 23.7100, 5e-5);
}

// shared/oracles/mean_voter_greece: 3 700 000 / 45 000.
TEST(Compromise, ReproducesTheGreekMeanVoter) {
  Scenario greece =
      LoadOrDie(SharedPath("oracles/mean_voter_greece/greece.csv"));
  Forecast f = RunOrDie("compromise", greece);
  EXPECT_NEAR(f.issues[0].outcome, 3700000.0 / 45000.0, 1e-12);
}

// shared/oracles/bdm_scholz README: the initial weighted mean of the EU
// emissions example.
TEST(Compromise, ReproducesTheScholzInitialMean) {
  Scenario eu = LoadOrDie(SharedPath("oracles/bdm_scholz/ExampleActors.csv"));
  Forecast f = RunOrDie("compromise", eu);
  EXPECT_NEAR(f.issues[0].outcome, 7.389955686853767, 1e-14);
}

TEST(Compromise, AnIssueNobodyCaresAboutKeepsItsStatusQuo) {
  Result<Scenario> s = ParseScenario(R"(
[scenario]
name = "indifferent"
[[actors]]
id = "a"
capability = 1
[[issues]]
id = "i"
min = 0
max = 10
status_quo = 3
[[positions]]
actor = "a"
issue = "i"
position = 9
salience = 0
)",
                                     "t.toml");
  ASSERT_TRUE(s.has_value());
  Forecast f = RunOrDie("compromise", *s);
  EXPECT_EQ(f.issues[0].outcome, 3);
  EXPECT_FALSE(f.issues[0].agreement);
}

}  // namespace
}  // namespace unionstate
