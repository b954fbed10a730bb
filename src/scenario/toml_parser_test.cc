#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "tests/support/test_support.h"
#include "unionstate/scenario_io.h"

namespace unionstate {
namespace {

using testing::ReadText;
using testing::SourcePath;

constexpr const char* kMinimal = R"(
[scenario]
name = "minimal"
description = "two actors, one issue"
as_of = 2019-12-07
source = "made up for the test"

[[actors]]
id = "ru"
name = "Russia"
side = "russia"
capability = { value = 2.5, source = "judgement" }
veto = true

[[actors]]
id = "by"
side = "belarus"
capability = 1

[[issues]]
id = "gas"
name = "Gas price"
unit = "USD per 1000 m3"
min = 0
max = 300
status_quo = 127
deadline = "2019-12-31"
rule = "parity"

[[positions]]
actor = "ru"
issue = "gas"
position = { value = 150, source = "seed 000" }
salience = 0.4
capability = 3

[[positions]]
actor = "by"
issue = "gas"
position = { value = 60, sd = 10 }
salience = { value = 0.9, dist = "uniform", min = 0.8, max = 1.0 }
)";

TEST(TomlParser, ReadsEveryField) {
  Result<Scenario> s = ParseScenario(kMinimal, "minimal.toml");
  ASSERT_TRUE(s.has_value()) << s.error().ToString();
  EXPECT_EQ(s->name, "minimal");
  EXPECT_EQ(s->description, "two actors, one issue");
  ASSERT_TRUE(s->as_of.has_value());
  EXPECT_EQ(s->as_of->ToString(), "2019-12-07");
  EXPECT_EQ(s->source, "made up for the test");
  ASSERT_EQ(s->actors.size(), 2u);
  EXPECT_EQ(s->actors[0].name, "Russia");
  EXPECT_EQ(s->actors[1].name, "by");  // name defaults to the id
  EXPECT_EQ(s->actors[0].side, "russia");
  EXPECT_TRUE(s->actors[0].veto);
  EXPECT_FALSE(s->actors[1].veto);
  EXPECT_DOUBLE_EQ(s->actors[0].capability.value, 2.5);
  EXPECT_EQ(s->actors[0].capability.source, "judgement");
  EXPECT_EQ(s->actors[0].capability.where.ToString(), "minimal.toml:12:14");
  ASSERT_EQ(s->issues.size(), 1u);
  const Issue& gas = s->issues[0];
  EXPECT_EQ(gas.unit, "USD per 1000 m3");
  EXPECT_DOUBLE_EQ(gas.min, 0);
  EXPECT_DOUBLE_EQ(gas.max, 300);
  ASSERT_TRUE(gas.status_quo.has_value());
  EXPECT_DOUBLE_EQ(gas.status_quo->value, 127);
  ASSERT_TRUE(gas.deadline.has_value());
  EXPECT_EQ(gas.deadline->ToString(), "2019-12-31");
  EXPECT_EQ(gas.rule, DecisionRule::kParity);
  ASSERT_EQ(s->stances.size(), 2u);
  const Stance* ru = s->FindStance(0, 0);
  ASSERT_NE(ru, nullptr);
  EXPECT_DOUBLE_EQ(ru->position.value, 150);
  EXPECT_EQ(ru->position.source, "seed 000");
  EXPECT_DOUBLE_EQ(ru->salience.value, 0.4);
  EXPECT_DOUBLE_EQ(s->CapabilityOf(*ru), 3);
  const Stance* by = s->FindStance(1, 0);
  ASSERT_NE(by, nullptr);
  EXPECT_DOUBLE_EQ(s->CapabilityOf(*by), 1);
  ASSERT_TRUE(by->position.uncertainty.has_value());
  EXPECT_EQ(by->position.uncertainty->kind, Uncertainty::Kind::kNormal);
  EXPECT_DOUBLE_EQ(by->position.uncertainty->sd, 10);
  // A normal distribution is cut to the issue's scale unless told otherwise.
  EXPECT_DOUBLE_EQ(by->position.uncertainty->lower, 0);
  EXPECT_DOUBLE_EQ(by->position.uncertainty->upper, 300);
  ASSERT_TRUE(by->salience.uncertainty.has_value());
  EXPECT_EQ(by->salience.uncertainty->kind, Uncertainty::Kind::kUniform);
  EXPECT_DOUBLE_EQ(by->salience.uncertainty->lower, 0.8);
  EXPECT_EQ(s->Sides(), (std::vector<std::string>{"russia", "belarus"}));
}

TEST(TomlParser, DefaultsWhenOptionalFieldsAreAbsent) {
  Result<Scenario> s = ParseScenario(R"(
[scenario]
name = "defaults"
[[actors]]
id = "a"
capability = 1
[[issues]]
id = "i"
min = -1
max = 1
)",
                                     "defaults.toml");
  ASSERT_TRUE(s.has_value()) << s.error().ToString();
  EXPECT_FALSE(s->as_of.has_value());
  EXPECT_FALSE(s->issues[0].status_quo.has_value());
  EXPECT_FALSE(s->issues[0].deadline.has_value());
  EXPECT_EQ(s->issues[0].rule, DecisionRule::kUnanimity);
  EXPECT_EQ(s->issues[0].name, "i");
  EXPECT_EQ(s->FindStance(0, 0), nullptr);
}

