#include "unionstate/evaluate.h"

#include <gtest/gtest.h>

#include "tests/support/test_support.h"
#include "unionstate/model.h"
#include "unionstate/output.h"
#include "unionstate/scenario_io.h"

namespace unionstate {
namespace {

ForecastSummary TwoIssues() {
  ForecastSummary f;
  f.scenario = "s";
  f.model = "m";
  f.issues.push_back({"gas", "Gas", "USD", 50, 250, 128.5, 100, true});
  f.issues.push_back({"tax", "Tax", "depth", 0, 100, 0, 30, true});
  f.issues.push_back({"sup", "31st", "depth", 0, 100, 0, 0, false});
  return f;
}

TEST(Observed, ParsesOutcomesAndWordings) {
  Result<ObservedOutcomes> o = ParseObserved(R"(
[observed]
name = "November 2021"
as_of = 2021-11-04
source = "seeds"

[[outcomes]]
issue = "gas"
outcome = 128.5
source = "seed 003"

[[outcomes]]
issue = "tax"
wording = "implementation of an integrated system of excise tax administration"

[[outcomes]]
issue = "sup"
wording = "dropped"
agreement = false
)",
                                             "obs.toml");
  ASSERT_TRUE(o.has_value()) << o.error().ToString();
  EXPECT_EQ(o->name, "November 2021");
  EXPECT_EQ(o->as_of->ToString(), "2021-11-04");
  ASSERT_EQ(o->outcomes.size(), 3u);
  EXPECT_EQ(o->outcomes[0].outcome, 128.5);
  EXPECT_EQ(o->outcomes[0].source, "seed 003");
  EXPECT_EQ(o->outcomes[1].outcome, 80);  // the commitment ladder
  EXPECT_EQ(o->outcomes[2].outcome, 0);
  EXPECT_EQ(o->outcomes[2].agreement, false);
}

TEST(Observed, ReportsEveryMistakeWithItsPlace) {
  Result<ObservedOutcomes> o = ParseObserved(R"([observed]
name = "x"
[[outcomes]]
issue = "gas"
outcome = 1
wording = "harmonise"
[[outcomes]]
issue = "tax"
wording = "cooperate on culture"
[[outcomes]]
issue = "gas"
outcome = "high"
colour = "red"
)",
                                             "obs.toml");
  ASSERT_FALSE(o.has_value());
  EXPECT_EQ(
      o.error().ToString(),
      "obs.toml:3:1: [[outcomes]] for issue \"gas\" gives both outcome and "
      "wording; "
      "expected either `outcome` (a number) or `wording` (a commitment text)\n"
      "obs.toml:9:11: the wording \"cooperate on culture\" matches no rung of "
      "the "
      "commitment ladder; expected a phrase such as \"harmonise\", "
      "\"standardise\", "
      "\"single market\" or \"supranational\" "
      "(include/unionstate/commitment.h)\n"
      "obs.toml:10:1: issue \"gas\" is observed twice (first at obs.toml:3:1); "
      "expected it "
      "once\n"
      "obs.toml:12:11: \"outcome\" is not a number; expected a number on the "
      "issue's scale\n"
      "obs.toml:13:1: unknown field \"colour\" in [[outcomes]]; expected one "
      "of issue, "
      "outcome, wording, agreement, source");
}

TEST(Evaluate, ScoresErrorsAndAgreementCalls) {
  ObservedOutcomes o;
  o.name = "obs";
  o.outcomes.push_back({"gas", 128.5, std::nullopt, "", "seed 003", {}});
  o.outcomes.push_back(
      {"tax", 80, std::nullopt, "integrated system", "seed 001", {}});
  o.outcomes.push_back({"sup", 0, false, "dropped", "seed 003", {}});
  o.outcomes.push_back({"oil", 40, std::nullopt, "", "", {}});
  Result<Evaluation> e = Evaluate(TwoIssues(), o);
  ASSERT_TRUE(e.has_value()) << e.error().ToString();
  ASSERT_EQ(e->issues.size(), 3u);
  EXPECT_DOUBLE_EQ(e->issues[0].error, 28.5);
  EXPECT_DOUBLE_EQ(e->issues[0].error_percent, 100 * 28.5 / 200);
  // The gas price did not move from its status quo: no agreement; the
  // forecast said agreement.
  EXPECT_EQ(e->issues[0].agreement_observed, false);
  EXPECT_DOUBLE_EQ(e->issues[1].error, 50);
  EXPECT_EQ(e->issues[1].agreement_observed, true);
  EXPECT_EQ(e->issues[2].agreement_observed, false);
  EXPECT_DOUBLE_EQ(e->mae_percent, (14.25 + 50 + 0) / 3);
  EXPECT_FALSE(e->mae.has_value());  // USD and depth do not average
  EXPECT_DOUBLE_EQ(*e->agreement_accuracy, 2.0 / 3);
  EXPECT_EQ(e->unforecast, std::vector<std::string>{"oil"});
  EXPECT_TRUE(e->unscored.empty());
}

TEST(Evaluate, RejectsAnObservationOffTheScale) {
  ObservedOutcomes o;
  o.outcomes.push_back({"tax", 120, std::nullopt, "", "", {"obs.toml", 7, 1}});
  Result<Evaluation> e = Evaluate(TwoIssues(), o);
  ASSERT_FALSE(e.has_value());
  EXPECT_EQ(e.error().ToString(),
            "obs.toml:7:1: the observed outcome 120 of issue \"tax\" is off "
            "its scale [0, 100]; "
            "expected a value on the scale");
}

TEST(Evaluate, NothingToScoreIsAnError) {
  ObservedOutcomes o;
  o.file = "obs.toml";
  o.outcomes.push_back({"elsewhere", 1, std::nullopt, "", "", {}});
  EXPECT_FALSE(Evaluate(TwoIssues(), o).has_value());
}

// A forecast read back from the JSON `unionstate run` writes scores the same
// as the forecast itself.
TEST(Evaluate, ForecastJsonRoundTrips) {
  Scenario deu = testing::LoadOrDie(
      testing::SharedPath("oracles/deu_compromise_nbs/deu3.csv"));
  Result<std::unique_ptr<Model>> model = LoadModel("compromise");
  Result<Forecast> f = (*model)->Run(deu, {});
  ASSERT_TRUE(f.has_value());
  ForecastSummary direct = SummarizeForecast(deu, *f);
  std::string json = ForecastToJson(deu, *f);
  EXPECT_TRUE(LooksLikeForecastJson(json));
  Result<ForecastSummary> read = ParseForecastJson(json, "f.json");
  ASSERT_TRUE(read.has_value()) << read.error().ToString();
  ObservedOutcomes observed = ObservedFromScenario(deu);
  Result<Evaluation> a = Evaluate(direct, observed);
  Result<Evaluation> b = Evaluate(*read, observed);
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_EQ(a->mae, b->mae);
  EXPECT_NEAR(*a->mae, 23.2237, 5e-5);
  EXPECT_EQ(a->agreement_accuracy, b->agreement_accuracy);
}

TEST(Evaluate, RejectsJsonThatIsNotAForecast) {
  Result<ForecastSummary> f =
      ParseForecastJson("{\"issues\": [{\"id\": 3}]}", "f.json");
  ASSERT_FALSE(f.has_value());
  EXPECT_EQ(
      f.error().ToString(),
      "f.json: issue 1 has no \"min\"; expected the output of `unionstate run` "
      "(docs/output-format.md)");
  EXPECT_FALSE(ParseForecastJson("{not json", "f.json").has_value());
}

}  // namespace
}  // namespace unionstate
