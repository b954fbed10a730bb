// Dated yes/no questions (issue 14): parsing, the probabilities behind them,
// and the Brier and log scores of the model and the two baselines.

#include <gtest/gtest.h>

#include <cmath>

#include "tests/support/test_support.h"
#include "unionstate/calendar.h"
#include "unionstate/evaluate.h"
#include "unionstate/model.h"
#include "unionstate/scenario_io.h"
#include "unionstate/time_forecast.h"

namespace unionstate {
namespace {

using testing::SourcePath;

constexpr const char* kHeader = R"([observed]
name = "q"
as_of = 2022-12-31

[[outcomes]]
issue = "tax"
outcome = 60
)";

std::string ErrorOf(const std::string& questions) {
  Result<ObservedOutcomes> o =
      ParseObserved(std::string(kHeader) + questions, "obs.toml");
  return o ? std::string() : o.error().ToString();
}

TEST(Questions, BadQuestionsAreLocated) {
  EXPECT_NE(ErrorOf("[[questions]]\nid = \"a\"\nkind = \"agreed\"\nissue = "
                    "\"tax\"\ndate = 2020-01-01\noutcome = true\n")
                .find("obs.toml:10:8: unknown question kind \"agreed\"; "
                      "expected agreed_by, implemented_by or "
                      "share_implemented_by"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[[questions]]\nid = \"a\"\nkind = \"share_implemented_by\""
                    "\nissue = \"tax\"\ndate = 2020-01-01\noutcome = true\n"
                    "share = 1.5\n")
                .find("obs.toml:14:9: \"share\" is not a number in (0, 1]"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[[questions]]\nid = \"a\"\nkind = \"agreed_by\"\nissue = "
                    "\"tax\"\ndate = 2020-01-01\n")
                .find("obs.toml:8:1: [[questions]] is missing the field "
                      "\"outcome\""),
            std::string::npos);
  EXPECT_NE(ErrorOf("[[questions]]\nid = \"a\"\nkind = \"agreed_by\"\nissue = "
                    "\"tax\"\ndate = 2023-01-01\noutcome = true\n")
                .find("question \"a\" is about 2023-01-01, after the observed "
                      "as_of 2022-12-31"),
            std::string::npos);
  Result<ObservedOutcomes> ok = ParseObserved(
      std::string(kHeader) +
          "[[questions]]\nid = \"a\"\nkind = \"share_implemented_by\"\nissue "
          "= \"tax\"\ndate = 2020-01-01\nshare = 0.5\noutcome = false\n",
      "obs.toml");
  ASSERT_TRUE(ok) << ok.error().ToString();
  ASSERT_EQ(ok->questions.size(), 1u);
  EXPECT_EQ(ok->questions[0].kind, QuestionKind::kShareImplementedBy);
  EXPECT_EQ(ok->questions[0].share, 0.5);
  EXPECT_FALSE(ok->questions[0].outcome);
}

class ScoredQuestions : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<Scenario> s = LoadScenario(
        Env::Default(), SourcePath("tests/data/time/two_states.toml"));
    ASSERT_TRUE(s);
    scenario_ = std::move(*s);
    Result<Forecast> f = (*LoadModel("parity"))->Run(scenario_, {});
    ASSERT_TRUE(f);
    Result<std::optional<ReferenceClass>> r =
        LoadReferenceClass(Env::Default(), scenario_);
    ASSERT_TRUE(r);
    Result<TimeForecast> t =
        ForecastTime(scenario_, *f, *r, {.horizon = {2026, 12, 31}});
    ASSERT_TRUE(t);
    time_ = std::move(*t);
    Result<ObservedOutcomes> o = LoadObserved(
        Env::Default(), SourcePath("tests/data/time/two_states_observed.toml"));
    ASSERT_TRUE(o) << o.error().ToString();
    observed_ = std::move(*o);
  }
  Scenario scenario_;
  TimeForecast time_;
  ObservedOutcomes observed_;
};

TEST_F(ScoredQuestions, ShareQuestionsAreABinomialTail) {
  const IssueTime& customs =
      time_.issues[static_cast<size_t>(scenario_.FindIssue("customs"))];
  // Agreed 2019-09-06, 4 of 10 done: at least half needs 1 of the 6 left;
  // all of it needs all 6.
  Date d{2020, 6, 30};
  double p = 1 - std::exp(-std::pow(
                     YearsBetween({2019, 9, 6}, d) / time_.baseline.scale,
                     time_.baseline.shape));
  EXPECT_NEAR(ProbabilityShareImplementedBy(customs, time_.baseline,
                                            time_.as_of, d, 0.5),
              1 - std::pow(1 - p, 6), 1e-12);
  EXPECT_NEAR(ProbabilityShareImplementedBy(customs, time_.baseline,
                                            time_.as_of, d, 1.0),
              std::pow(p, 6), 1e-12);
  EXPECT_EQ(ProbabilityShareImplementedBy(customs, time_.baseline, time_.as_of,
                                          d, 0.4),
            1);  // already done
}

TEST_F(ScoredQuestions, ScoresAreTheMeansOfTheirDefinitions) {
  QuestionEvaluation qe = ScoreQuestions(scenario_, time_, observed_);
  ASSERT_EQ(qe.questions.size(), 4u);
  ASSERT_EQ(qe.forecasters.size(), 3u);
  double brier = 0, log_score = 0, brier_nothing = 0;
  for (const QuestionScore& s : qe.questions) {
    EXPECT_GE(s.model, 0);
    EXPECT_LE(s.model, 1);
    double o = s.outcome ? 1 : 0;
    brier += (s.model - o) * (s.model - o) / 4;
    double c = std::clamp(s.model, 0.01, 0.99);
    log_score += std::log(s.outcome ? c : 1 - c) / 4;
    brier_nothing += (s.nothing_happens - o) * (s.nothing_happens - o) / 4;
  }
  EXPECT_EQ(qe.forecasters[0].name, "model");
  EXPECT_NEAR(qe.forecasters[0].brier, brier, 1e-12);
  EXPECT_NEAR(qe.forecasters[0].log_score, log_score, 1e-12);
  EXPECT_EQ(qe.forecasters[1].name, "fifty_fifty");
  EXPECT_DOUBLE_EQ(qe.forecasters[1].brier, 0.25);
  EXPECT_DOUBLE_EQ(qe.forecasters[1].log_score, std::log(0.5));
  EXPECT_EQ(qe.forecasters[2].name, "nothing_happens");
  // Nothing happens: tax and currency stay unagreed (0, 0), customs stays
  // unimplemented (0) with 40 % done (1); outcomes yes, no, no, yes.
  EXPECT_DOUBLE_EQ(qe.forecasters[2].brier, 0.25);
  EXPECT_DOUBLE_EQ(qe.forecasters[2].brier, brier_nothing);
  int counted = 0;
  for (const CalibrationBin& b : qe.calibration) counted += b.count;
  EXPECT_EQ(counted, 4);
  // The model's P for the tax question is its curve's value at the date.
  EXPECT_NEAR(qe.questions[0].model,
              ProbabilityAgreedBy(time_.issues[0], time_.baseline, time_.as_of,
                                  {2021, 12, 31}),
              1e-15);
}

}  // namespace
}  // namespace unionstate
