#include "unionstate/scenario_edit.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "unionstate/model.h"
#include "unionstate/scenario_io.h"

namespace unionstate {
namespace {

// The built-in scenario through the editable JSON and back to TOML runs to
// the very same forecasts: nothing a model reads is lost on the way.
TEST(ScenarioEdit, RoundTripKeepsEveryForecast) {
  Result<Scenario> original = LoadBuiltinScenario();
  ASSERT_TRUE(original.has_value());
  const std::string toml = ScenarioToToml(*original);
  ASSERT_FALSE(toml.empty());
  Result<Scenario> again = ParseScenario(toml, "exported.toml");
  ASSERT_TRUE(again.has_value()) << again.error().ToString();
  EXPECT_EQ(again->actors.size(), original->actors.size());
  EXPECT_EQ(again->stances.size(), original->stances.size());
  EXPECT_EQ(again->packages.size(), original->packages.size());
  for (const char* spec : {"compromise", "nash", "parity", "bdm"}) {
    Result<std::unique_ptr<Model>> model = LoadModel(spec);
    ASSERT_TRUE(model.has_value());
    Result<Forecast> a = (*model)->Run(*original, {});
    Result<Forecast> b = (*model)->Run(*again, {});
    ASSERT_TRUE(a.has_value() && b.has_value());
    for (size_t i = 0; i < a->issues.size(); ++i) {
      EXPECT_EQ(a->issues[i].outcome, b->issues[i].outcome) << spec << " " << i;
      EXPECT_EQ(a->issues[i].blocking, b->issues[i].blocking);
    }
  }
}

TEST(ScenarioEdit, MistakesNameTheField) {
  Result<std::string> r = EditJsonToToml("{\"name\": 3}", "page");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().ToString().find("\"name\" is number; expected text"),
            std::string::npos)
      << r.error().ToString();
  r = EditJsonToToml("not json", "page");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().ToString().find("page: is not valid JSON"),
            std::string::npos);
  // Text cannot smuggle TOML in: quotes and newlines are escaped, dates are
  // checked.
  r = EditJsonToToml(
      R"({"name": "x\"\n[[actors]]", "actors": [{"id": "a", "capability": 1}],
          "issues": [{"id": "i", "min": 0, "max": 1, "deadline": "2020-01-01\nveto = true"}]})",
      "page");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().ToString().find("expected a date"), std::string::npos);
  r = EditJsonToToml(
      R"({"name": "x\"\n[[actors]]", "actors": [{"id": "a", "capability": 1}],
          "issues": [{"id": "i", "min": 0, "max": 1}]})",
      "page");
  ASSERT_TRUE(r.has_value());
  Result<Scenario> parsed = ParseScenario(*r, "page.toml");
  ASSERT_TRUE(parsed.has_value()) << parsed.error().ToString();
  EXPECT_EQ(parsed->name, "x\"\n[[actors]]");
  EXPECT_EQ(parsed->actors.size(), 1u);
}

}  // namespace
}  // namespace unionstate
