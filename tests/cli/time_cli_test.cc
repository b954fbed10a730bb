// The time contract of the command line (issue 14): `run --horizon`,
// `track`, and their bad input, exit codes included (docs/output-format.md,
// "Time"; docs/cli.md, "track").

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/test_support.h"

namespace unionstate {
namespace {

using json = nlohmann::ordered_json;
using testing::RunUnionstate;
using testing::SourcePath;

std::vector<std::string> Keys(const json& object) {
  std::vector<std::string> keys;
  for (auto it = object.begin(); it != object.end(); ++it)
    keys.push_back(it.key());
  return keys;
}

std::string TwoStates() {
  return SourcePath("tests/data/time/two_states.toml");
}

TEST(TimeCli, RunWithHorizonAddsTheTimeContract) {
  testing::CommandResult r =
      RunUnionstate("run " + TwoStates() + " --horizon 2026-12-31");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json out = json::parse(r.out);
  EXPECT_EQ(Keys(out),
            (std::vector<std::string>{"scenario", "model", "parameters", "seed",
                                      "issues", "time", "rounds"}));
  EXPECT_EQ(Keys(out["time"]),
            (std::vector<std::string>{"as_of", "horizon", "reference_class",
                                      "baseline", "coefficients"}));
  EXPECT_EQ(out["time"]["baseline"]["method"], "weibull-mle");
  EXPECT_EQ(out["time"]["baseline"]["deliveries"], 11);
  EXPECT_EQ(out["time"]["coefficients"]["estimated"], false);
  for (const json& issue : out["issues"]) {
    SCOPED_TRACE(issue["id"].get<std::string>());
    EXPECT_EQ(Keys(issue), (std::vector<std::string>{
                               "id", "name", "unit", "min", "max", "status_quo",
                               "outcome", "agreement", "blocking", "deadline",
                               "p_agreed_by_deadline", "time"}));
    const json& t = issue["time"];
    ASSERT_TRUE(t.is_object());
    ASSERT_EQ(t["agreed_by"].size(), 86u);
    EXPECT_EQ(t["agreed_by"][0]["date"], "2019-12-07");
    EXPECT_EQ(t["agreed_by"].back()["date"], "2026-12-31");
  }
  const json& tax = out["issues"][0];
  EXPECT_EQ(tax["deadline"], "2022-06-30");
  double p = tax["p_agreed_by_deadline"];
  EXPECT_GT(p, 0);
  EXPECT_LT(p, 1);
  EXPECT_EQ(Keys(tax["time"]["delay_months"]),
            (std::vector<std::string>{"median", "p10", "p90"}));
  EXPECT_EQ(tax["time"]["state"], "open");
  const json& customs = out["issues"][2];
  EXPECT_EQ(customs["time"]["state"], "agreed");
  EXPECT_EQ(customs["time"]["measures"], 10);
  EXPECT_EQ(customs["time"]["measures_done"], 4);
  EXPECT_TRUE(customs["time"]["delay_months"].is_null());
  // `agreement` keeps its meaning: the blocked currency says no.
  EXPECT_EQ(out["issues"][1]["agreement"], false);
}

TEST(TimeCli, RunWithoutHorizonIsUnchanged) {
  testing::CommandResult r = RunUnionstate("run " + TwoStates());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json out = json::parse(r.out);
  EXPECT_FALSE(out.contains("time"));
  EXPECT_FALSE(out["issues"][0].contains("p_agreed_by_deadline"));
}

TEST(TimeCli, RunWithHorizonPrintsATimeTable) {
  testing::CommandResult r = RunUnionstate(
      "run " + TwoStates() + " --horizon 2026-12-31 --format table");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Baseline: weibull-mle"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("defence   dropped"), std::string::npos) << r.out;
}

TEST(TimeCli, HorizonBeforeAsOfOrNotADateExitsTwo) {
  testing::CommandResult before =
      RunUnionstate("run " + TwoStates() + " --horizon 2019-12-06");
  EXPECT_EQ(before.exit_code, 2);
  EXPECT_EQ(before.out, "");
  EXPECT_NE(before.err.find("--horizon 2019-12-06 is before the scenario's "
                            "as_of 2019-12-07"),
            std::string::npos)
      << before.err;
  testing::CommandResult bad =
      RunUnionstate("run " + TwoStates() + " --horizon 31.12.2026");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--horizon \"31.12.2026\" is not a date; expected "
                         "YYYY-MM-DD"),
            std::string::npos)
      << bad.err;
}

