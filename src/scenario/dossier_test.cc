// Dossiers: separate negotiations in one scenario (issue 18, item 7).

#include <gtest/gtest.h>

#include "tests/support/test_support.h"
#include "unionstate/model.h"
#include "unionstate/scenario_io.h"

namespace unionstate {
namespace {

using testing::SharedPath;

constexpr const char* kScenario = R"toml(
[scenario]
name = "two rooms"
source = "constructed"

[[actors]]
id = "a"
capability = 1
[[actors]]
id = "b"
capability = 2

[[issues]]
id = "x"
name = "x"
min = 0
max = 100
[[issues]]
id = "y"
name = "y"
min = 0
max = 100
[[issues]]
id = "z"
name = "z"
min = 0
max = 100

[[positions]]
actor = "a"
issue = "x"
position = 10
salience = 0.9
[[positions]]
actor = "b"
issue = "x"
position = 80
salience = 0.2
[[positions]]
actor = "a"
issue = "y"
position = 30
salience = 0.2
[[positions]]
actor = "b"
issue = "y"
position = 90
salience = 0.9
[[positions]]
actor = "a"
issue = "z"
position = 40
salience = 0.5
[[positions]]
actor = "b"
issue = "z"
position = 60
salience = 0.5
)toml";

Scenario Parse(const std::string& extra) {
  Result<Scenario> s = ParseScenario(kScenario + extra, "d.toml");
  EXPECT_TRUE(s.has_value()) << s.error().ToString();
  return s ? *s : Scenario{};
}

Forecast RunOn(const Scenario& s, const std::string& spec) {
  Result<std::unique_ptr<Model>> model = LoadModel(spec);
  EXPECT_TRUE(model.has_value());
  Result<Forecast> f = (*model)->Run(s, {.seed = 3});
  EXPECT_TRUE(f.has_value()) << f.error().ToString();
  return *f;
}

TEST(Dossiers, ReadFromTomlAndGroupTheRestTogether) {
  Scenario s =
      Parse("[[dossiers]]\nid = \"second\"\nissues = [\"z\", \"y\"]\n");
  ASSERT_EQ(s.dossiers.size(), 1u);
  EXPECT_EQ(s.dossiers[0].id, "second");
  EXPECT_EQ(s.dossiers[0].name, "second");
  EXPECT_EQ(s.Negotiations(), (std::vector<std::vector<int>>{{1, 2}, {0}}));
  EXPECT_EQ(Parse("").Negotiations(),
            (std::vector<std::vector<int>>{{0, 1, 2}}));
  Scenario part = s.Restricted({1, 2});
  ASSERT_EQ(part.issues.size(), 2u);
  EXPECT_EQ(part.issues[0].id, "y");
  EXPECT_EQ(part.stances.size(), 4u);
  EXPECT_EQ(part.FindStance(1, 1)->position.value, 60);
  EXPECT_EQ(part.Negotiations(), (std::vector<std::vector<int>>{{0, 1}}));
}

TEST(Dossiers, MistakesAreLocated) {
  Result<Scenario> s =
      ParseScenario(std::string(kScenario) +
                        "[[dossiers]]\nid = \"one\"\nissues = [\"x\", \"y\"]\n"
                        "[[dossiers]]\nid = \"two\"\nissues = [\"y\", \"w\"]\n"
                        "[[dossiers]]\nid = \"three\"\nissues = []\n"
                        "[[packages]]\nid = \"p\"\nissues = [\"x\", \"z\"]\n",
                    "d.toml");
  ASSERT_FALSE(s.has_value());
  const std::string text = s.error().ToString();
  EXPECT_NE(text.find("unknown issue \"w\" in [[dossiers]]"), std::string::npos)
      << text;
  EXPECT_NE(text.find("dossier \"three\" lists no issue; expected at least "
                      "one"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("package \"p\" links issues of different dossiers"),
            std::string::npos)
      << text;
  Result<Scenario> twice =
      ParseScenario(std::string(kScenario) +
                        "[[dossiers]]\nid = \"one\"\nissues = [\"x\", \"y\"]\n"
                        "[[dossiers]]\nid = \"two\"\nissues = [\"y\"]\n",
                    "d.toml");
  ASSERT_FALSE(twice.has_value());
  EXPECT_NE(twice.error().ToString().find(
                "issue \"y\" is in dossier \"one\" and in \"two\"; expected "
                "each issue in at most one dossier"),
            std::string::npos)
      << twice.error().ToString();
}

// Alone in its dossier, an issue offers nothing to trade: exchange forecasts
// its weighted mean, which is what compromise computes. Together, x and y
// are traded (a cares for x, b for y), and the forecast moves.
TEST(Dossiers, ExchangeTradesOnlyInsideADossier) {
  const Scenario together = Parse("");
  const Scenario apart = Parse(
      "[[dossiers]]\nid = \"x\"\nissues = [\"x\"]\n"
      "[[dossiers]]\nid = \"yz\"\nissues = [\"y\", \"z\"]\n");
  const Forecast mean = RunOn(together, "compromise");
  const Forecast traded = RunOn(together, "exchange");
  const Forecast split = RunOn(apart, "exchange");
  EXPECT_NEAR(split.issues[0].outcome, mean.issues[0].outcome, 1e-9);
  EXPECT_GT(std::abs(traded.issues[0].outcome - mean.issues[0].outcome), 1);
  // The y-z negotiation is the same as running those two issues alone.
  const Forecast yz = RunOn(apart.Restricted({1, 2}), "exchange");
  EXPECT_EQ(split.issues[1].outcome, yz.issues[0].outcome);
  EXPECT_EQ(split.issues[2].outcome, yz.issues[1].outcome);
  // Rounds put the negotiations side by side.
  ASSERT_EQ(split.rounds.size(), yz.rounds.size());
  EXPECT_EQ(split.rounds.back().positions[1 * 3 + 2],
            yz.rounds.back().positions[1 * 2 + 1]);
}

TEST(Dossiers, SmpBargainsPerDossier) {
  Scenario s =
      testing::LoadOrDie(SharedPath("oracles/ktab_smp/dummyData_3Dim.csv"));
  const Forecast whole = RunOn(s, "smp");
  s.dossiers.push_back({.id = "first",
                        .name = "first",
                        .issues = {0},
                        .source = "",
                        .where = {}});
  s.dossiers.push_back({.id = "rest",
                        .name = "rest",
                        .issues = {1, 2},
                        .source = "",
                        .where = {}});
  Result<Scenario> valid = ValidateScenario(s);
  ASSERT_TRUE(valid.has_value()) << valid.error().ToString();
  const Forecast split = RunOn(*valid, "smp");
  const Forecast first = RunOn(valid->Restricted({0}), "smp");
  const Forecast rest = RunOn(valid->Restricted({1, 2}), "smp");
  EXPECT_EQ(split.issues[0].outcome, first.issues[0].outcome);
  EXPECT_EQ(split.issues[1].outcome, rest.issues[0].outcome);
  EXPECT_EQ(split.issues[2].outcome, rest.issues[1].outcome);
  EXPECT_NE(split.issues[0].outcome, whole.issues[0].outcome);
  EXPECT_EQ(split.rounds.size(),
            std::max(first.rounds.size(), rest.rounds.size()));
  // Per-actor values do not add up across negotiations: left out.
  EXPECT_TRUE(split.rounds.back().actor_values.empty());
}

TEST(Dossiers, DeuHasOneDossierPerProposal) {
  Scenario s =
      testing::LoadOrDie(SharedPath("oracles/deu_compromise_nbs/deu3.csv"));
  // 364 issues of 141 proposals (distinct values of the prnr column).
  ASSERT_EQ(s.issues.size(), 364u);
  ASSERT_EQ(s.dossiers.size(), 141u);
  EXPECT_EQ(s.dossiers[0].id, "d00032");
  size_t listed = 0;
  for (const Dossier& d : s.dossiers) {
    for (int i : d.issues) {
      const std::string& id = s.issues[static_cast<size_t>(i)].id;
      // Issue ids are <proposal>i<k>, except for the ERDF proposal a04163,
      // whose issues carry the number d04167.
      EXPECT_TRUE(id.starts_with(d.id + "i") ||
                  (d.id == "a04163" && id.starts_with("d04167i")))
          << d.id << " " << id;
    }
    listed += d.issues.size();
  }
  EXPECT_EQ(listed, s.issues.size());
  EXPECT_EQ(s.Negotiations().size(), 141u);
}

}  // namespace
}  // namespace unionstate
