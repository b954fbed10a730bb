// Convergence detection (issue 18, item 2): a forecast says whether the
// rounds of bdm, smp and exchange came to rest, cycled or ran out.

#include "models/convergence.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "tests/support/test_support.h"
#include "unionstate/model.h"

namespace unionstate {
namespace {

using Status = Convergence::Status;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// One issue on [0, 100], two actors; round r has positions {x[r], y[r]} and
// outcome (x[r] + y[r]) / 2.
struct Play {
  Scenario scenario;
  Forecast forecast;
};
Play MakePlay(const std::vector<std::pair<double, double>>& rounds) {
  Play p;
  p.scenario.issues.resize(1);
  p.scenario.issues[0].id = "i";
  p.scenario.actors.resize(2);
  p.scenario.actors[0].id = "a";
  p.scenario.actors[1].id = "b";
  p.forecast.issues.resize(1);
  p.forecast.issues[0].issue = 0;
  int r = 0;
  for (const auto& [x, y] : rounds) {
    Round round;
    round.round = r++;
    round.positions = {x, y};
    round.issue_values.push_back({"outcome", {(x + y) / 2}});
    p.forecast.rounds.push_back(std::move(round));
  }
  return p;
}

Convergence Detect(Play p, bool stopped_by_rule = false) {
  internal::DetectConvergence(p.scenario, "outcome", stopped_by_rule,
                              &p.forecast);
  return p.forecast.issues[0].convergence;
}

TEST(Convergence, RestingPositionsConvergeWhereTheyStoppedMoving) {
  Convergence c =
      Detect(MakePlay({{0, 100}, {20, 80}, {40, 60}, {40, 60}, {40, 60}}));
  EXPECT_EQ(c.status, Status::kConverged);
  EXPECT_EQ(c.round, 2);
}

TEST(Convergence, ATwoRoundSwapIsACycleWithTheOutcomesItSwingsBetween) {
  Convergence c = Detect(MakePlay(
      {{50, 50}, {0, 100}, {100, 100}, {0, 100}, {100, 100}, {0, 100}}));
  EXPECT_EQ(c.status, Status::kCycle);
  EXPECT_EQ(c.round, 1);
  EXPECT_EQ(c.period, 2);
  EXPECT_EQ(c.low, 50);
  EXPECT_EQ(c.high, 100);
}

TEST(Convergence, AThreeRoundCycleIsFound) {
  Convergence c = Detect(
      MakePlay({{10, 10}, {0, 0}, {30, 0}, {60, 0}, {0, 0}, {30, 0}, {60, 0}}));
  EXPECT_EQ(c.status, Status::kCycle);
  EXPECT_EQ(c.round, 1);
  EXPECT_EQ(c.period, 3);
  EXPECT_EQ(c.low, 0);
  EXPECT_EQ(c.high, 30);
}

TEST(Convergence, StillMovingAtTheLastRoundIsUnsettled) {
  Convergence c = Detect(MakePlay({{0, 100}, {10, 90}, {20, 80}, {30, 70}}));
  EXPECT_EQ(c.status, Status::kUnsettled);
  EXPECT_EQ(c.round, 3);
  // Unless the model's own stop rule ended the play.
  c = Detect(MakePlay({{0, 100}, {10, 90}, {20, 80}, {30, 70}}), true);
  EXPECT_EQ(c.status, Status::kConverged);
  EXPECT_EQ(c.round, 3);
}

TEST(Convergence, DifferencesBelowOneBillionthOfTheScaleAreRest) {
  Convergence c = Detect(MakePlay({{0, 100}, {40, 60}, {40 + 1e-8, 60}}));
  EXPECT_EQ(c.status, Status::kConverged);
  c = Detect(MakePlay({{0, 100}, {40, 60}, {40 + 1e-6, 60}}));
  EXPECT_EQ(c.status, Status::kUnsettled);
}

TEST(Convergence, IssuesNobodyTakesAPositionOnAndUnplayedRunsGetNothing) {
  Convergence c = Detect(MakePlay({{kNaN, kNaN}, {kNaN, kNaN}}));
  EXPECT_EQ(c.status, Status::kNotIterated);
  c = Detect(MakePlay({{0, 100}}));
  EXPECT_EQ(c.status, Status::kNotIterated);
}

Forecast RunOn(const Scenario& s, const std::string& spec) {
  Result<std::unique_ptr<Model>> model = LoadModel(spec);
  EXPECT_TRUE(model.has_value()) << model.error().ToString();
  Result<Forecast> f = (*model)->Run(s, {});
  EXPECT_TRUE(f.has_value()) << f.error().ToString();
  return *f;
}

// The issue's reproducer: two actors swap 0 and 100 every round, so rounds=9
// and rounds=10 forecast different outcomes. Both runs say so.
TEST(Issue18Oscillation, BdmSwappingActorsAreReportedAsACycle) {
  const Scenario s = testing::LoadOrDie(
      testing::SourcePath("tests/data/oscillating_deal.toml"));
  const Forecast odd = RunOn(s, "bdm(rounds=9)");
  const Forecast even = RunOn(s, "bdm(rounds=10)");
  EXPECT_NEAR(odd.issues[0].outcome, 30.303030303, 1e-6);
  EXPECT_NEAR(even.issues[0].outcome, 24.242424242, 1e-6);
  for (const Forecast* f : {&odd, &even}) {
    const Convergence& c = f->issues[0].convergence;
    EXPECT_EQ(c.status, Status::kCycle);
    EXPECT_EQ(c.round, 1);
    EXPECT_EQ(c.period, 2);
    EXPECT_DOUBLE_EQ(c.low, even.issues[0].outcome);
    EXPECT_DOUBLE_EQ(c.high, odd.issues[0].outcome);
  }
  // The swap itself: us and eu3 trade 0 and 100 from one round to the next.
  const std::vector<double>& last = even.rounds.back().positions;
  const std::vector<double>& before = even.rounds[9].positions;
  const int us = s.FindActor("us");
  const int eu3 = s.FindActor("eu3");
  EXPECT_EQ(last[static_cast<size_t>(us)], 0);
  EXPECT_EQ(before[static_cast<size_t>(us)], 100);
  EXPECT_EQ(last[static_cast<size_t>(eu3)], 100);
  EXPECT_EQ(before[static_cast<size_t>(eu3)], 0);
}

TEST(Issue18Oscillation, RoundLimitWithoutRestIsUnsettled) {
  const Scenario s = testing::LoadOrDie(
      testing::SourcePath("tests/data/oscillating_deal.toml"));
  // One round is too few to see a repetition: still moving at the end.
  const Forecast f = RunOn(s, "bdm(rounds=1)");
  EXPECT_EQ(f.issues[0].convergence.status, Status::kUnsettled);
  EXPECT_EQ(f.issues[0].convergence.round, 1);
}

TEST(Issue18Oscillation, SmpAndExchangeReportConvergenceToo) {
  const Scenario s = testing::LoadOrDie(
      testing::SourcePath("tests/data/oscillating_deal.toml"));
  const Forecast smp = RunOn(s, "smp");
  EXPECT_EQ(smp.issues[0].convergence.status, Status::kConverged);
  EXPECT_EQ(smp.issues[0].convergence.round, 3);  // the stop rule fired
  const Forecast exchange = RunOn(s, "exchange");
  // One issue: nothing to trade, nothing moves.
  EXPECT_EQ(exchange.issues[0].convergence.status, Status::kConverged);
  EXPECT_EQ(exchange.issues[0].convergence.round, 0);
  // Models without rounds say nothing.
  EXPECT_EQ(RunOn(s, "compromise").issues[0].convergence.status,
            Status::kNotIterated);
}

}  // namespace
}  // namespace unionstate