TEST(TimeCli, AMissingReferenceClassIsALocatedError) {
  testing::CommandResult r = RunUnionstate(
      "run " + SourcePath("tests/data/time/missing_reference.toml") +
      " --horizon 2026-12-31");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("missing_reference.toml:4:19: cannot read the "
                       "reference class"),
            std::string::npos)
      << r.err;
}

TEST(TimeCli, TrackReportsStatesDeadlinesTheIndexAndChanges) {
  testing::CommandResult r = RunUnionstate(
      "track " + TwoStates() + " --as-of 2022-01-01 --since 2019-10-15");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json out = json::parse(r.out);
  EXPECT_EQ(Keys(out),
            (std::vector<std::string>{
                "scenario", "as_of", "since", "events_known_to", "programmes",
                "implementation_index", "changes", "state_changes"}));
  EXPECT_EQ(out["events_known_to"], "2019-12-07");
  ASSERT_EQ(out["programmes"].size(), 4u);
  const json& tax = out["programmes"][0];
  EXPECT_EQ(Keys(tax),
            (std::vector<std::string>{"id", "name", "state", "delivered",
                                      "deadline", "days_late", "measures",
                                      "measures_done", "last_event"}));
  EXPECT_EQ(tax["state"], "negotiating");
  EXPECT_EQ(tax["deadline"], "2022-06-30");  // moved
  EXPECT_TRUE(tax["days_late"].is_null());
  const json& currency = out["programmes"][1];
  EXPECT_EQ(currency["days_late"], 1);  // deadline 2021-12-31
  const json& customs = out["programmes"][2];
  EXPECT_EQ(customs["state"], "implementing");
  EXPECT_EQ(customs["days_late"], 185);  // 2021-06-30 to 2022-01-01
  EXPECT_EQ(out["programmes"][3]["state"], "dropped");
  EXPECT_EQ(out["implementation_index"]["measures_share"], 0.4);
  EXPECT_EQ(out["implementation_index"]["programmes_counted"], 3);
  EXPECT_EQ(out["implementation_index"]["programmes_share"], 0.0);
  ASSERT_EQ(out["changes"].size(), 3u);
  EXPECT_EQ(out["changes"][0]["kind"], "deadline_moved");
  EXPECT_TRUE(out["changes"][2]["issue"].is_null());  // the shock
  ASSERT_EQ(out["state_changes"].size(), 1u);
  EXPECT_EQ(
      out["state_changes"][0],
      json({{"id", "defence"}, {"from", "not_started"}, {"to", "dropped"}}));
}

TEST(TimeCli, TrackOnAnEarlierDateSeesOnlyEarlierEvents) {
  testing::CommandResult r =
      RunUnionstate("track " + TwoStates() + " --as-of 2019-09-30");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json out = json::parse(r.out);
  EXPECT_EQ(out["programmes"][2]["state"], "agreed");
  EXPECT_EQ(out["programmes"][2]["measures_done"], 0);
  EXPECT_EQ(out["programmes"][3]["state"], "not_started");
  EXPECT_FALSE(out.contains("changes"));
}

TEST(TimeCli, TrackBadDatesExitTwoNamingTheOption) {
  testing::CommandResult r =
      RunUnionstate("track " + TwoStates() + " --as-of yesterday");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("--as-of \"yesterday\" is not a date; expected "
                       "YYYY-MM-DD"),
            std::string::npos)
      << r.err;
  testing::CommandResult since = RunUnionstate(
      "track " + TwoStates() + " --as-of 2019-01-01 --since 2019-06-01");
  EXPECT_EQ(since.exit_code, 2);
  EXPECT_NE(since.err.find("--since 2019-06-01 is after"), std::string::npos)
      << since.err;
}

