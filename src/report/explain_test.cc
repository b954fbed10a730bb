#include "unionstate/explain.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/convergence.h"
#include "tests/support/test_support.h"
#include "unionstate/model.h"
#include "unionstate/output.h"
#include "unionstate/scenario_io.h"

namespace unionstate {
namespace {

struct HandActor {
  const char* id;
  double capability;
  double position;
  double salience;
  bool veto;
};

// One issue "x" on [0, 100] with status quo `sq` under `rule`.
Scenario Build(const std::vector<HandActor>& actors, double sq,
               const char* rule) {
  std::string text = "[scenario]\nname = \"hand\"\n";
  for (const HandActor& a : actors) {
    text += std::string("[[actors]]\nid = \"") + a.id +
            "\"\ncapability = " + std::to_string(a.capability) +
            "\nveto = " + (a.veto ? "true" : "false") + "\n";
  }
  text += "[[issues]]\nid = \"x\"\nmin = 0\nmax = 100\nrule = \"" +
          std::string(rule) + "\"\nstatus_quo = " + std::to_string(sq) + "\n";
  for (const HandActor& a : actors) {
    text += std::string("[[positions]]\nactor = \"") + a.id +
            "\"\nissue = \"x\"\nposition = " + std::to_string(a.position) +
            "\nsalience = " + std::to_string(a.salience) + "\n";
  }
  Result<Scenario> s = ParseScenario(text, "hand.toml");
  EXPECT_TRUE(s.has_value()) << s.error().ToString();
  return *s;
}

// A forecast of `outcome` with the scenario's positions as round 0 and one
// more round per entry of `later` (positions per actor).
Forecast Make(const Scenario& scenario, double outcome,
              const std::vector<std::vector<double>>& later = {},
              std::vector<std::string> blocking = {}) {
  Forecast f;
  f.scenario = scenario.name;
  f.model = "hand";
  IssueForecast issue;
  issue.issue = 0;
  issue.outcome = outcome;
  issue.agreement = blocking.empty();
  issue.blocking = std::move(blocking);
  f.issues.push_back(issue);
  Round zero;
  for (size_t a = 0; a < scenario.actors.size(); ++a) {
    zero.positions.push_back(
        scenario.FindStance(static_cast<int>(a), 0)->position.value);
  }
  f.rounds.push_back(zero);
  for (size_t r = 0; r < later.size(); ++r) {
    Round round;
    round.round = static_cast<int>(r + 1);
    round.positions = later[r];
    f.rounds.push_back(round);
  }
  return f;
}

TEST(Explain, BlockersComeFirst) {
  Scenario s =
      Build({{"a", 1, 80, 1, true}, {"b", 1, 20, 0.5, false}}, 50, "unanimity");
  std::vector<IssueExplanation> why =
      ExplainForecast(s, Make(s, 50, {}, {"a"}));
  ASSERT_EQ(why.size(), 1u);
  EXPECT_EQ(why[0].blocking, std::vector<std::string>{"a"});
  EXPECT_TRUE(why[0].pivotal.empty());
  // One-shot: b loses 0.5 * |20 - 50| = 15, a loses 1 * 30 = 30.
  ASSERT_EQ(why[0].movers.size(), 2u);
  EXPECT_EQ(why[0].movers[0].actor, "a");
  EXPECT_DOUBLE_EQ(why[0].movers[0].amount, 30);
  EXPECT_DOUBLE_EQ(why[0].movers[1].amount, 15);
  EXPECT_EQ(why[0].convergence.status, Convergence::Status::kNotIterated);
  EXPECT_EQ(why[0].text, "blocked by a; gives up most: a (30); one-shot");
}

TEST(Explain, VetoHolderAtItsLimitIsPivotal) {
  // a (veto) wants 20 and the status quo is 0: it accepts anything in
  // [0, 40], so an outcome of 40 sits at its limit.
  Scenario s = Build({{"a", 1, 20, 1, true}, {"b", 5, 90, 1, false}}, 0, "qmv");
  std::vector<IssueExplanation> why = ExplainForecast(s, Make(s, 40));
  EXPECT_EQ(why[0].pivotal, "a");
  EXPECT_EQ(why[0].pivotal_reason, "veto");
  EXPECT_EQ(why[0].text.substr(0, 25), "held at a's limit (veto);");
  // At 39 a could still accept more: the weighted median (b, weight 5 of 6)
  // is pivotal instead.
  why = ExplainForecast(s, Make(s, 39));
  EXPECT_EQ(why[0].pivotal, "b");
  EXPECT_EQ(why[0].pivotal_reason, "weighted median");
}

TEST(Explain, WeightedMedianUsesCapabilityTimesSalience) {
  // Weights 3*1, 1*1, 1*1 at 10, 50, 90: a alone holds half of 5.
  Scenario s = Build(
      {{"a", 3, 10, 1, false}, {"b", 1, 50, 1, false}, {"c", 1, 90, 1, false}},
      50, "qmv");
  EXPECT_EQ(ExplainForecast(s, Make(s, 30))[0].pivotal, "a");
  // Halve a's salience: weights 1.5, 1, 1 -> the median moves to b.
  s = Build({{"a", 3, 10, 0.5, false},
             {"b", 1, 50, 1, false},
             {"c", 1, 90, 1, false}},
            50, "qmv");
  EXPECT_EQ(ExplainForecast(s, Make(s, 30))[0].pivotal, "b");
}

// Hand-made rounds, their convergence filled by the models' own detector
// (models/convergence.h) with a constant per-round outcome: the why says
// what the detector found.
Forecast WithRounds(const Scenario& s,
                    const std::vector<std::vector<double>>& later) {
  Forecast f = Make(s, 50, later);
  for (Round& r : f.rounds) r.issue_values.push_back({"outcome", {50}});
  internal::DetectConvergence(s, "outcome", false, &f);
  return f;
}

TEST(Explain, RoundsSettleCycleOrKeepMoving) {
  Scenario s =
      Build({{"a", 1, 10, 1, false}, {"b", 1, 90, 1, false}}, 50, "qmv");
  // Settles after round 2.
  Forecast f = WithRounds(s, {{20, 80}, {30, 70}, {30, 70}, {30, 70}});
  IssueExplanation why = ExplainForecast(s, f)[0];
  EXPECT_EQ(why.convergence.status, Convergence::Status::kConverged);
  EXPECT_EQ(why.convergence.round, 2);
  EXPECT_EQ(why.rounds, 4);
  ASSERT_EQ(why.movers.size(), 2u);
  EXPECT_DOUBLE_EQ(why.movers[0].amount, 20);
  EXPECT_DOUBLE_EQ(why.movers[1].amount, -20);
  EXPECT_NE(why.text.find("moved most: a (+20), b (-20)"), std::string::npos);
  EXPECT_NE(why.text.find("settled by round 2 of 4"), std::string::npos);
  // Flips between two states from the input on.
  why = ExplainForecast(s, WithRounds(s, {{20, 80}, {10, 90}, {20, 80}}))[0];
  EXPECT_EQ(why.convergence.status, Convergence::Status::kCycle);
  EXPECT_EQ(why.convergence.period, 2);
  EXPECT_NE(why.text.find("cycling (period 2) from round 0, outcome between "
                          "50 and 50"),
            std::string::npos);
  // Keeps moving: the last round moved b by 5.
  why = ExplainForecast(s, WithRounds(s, {{20, 80}, {25, 75}, {25, 70}}))[0];
  EXPECT_EQ(why.convergence.status, Convergence::Status::kUnsettled);
  EXPECT_DOUBLE_EQ(why.last_change, 5);
  EXPECT_NE(why.text.find("still moving at round 3 (by 5)"), std::string::npos);
  // The why copies what the forecast says, whatever it says: a forecast
  // marked converged at round 1 is described so, with no second opinion.
  f.issues[0].convergence = {Convergence::Status::kConverged, 1};
  EXPECT_NE(ExplainForecast(s, f)[0].text.find("settled by round 1 of 4"),
            std::string::npos);
}

// issue 18's oscillating deal, run by bdm: the forecast records a cycle of
// period 2, and the why, the table and the JSON all say so in its numbers.
TEST(Explain, CyclingBdmForecastIsDescribedAsCycling) {
  Result<Scenario> s = LoadScenario(
      Env::Default(), testing::SourcePath("tests/data/oscillating_deal.toml"));
  ASSERT_TRUE(s.has_value()) << s.error().ToString();
  Result<std::unique_ptr<Model>> m = LoadModel("bdm");
  ASSERT_TRUE(m.has_value());
  Result<Forecast> f = (*m)->Run(*s, {});
  ASSERT_TRUE(f.has_value());
  const Convergence& c = f->issues[0].convergence;
  ASSERT_EQ(c.status, Convergence::Status::kCycle);
  const IssueExplanation why = ExplainForecast(*s, *f)[0];
  EXPECT_EQ(why.convergence.status, c.status);
  EXPECT_EQ(std::string(ConvergenceWord(why.convergence)), "cycle");
  const std::string words = fmt::format(
      "cycling (period {}) from round {}, outcome between {:.4g} and {:.4g}",
      c.period, c.round, c.low, c.high);
  EXPECT_NE(why.text.find(words), std::string::npos) << why.text;
  // The table prints that why line; the JSON the same cycle.
  const std::string table = ForecastToTable(*s, *f);
  EXPECT_NE(table.find(words), std::string::npos);
  const nlohmann::json json = nlohmann::json::parse(ForecastToJson(*s, *f));
  const nlohmann::json& jc = json["issues"][0]["convergence"];
  EXPECT_EQ(jc["status"], "cycle");
  EXPECT_EQ(jc["period"], c.period);
  EXPECT_EQ(jc["round"], c.round);
}

TEST(Explain, NashBlockerOnTheBuiltInScenario) {
  // The built-in September 2021 snapshot: nash keeps the gas price at the
  // status quo because Russia's president vetoes any cut.
  Result<Scenario> s = LoadBuiltinScenario();
  ASSERT_TRUE(s.has_value());
  Result<std::unique_ptr<Model>> m = LoadModel("nash");
  ASSERT_TRUE(m.has_value());
  Result<Forecast> f = (*m)->Run(*s, {});
  ASSERT_TRUE(f.has_value());
  std::vector<IssueExplanation> why = ExplainForecast(*s, *f);
  ASSERT_EQ(why.size(), s->issues.size());
  const int gas = s->FindIssue("gas_price");
  ASSERT_GE(gas, 0);
  EXPECT_EQ(why[static_cast<size_t>(gas)].blocking,
            f->issues[static_cast<size_t>(gas)].blocking);
  EXPECT_EQ(
      why[static_cast<size_t>(gas)].text.rfind("blocked by ru_president;", 0),
      0u);
}

}  // namespace
}  // namespace unionstate
