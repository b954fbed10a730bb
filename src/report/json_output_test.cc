#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "tests/support/test_support.h"
#include "unionstate/env.h"
#include "unionstate/model.h"
#include "unionstate/output.h"
#include "unionstate/scenario_io.h"
#include "unionstate/time_forecast.h"

namespace unionstate {
namespace {

// The rounds are written straight to text (json_output.cc); the document
// must still be exactly what the library's dump(2) makes of it: parsed and
// dumped again, every model's forecast comes back byte for byte.
TEST(ForecastToJson, TextIsTheLibrarysOwnLayoutForEveryModel) {
  std::vector<Scenario> scenarios;
  Result<Scenario> builtin = LoadBuiltinScenario();
  ASSERT_TRUE(builtin.has_value());
  scenarios.push_back(*builtin);
  scenarios.push_back(testing::MakeScenario(7, 3, 11));
  for (const RegisteredModel& registered : RegisteredModels()) {
    for (const Scenario& s : scenarios) {
      Result<std::unique_ptr<Model>> m = LoadModel(registered.info->short_name);
      ASSERT_TRUE(m.has_value());
      Result<Forecast> f = (*m)->Run(s, {.seed = 3});
      if (!f) continue;  // a model that does not take this scenario
      const std::string text = ForecastToJson(s, *f);
      const std::string again =
          nlohmann::ordered_json::parse(text).dump(2) + "\n";
      EXPECT_EQ(text, again) << registered.info->short_name << " on " << s.name;
      EXPECT_GE(f->rounds.size(), 1u);
    }
  }
}

// Ids that JSON must escape (a quote, a backslash, a control character)
// or that are not ASCII, as keys of the rounds and as values of the
// events: the writer copies a plain string as it checks it and leaves the
// others to the library, so the text is still its dump(2), and every id
// reads back as it was.
TEST(ForecastToJson, IdsThatNeedEscapingKeepTheLibrarysLayout) {
  Scenario s = testing::MakeScenario(6, 2, 5);
  const std::vector<std::string> ids = {
      "say \"no\"", "back\\slash",
      "tab\there",  "\xd0\x9c\xd0\xb8\xd0\xbd\xd1\x81\xd0\xba",
      "plain",      "end\\"};
  for (size_t a = 0; a < ids.size(); ++a) s.actors[a].id = ids[a];
  s.issues[0].id = "issue \"one\"";
  Result<std::unique_ptr<Model>> m = LoadModel("smp");
  ASSERT_TRUE(m.has_value());
  Result<Forecast> f = (*m)->Run(s, {.seed = 1});
  ASSERT_TRUE(f.has_value()) << f.error().ToString();
  const std::string text = ForecastToJson(s, *f);
  const auto parsed = nlohmann::ordered_json::parse(text);
  EXPECT_EQ(text, parsed.dump(2) + "\n");
  const auto& positions = parsed["rounds"][0]["positions"];
  for (const std::string& id : ids) EXPECT_TRUE(positions.contains(id)) << id;
  EXPECT_TRUE(positions[ids[0]].contains("issue \"one\""));
  // The challenges name the actors in their fields.
  int named = 0;
  for (const auto& round : parsed["rounds"]) {
    if (!round.contains("events")) continue;
    for (const auto& event : round["events"]) {
      if (event.value("kind", "") != "challenge") continue;
      const std::string actor = event["actor"];
      named += std::find(ids.begin(), ids.end(), actor) != ids.end() ? 1 : 0;
    }
  }
  EXPECT_GT(named, 0);
}

// With time figures (`run --horizon`) the document is written the same
// way, its time objects included: still the library's own layout, byte for
// byte.
TEST(ForecastToJson, TimeFiguresKeepTheLibrarysLayout) {
  Result<Scenario> s = LoadBuiltinScenario();
  ASSERT_TRUE(s.has_value());
  Result<std::optional<ReferenceClass>> reference =
      LoadReferenceClass(Env::Default(), *s);
  ASSERT_TRUE(reference.has_value() && reference->has_value());
  for (const char* spec : {"parity", "smp"}) {
    Result<std::unique_ptr<Model>> m = LoadModel(spec);
    ASSERT_TRUE(m.has_value());
    Result<Forecast> f = (*m)->Run(*s, {.seed = 3});
    ASSERT_TRUE(f.has_value());
    Result<TimeForecast> time = ForecastTime(
        *s, *f, **reference, {.horizon = *Date::Parse("2026-12-31")});
    ASSERT_TRUE(time.has_value()) << time.error().ToString();
    const std::string text = ForecastToJson(*s, *f, &*time);
    const auto parsed = nlohmann::ordered_json::parse(text);
    EXPECT_EQ(text, parsed.dump(2) + "\n") << spec;
    EXPECT_TRUE(parsed.contains("time")) << spec;
    EXPECT_TRUE(parsed["issues"][0].contains("p_agreed_by_deadline")) << spec;
  }
}

// `unionstate run` writes the JSON as it is produced: the pieces, joined,
// are the document, byte for byte; none is over 64 KB; a sink that
// refuses a piece stops the writing.
TEST(WriteForecastJson, PiecesMakeTheDocumentAndARefusalStopsThem) {
  const Scenario s = testing::MakeScenario(30, 2, 5);
  Result<std::unique_ptr<Model>> m = LoadModel("smp");
  ASSERT_TRUE(m.has_value());
  Result<Forecast> f = (*m)->Run(s, {.seed = 1});
  ASSERT_TRUE(f.has_value()) << f.error().ToString();
  const std::string whole = ForecastToJson(s, *f);
  ASSERT_GT(whole.size(), 3u * 64 * 1024);  // several pieces

  std::vector<std::string> pieces;
  EXPECT_TRUE(WriteForecastJson(s, *f, nullptr, [&](std::string_view piece) {
    pieces.emplace_back(piece);
    return true;
  }));
  std::string joined;
  for (const std::string& piece : pieces) {
    EXPECT_LE(piece.size(), 64u * 1024);
    EXPECT_FALSE(piece.empty());
    joined += piece;
  }
  EXPECT_GE(pieces.size(), 4u);
  EXPECT_EQ(joined, whole);

  int calls = 0;
  EXPECT_FALSE(WriteForecastJson(s, *f, nullptr, [&](std::string_view) {
    return ++calls < 2;  // the second piece fails, as a full disk would
  }));
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace unionstate
