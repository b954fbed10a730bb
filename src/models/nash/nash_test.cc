#include "models/nash/nash.h"

#include <gtest/gtest.h>

#include <cmath>

#include "unionstate/scenario_io.h"

namespace unionstate {
namespace {

// Two or three actors on one issue [0, 100], written as a TOML scenario.
struct HandActor {
  const char* id;
  double capability;
  double position;
  double salience;
  bool veto;
};

Scenario Build(const std::vector<HandActor>& actors,
               std::optional<double> status_quo, const char* rule) {
  std::string text = "[scenario]\nname = \"hand\"\n";
  for (const HandActor& a : actors) {
    text += std::string("[[actors]]\nid = \"") + a.id +
            "\"\ncapability = " + std::to_string(a.capability) +
            "\nveto = " + (a.veto ? "true" : "false") + "\n";
  }
  text += "[[issues]]\nid = \"x\"\nmin = 0\nmax = 100\nrule = \"" +
          std::string(rule) + "\"\n";
  if (status_quo) text += "status_quo = " + std::to_string(*status_quo) + "\n";
  for (const HandActor& a : actors) {
    text += std::string("[[positions]]\nactor = \"") + a.id +
            "\"\nissue = \"x\"\nposition = " + std::to_string(a.position) +
            "\nsalience = " + std::to_string(a.salience) + "\n";
  }
  Result<Scenario> s = ParseScenario(text, "hand.toml");
  EXPECT_TRUE(s.has_value()) << s.error().ToString();
  return *s;
}

IssueForecast Solve(const Scenario& s, const char* spec = "nash") {
  Result<std::unique_ptr<Model>> model = LoadModel(spec);
  EXPECT_TRUE(model.has_value());
  Result<Forecast> f = (*model)->Run(s, {});
  EXPECT_TRUE(f.has_value());
  return f->issues[0];
}

// Symmetric actors at the two ends, nobody with a veto: the middle.
TEST(Nash, SymmetricActorsMeetInTheMiddle) {
  Scenario s =
      Build({{"a", 1, 0, 1, false}, {"b", 1, 100, 1, false}}, 50, "majority");
  IssueForecast f = Solve(s);
  EXPECT_NEAR(f.outcome, 50, 1e-12);
  EXPECT_FALSE(f.agreement);  // 50 is the status quo itself
  EXPECT_TRUE(f.blocking.empty());
}

// Capabilities 2 and 1 at 0 and 100, disagreement at the far ends: with
// y = x/100 the first-order condition is 3y^3 - 5y^2 - y + 1 = 0.
TEST(Nash, CapabilityWeightsTheProduct) {
  Scenario s = Build({{"a", 2, 0, 1, false}, {"b", 1, 100, 1, false}},
                     std::nullopt, "majority");
  IssueForecast f = Solve(s);
  double y = f.outcome / 100;
  EXPECT_NEAR(3 * y * y * y - 5 * y * y - y + 1, 0, 1e-12);
  EXPECT_GT(y, 0.39);
  EXPECT_LT(y, 0.40);
  EXPECT_TRUE(f.agreement);
}

// Nash's own case: everybody holds a veto (unanimity), status quo 0, ideal
// points 60 and 100. The gains are x(120 - x) and x(200 - x); the first-order
// condition reduces to x^2 - 240x + 12000 = 0, so x = 120 - 20 sqrt(6).
TEST(Nash, UnanimityIsNashWithTheStatusQuoAsDisagreementPoint) {
  Scenario s =
      Build({{"a", 1, 60, 1, false}, {"b", 1, 100, 1, false}}, 0, "unanimity");
  IssueForecast f = Solve(s);
  EXPECT_NEAR(f.outcome, 120 - 20 * std::sqrt(6.0), 1e-10);
  EXPECT_TRUE(f.agreement);
}

// A veto holder at 40 with the status quo at 50 accepts only [30, 50]; the
// other actor, at 0 without a veto, can be pushed to 30. Gains (x-30)(50-x)
// and (50-x)(50+x); the condition is x^2 - 10x - 1000 = 0: x = 5 + sqrt(1025).
TEST(Nash, AVetoHolderBoundsTheBargain) {
  Scenario s =
      Build({{"a", 1, 40, 1, true}, {"b", 1, 0, 1, false}}, 50, "parity");
  IssueForecast f = Solve(s);
  EXPECT_NEAR(f.outcome, 5 + std::sqrt(1025.0), 1e-10);
  EXPECT_TRUE(f.agreement);
}

// Veto holders on both sides of the status quo: nothing both accept but the
// status quo. The weighted mean (55) points right, so the holder at 40
// blocks.
TEST(Nash, OpposedVetoHoldersKeepTheStatusQuoAndAreNamed) {
  Scenario s =
      Build({{"a", 1, 40, 1, true}, {"b", 1, 70, 1, true}}, 50, "parity");
  IssueForecast f = Solve(s);
  EXPECT_EQ(f.outcome, 50);
  EXPECT_FALSE(f.agreement);
  EXPECT_EQ(f.blocking, std::vector<std::string>{"a"});
}

// The same actors without vetoes: disagreement at the worst end of the scale
// (-3600 for a at 40, -4900 for b at 70). The condition is
// x^3 - 165x^2 + 4600x + 70000 = 0 between the two ideal points.
TEST(Nash, WithoutVetoesTheStatusQuoPlaysNoRole) {
  Scenario s =
      Build({{"a", 1, 40, 1, true}, {"b", 1, 70, 1, true}}, 50, "parity");
  IssueForecast f = Solve(s, "nash(veto=false)");
  double x = f.outcome;
  EXPECT_NEAR((x * x * x - 165 * x * x + 4600 * x + 70000) / 70000, 0, 1e-12);
  EXPECT_GT(x, 50);
  EXPECT_LT(x, 55);
  EXPECT_TRUE(f.blocking.empty());
}

// A veto holder sitting at the status quo blocks every move.
TEST(Nash, AVetoHolderAtTheStatusQuoBlocksEverything) {
  Scenario s =
      Build({{"a", 1, 50, 1, true}, {"b", 5, 90, 1, false}}, 50, "parity");
  IssueForecast f = Solve(s);
  EXPECT_EQ(f.outcome, 50);
  EXPECT_FALSE(f.agreement);
  EXPECT_EQ(f.blocking, std::vector<std::string>{"a"});
}

// Under unanimity everyone's veto counts, flagged or not.
TEST(Nash, UnanimityGivesEveryActorAVeto) {
  Scenario s =
      Build({{"a", 1, 40, 1, false}, {"b", 1, 70, 1, false}}, 50, "unanimity");
  IssueForecast f = Solve(s);
  EXPECT_EQ(f.outcome, 50);
  EXPECT_EQ(f.blocking, std::vector<std::string>{"a"});
}

TEST(Nash, ReportsTheVetoSet) {
  Scenario s =
      Build({{"a", 1, 40, 1, true}, {"b", 1, 0, 1, false}}, 50, "parity");
  Result<std::unique_ptr<Model>> model = LoadModel("nash");
  Result<Forecast> f = (*model)->Run(s, {});
  ASSERT_TRUE(f.has_value());
  ASSERT_EQ(f->rounds[0].issue_values.size(), 2u);
  EXPECT_EQ(f->rounds[0].issue_values[0].name, "veto_set_min");
  EXPECT_DOUBLE_EQ(f->rounds[0].issue_values[0].values[0], 30);
  EXPECT_DOUBLE_EQ(f->rounds[0].issue_values[1].values[0], 50);
}

}  // namespace
}  // namespace unionstate