TEST(TimeCli, TrackTableListsEveryProgramme) {
  testing::CommandResult r =
      RunUnionstate("track " + TwoStates() + " --format table");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("customs   implementing  2021-06-30"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("Implementation index: measures 4/10 (40.0%)"),
            std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace unionstate

namespace unionstate {
namespace {

TEST(TimeCli, EvaluateScoresDatedQuestionsWithBothBaselines) {
  testing::CommandResult r = testing::RunUnionstate(
      "evaluate " + testing::SourcePath("tests/data/time/two_states.toml") +
      " --observed " +
      testing::SourcePath("tests/data/time/two_states_observed.toml"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::ordered_json out = nlohmann::ordered_json::parse(r.out);
  const auto& q = out["questions"];
  EXPECT_EQ(q["scored"], 4);
  for (const char* who : {"model", "fifty_fifty", "nothing_happens"}) {
    EXPECT_TRUE(q["scores"][who]["brier"].is_number()) << who;
    EXPECT_TRUE(q["scores"][who]["log_score"].is_number()) << who;
  }
  EXPECT_EQ(q["scores"]["fifty_fifty"]["brier"], 0.25);
  EXPECT_EQ(q["calibration"].size(), 10u);
  EXPECT_EQ(q["items"][3]["share"], 0.4);
  testing::CommandResult table = testing::RunUnionstate(
      "evaluate " + testing::SourcePath("tests/data/time/two_states.toml") +
      " --observed " +
      testing::SourcePath("tests/data/time/two_states_observed.toml") +
      " --format table");
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("nothing_happens     0.2500"), std::string::npos)
      << table.out;
  EXPECT_NE(table.out.find("Calibration of the model:"), std::string::npos);
}

}  // namespace
}  // namespace unionstate

namespace unionstate {
namespace {

TEST(TimeCli, EnsembleWithHorizonAddsTimeQuantiles) {
  testing::CommandResult r = testing::RunUnionstate(
      "ensemble " + testing::SourcePath("tests/data/time/two_states.toml") +
      " --runs 50 --perturb positions=10 --horizon 2026-12-31 -q");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::ordered_json out = nlohmann::ordered_json::parse(r.out);
  const auto& t = out["time"];
  EXPECT_EQ(t["runs"], 50);
  EXPECT_EQ(t["baseline"]["method"], "weibull-mle");
  ASSERT_EQ(t["issues"].size(), 4u);
  const auto& tax = t["issues"][0];
  EXPECT_EQ(tax["id"], "tax");
  for (const char* key : {"mean", "q05", "q50", "q95"})
    EXPECT_TRUE(tax["p_agreed_by_deadline"][key].is_number()) << key;
  EXPECT_TRUE(t["issues"][3]["p_agreed_by_deadline"].is_null());  // no deadline
  testing::CommandResult before = testing::RunUnionstate(
      "ensemble " + testing::SourcePath("tests/data/time/two_states.toml") +
      " --runs 5 --horizon 2019-01-01 -q");
  EXPECT_EQ(before.exit_code, 2);
  EXPECT_EQ(before.out, "");
  EXPECT_NE(before.err.find("--horizon 2019-01-01 is before"),
            std::string::npos);
}

}  // namespace
}  // namespace unionstate

namespace unionstate {
namespace {

TEST(TimeCli, EveryTimeMistakeInAFileIsLocatedAndExitsTwo) {
  std::string path = testing::SourcePath("tests/data/time/bad_events.toml");
  for (const char* command : {"validate ", "run ", "track "}) {
    SCOPED_TRACE(command);
    testing::CommandResult r = testing::RunUnionstate(command + path);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.out, "");
    for (const char* expected :
         {"bad_events.toml:15:10: issue \"tax\" opened 2019-06-01 after its "
          "deadline 2019-01-01",
          "bad_events.toml:17:12: issue \"tax\" has measures = 0",
          "bad_events.toml:27:9: unknown issue \"taxes\"",
          "bad_events.toml:33:8: unknown event kind \"signd\" (did you mean "
          "\"signed\"?)",
          "bad_events.toml:35:1: event dated 2020-01-01 is after the "
          "scenario's as_of 2019-12-07"}) {
      EXPECT_NE(r.err.find(expected), std::string::npos) << expected << "\n"
                                                         << r.err;
    }
  }
}

}  // namespace
}  // namespace unionstate

namespace unionstate {
namespace {

TEST(TimeCli, WithoutAReferenceClassTimeIsAbsentAndSaysWhy) {
  std::string path = testing::SourcePath("tests/data/time/no_reference.toml");
  testing::CommandResult run =
      testing::RunUnionstate("run " + path + " --horizon 2026-12-31");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  nlohmann::ordered_json out = nlohmann::ordered_json::parse(run.out);
  EXPECT_EQ(out["time"]["baseline"]["method"], "none");
  EXPECT_NE(out["time"]["baseline"]["note"].get<std::string>().find(
                "no reference class"),
            std::string::npos);
  EXPECT_TRUE(out["issues"][0]["time"].is_null());
  EXPECT_TRUE(out["issues"][0]["p_agreed_by_deadline"].is_null());
  testing::CommandResult evaluate = testing::RunUnionstate(
      "evaluate " + path + " --observed " +
      testing::SourcePath("tests/data/time/two_states_observed.toml"));
  ASSERT_EQ(evaluate.exit_code, 0) << evaluate.err;
  EXPECT_FALSE(
      nlohmann::ordered_json::parse(evaluate.out).contains("questions"));
  EXPECT_NE(evaluate.err.find("cannot score the dated questions: no reference "
                              "class"),
            std::string::npos)
      << evaluate.err;
}

}  // namespace
}  // namespace unionstate