TEST(TomlParser, ReadsDiscreteDistributions) {
  Result<Scenario> s = ParseScenario(R"(
[scenario]
name = "discrete"
[[actors]]
id = "a"
capability = { value = 1, values = [0.5, 1, 2], weights = [1, 2, 1] }
[[issues]]
id = "i"
min = 0
max = 1
)",
                                     "discrete.toml");
  ASSERT_TRUE(s.has_value()) << s.error().ToString();
  const Uncertainty& u = *s->actors[0].capability.uncertainty;
  EXPECT_EQ(u.kind, Uncertainty::Kind::kDiscrete);
  EXPECT_EQ(u.values, (std::vector<double>{0.5, 1, 2}));
  EXPECT_EQ(u.weights, (std::vector<double>{1, 2, 1}));
}

// Every file under tests/data/bad/ starts with one `# expect: LINE:COLUMN:
// MESSAGE` line per mistake it holds; loading it must report exactly those.
TEST(TomlParser, ReportsEveryMistakeOfTheBadFileCorpus) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry :
       std::filesystem::directory_iterator(SourcePath("tests/data/bad"))) {
    files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 15u);
  std::regex expect_line("# expect: (\\d+):(\\d+): (.*)");
  for (const std::filesystem::path& path : files) {
    SCOPED_TRACE(path.filename().string());
    std::string label = "tests/data/bad/" + path.filename().string();
    std::string text = ReadText(path.string());
    std::vector<std::string> expected;
    std::smatch match;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), expect_line);
         it != std::sregex_iterator(); ++it) {
      expected.push_back(label + ":" + (*it)[1].str() + ":" + (*it)[2].str() +
                         ": " + (*it)[3].str());
    }
    ASSERT_FALSE(expected.empty()) << "no # expect: line";
    Result<Scenario> s = ParseScenario(text, label);
    ASSERT_FALSE(s.has_value());
    EXPECT_EQ(s.error().kind(), ErrorKind::kInvalidInput);
    std::vector<std::string> got;
    for (const Diagnostic& d : s.error().diagnostics())
      got.push_back(d.ToString());
    std::sort(expected.begin(), expected.end());
    std::sort(got.begin(), got.end());
    if (path.filename() == "syntax_error.toml") {
      // toml++ words its own syntax errors; check the place and the gist.
      ASSERT_EQ(got.size(), 1u);
      EXPECT_TRUE(got[0].starts_with(label + ":4:8: ")) << got[0];
      EXPECT_NE(got[0].find("expected value"), std::string::npos) << got[0];
      continue;
    }
    EXPECT_EQ(got, expected);
  }
}

TEST(TomlParser, ErrorsAreSortedByLine) {
  Result<Scenario> s = ParseScenario(
      ReadText(SourcePath("tests/data/bad/several_mistakes.toml")),
      "several.toml");
  ASSERT_FALSE(s.has_value());
  const auto& d = s.error().diagnostics();
  ASSERT_EQ(d.size(), 3u);
  EXPECT_LT(d[0].where.line, d[1].where.line);
  EXPECT_LT(d[1].where.line, d[2].where.line);
}

TEST(TomlParser, RejectsATableWhereAnArrayOfTablesBelongs) {
  Result<Scenario> s = ParseScenario(
      "[scenario]\nname = \"x\"\n[actors]\nid = \"a\"\n", "x.toml");
  ASSERT_FALSE(s.has_value());
  EXPECT_NE(s.error().ToString().find(
                "x.toml:3:1: \"actors\" is a table; expected an array of "
                "tables written [[actors]]"),
            std::string::npos)
      << s.error().ToString();
}

TEST(TomlParser, NeverCrashesOnTruncatedInput) {
  std::string text = kMinimal;
  for (size_t n = 0; n < text.size(); n += 7) {
    Result<Scenario> s = ParseScenario(text.substr(0, n), "cut.toml",
                                       {.format = InputFormat::kToml});
    if (!s) {
      EXPECT_FALSE(s.error().diagnostics().empty());
    }
  }
}

}  // namespace
}  // namespace unionstate

namespace unionstate {
namespace {

// The example that opens docs/scenario-format.md is a valid scenario.
TEST(TomlParser, TheDocumentedExampleLoads) {
  std::string doc =
      testing::ReadText(testing::SourcePath("docs/scenario-format.md"));
  size_t begin = doc.find("```toml\n");
  ASSERT_NE(begin, std::string::npos);
  begin += 8;
  size_t end = doc.find("```", begin);
  Result<Scenario> s =
      ParseScenario(doc.substr(begin, end - begin), "docs/scenario-format.md");
  ASSERT_TRUE(s.has_value()) << s.error().ToString();
  EXPECT_EQ(s->actors.size(), 2u);
  EXPECT_EQ(s->stances.size(), 2u);
}

}  // namespace
}  // namespace unionstate
