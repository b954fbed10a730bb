// The wide tables (import_wide.cc): reading, finding the issues table by
// name or folder, and every mistake located by file, row and column name.

#include <gtest/gtest.h>

#include <algorithm>

#include "unionstate/env.h"
#include "unionstate/scenario_io.h"

namespace unionstate {
namespace {

constexpr const char* kActors =
    "id,name,side,capability,veto,gas_position,gas_salience,oil_position,"
    "oil_salience\n"
    "ru,Russia,russia,1,true,150,0.9,,\n"
    "by,Belarus,belarus,0.8,yes,60,1,2,0.5\n";
constexpr const char* kIssues =
    "id,name,unit,min,max,status_quo,deadline,rule\n"
    "gas,Gas price,USD,50,250,127,2019-12-31,parity\n"
    "oil,Oil,USD bn,0,2.5,0,,\n";

TEST(WideTables, ReadsActorsIssuesAndStances) {
  Result<Scenario> s =
      ParseWideTables(kActors, "t/actors.csv", kIssues, "t/issues.csv");
  ASSERT_TRUE(s.has_value()) << s.error().ToString();
  EXPECT_EQ(s->name, "t");
  ASSERT_EQ(s->actors.size(), 2u);
  ASSERT_EQ(s->issues.size(), 2u);
  EXPECT_EQ(s->actors[1].side, "belarus");
  EXPECT_TRUE(s->actors[1].veto);
  EXPECT_DOUBLE_EQ(s->actors[1].capability.value, 0.8);
  EXPECT_EQ(s->issues[0].rule, DecisionRule::kParity);
  EXPECT_EQ(s->issues[1].rule, DecisionRule::kUnanimity);
  ASSERT_TRUE(s->issues[0].deadline.has_value());
  EXPECT_EQ(s->issues[0].deadline->ToString(), "2019-12-31");
  EXPECT_DOUBLE_EQ(s->issues[0].status_quo->value, 127);
  // Russia takes no part in oil: three stances, not four.
  ASSERT_EQ(s->stances.size(), 3u);
  const Stance* by_oil = s->FindStance(1, 1);
  ASSERT_NE(by_oil, nullptr);
  EXPECT_DOUBLE_EQ(by_oil->position.value, 2);
  EXPECT_DOUBLE_EQ(by_oil->salience.value, 0.5);
  EXPECT_EQ(by_oil->position.where.ToString(), "t/actors.csv:3:33");
  EXPECT_EQ(s->FindStance(0, 1), nullptr);
}

TEST(WideTables, EveryMissingRequiredColumnIsNamed) {
  Result<Scenario> s = ParseWideTables("name,side\nRussia,russia\n",
                                       "a.csv", "name\nGas\n", "i.csv");
  ASSERT_FALSE(s.has_value());
  const std::string text = s.error().ToString();
  for (const char* expected :
       {"a.csv:1:1: the actors table has no column \"id\"",
        "a.csv:1:1: the actors table has no column \"capability\"",
        "i.csv:1:1: the issues table has no column \"id\"",
        "i.csv:1:1: the issues table has no column \"min\"",
        "i.csv:1:1: the issues table has no column \"max\""}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n"
                                                      << text;
  }
}

TEST(WideTables, EveryMistakeNamesRowAndColumn) {
  Result<Scenario> s = ParseWideTables(
      "id,capability,veto,gas_position,gas_salience,gass_position\n"
      "a,1,maybe,50,x,\n"
      "b,-1,,,0.5,\n",
      "a.csv", "id,min,max,dedline\ngas,0,100,\n", "i.csv");
  ASSERT_FALSE(s.has_value());
  const std::string text = s.error().ToString();
  EXPECT_NE(text.find("i.csv:1:12: unknown column \"dedline\" in the issues "
                      "table; expected \"deadline\""),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("a.csv:1:46: column \"gass_position\" names the issue "
                      "\"gass\", which the issues table does not have; "
                      "expected \"gas\""),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("a.csv:2:5: column \"veto\": \"maybe\" is not a flag"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("a.csv:2:14: column \"gas_salience\": \"x\" is not a "
                      "number; expected a number in [0, 1]"),
            std::string::npos)
      << text;
  // Range checks run on the scenario; the column's name is added.
  EXPECT_NE(text.find("a.csv:3:3: column \"capability\": capability -1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("a.csv:3:8: column \"gas_salience\": actor \"b\" has a "
                      "salience but no "
                      "position"),
            std::string::npos)
      << text;
  EXPECT_EQ(s.error().kind(), ErrorKind::kInvalidInput);
}

TEST(WideTables, SemicolonsAsSpreadsheetsInDecimalCommaLocalesWriteThem) {
  Result<Scenario> s = ParseWideTables(
      "id;capability;gas_position;gas_salience\na;1;10;0.5\nb;2;90;1\n",
      "x-actors.csv", "id;min;max\ngas;0;100\n", "x-issues.csv");
  ASSERT_TRUE(s.has_value()) << s.error().ToString();
  EXPECT_EQ(s->name, "x");
  EXPECT_EQ(s->stances.size(), 2u);
}

TEST(WideTables, LoadFindsTheIssuesTableByNameOrFolder) {
  MemEnv env;
  env.AddFile("d/actors.csv", kActors);
  env.AddFile("d/issues.csv", kIssues);
  env.AddFile("e/energy-actors.csv", kActors);
  env.AddFile("e/energy-issues.csv", kIssues);
  for (const char* path : {"d", "d/", "d/actors.csv", "e/energy-actors.csv"}) {
    Result<Scenario> s = LoadScenario(env, path);
    ASSERT_TRUE(s.has_value()) << path << ": " << s.error().ToString();
    EXPECT_EQ(s->stances.size(), 3u) << path;
  }
  EXPECT_EQ(LoadScenario(env, "e/energy-actors.csv")->name, "energy");
  EXPECT_EQ(LoadScenario(env, "d")->name, "d");
  // The issues table alone, or an actors table without one, is refused.
  Result<Scenario> issues = LoadScenario(env, "d/issues.csv");
  ASSERT_FALSE(issues.has_value());
  EXPECT_NE(issues.error().ToString().find("this is the issues table"),
            std::string::npos);
  env.AddFile("f/actors.csv", kActors);
  Result<Scenario> lonely = LoadScenario(env, "f/actors.csv");
  ASSERT_FALSE(lonely.has_value());
  EXPECT_EQ(lonely.error().diagnostics()[0].where.file, "f/issues.csv");
  // Text alone cannot hold both tables.
  Result<Scenario> text = ParseScenario(kActors, "actors.csv");
  ASSERT_FALSE(text.has_value());
  EXPECT_NE(text.error().ToString().find("second file"), std::string::npos);
}

TEST(WideTables, TheExampleMatchesTheBuiltInScenarioItCites) {
  Result<Scenario> wide =
      LoadScenario(Env::Default(), std::string(UNIONSTATE_SOURCE_DIR) +
                                       "/scenarios/examples/energy-2019-12");
  ASSERT_TRUE(wide.has_value()) << wide.error().ToString();
  Result<Scenario> builtin = LoadBuiltinScenario("2019-12.toml");
  ASSERT_TRUE(builtin.has_value());
  for (const Stance& stance : wide->stances) {
    const std::string& actor = wide->actors[stance.actor].id;
    const std::string& issue = wide->issues[stance.issue].id;
    const Stance* same = builtin->FindStance(builtin->FindActor(actor),
                                             builtin->FindIssue(issue));
    ASSERT_NE(same, nullptr) << actor << " " << issue;
    EXPECT_EQ(stance.position.value, same->position.value) << actor << issue;
    EXPECT_EQ(stance.salience.value, same->salience.value) << actor << issue;
    EXPECT_EQ(wide->actors[stance.actor].capability.value,
              builtin->actors[same->actor].capability.value);
  }
  EXPECT_EQ(wide->stances.size(), 13u);
}

}  // namespace
}  // namespace unionstate
