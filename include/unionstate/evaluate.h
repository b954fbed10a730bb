#ifndef UNIONSTATE_EVALUATE_H_
#define UNIONSTATE_EVALUATE_H_

// Scoring forecasts against what happened.
//
// Observed outcomes come from a TOML file (docs/observed-format.md):
//
//   [observed]
//   name = "November 2021"
//   as_of = 2021-11-04
//   [[outcomes]]
//   issue = "gas_price"
//   outcome = 128.5                       # on the issue's scale, or
//   wording = "harmonise legislation"     # mapped by the commitment ladder
//   agreement = true                      # optional
//   source = "seed 003 (2021-09-09): ..."
//
// or from the outcome column of an imported table (the DEU III table). A
// forecast comes from a model run or from the JSON `unionstate run` writes.
//
// Per issue the score is the absolute error on the issue's scale, the same
// as a percentage of the scale's width, and whether agreement / no
// agreement was forecast right (an observation's `agreement`, or else
// whether the observed outcome differs from the status quo). Overall: the
// mean absolute error in percent of the scales (the MAE of the DEU
// literature when every scale is 0-100), the MAE in the issues' units when
// all issues share one unit and scale, and the share of agreement calls
// that were right.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "unionstate/env.h"
#include "unionstate/forecast.h"
#include "unionstate/scenario.h"
#include "unionstate/status.h"

namespace unionstate {

struct Observation {
  std::string issue;  // an issue id
  double outcome = 0;
  std::optional<bool> agreement;
  std::string wording;  // when the outcome was given by its wording
  std::string source;
  SourceLocation where;
};

// A dated yes/no question (`[[questions]]`, docs/observed-format.md): did
// the issue get agreed / implemented / at least `share` implemented by
// `date`? Scored against time forecasts (ScoreQuestions).
enum class QuestionKind { kAgreedBy, kImplementedBy, kShareImplementedBy };

// "agreed_by", "implemented_by", "share_implemented_by".
std::string_view QuestionKindName(QuestionKind kind);

struct DatedQuestion {
  std::string id;
  QuestionKind kind = QuestionKind::kAgreedBy;
  std::string issue;  // an issue id
  Date date;
  double share = 1;  // share_implemented_by: the threshold in (0, 1]
  bool outcome = false;
  std::string source;
  SourceLocation where;
};

struct ObservedOutcomes {
  std::string name;
  std::optional<Date> as_of;
  std::string source;
  std::string file;
  std::vector<Observation> outcomes;
  std::vector<DatedQuestion> questions;
};

// Parses an observed-outcomes TOML file; every mistake is reported with its
// file:line:column (unknown fields, both or neither of outcome and wording,
// wording the commitment ladder does not know, duplicate issues).
Result<ObservedOutcomes> ParseObserved(std::string_view text,
                                       const std::string& file);
Result<ObservedOutcomes> LoadObserved(Env& env, const std::string& path);

// The outcomes an imported table carries (Issue::observed).
ObservedOutcomes ObservedFromScenario(const Scenario& scenario);

// What evaluation needs of a forecast, per issue.
struct ForecastIssue {
  std::string id;
  std::string name;
  std::string unit;
  double min = 0;
  double max = 100;
  std::optional<double> status_quo;
  double outcome = 0;
  bool agreement = false;
};
struct ForecastSummary {
  std::string scenario;
  std::string model;
  std::vector<ForecastIssue> issues;
};

ForecastSummary SummarizeForecast(const Scenario& scenario,
                                  const Forecast& forecast);

// Reads the JSON of `unionstate run` (docs/output-format.md).
Result<ForecastSummary> ParseForecastJson(std::string_view text,
                                          const std::string& file);

// True when the text looks like a forecast JSON document rather than a
// scenario.
bool LooksLikeForecastJson(std::string_view text);

struct IssueScore {
  std::string id;
  std::string unit;
  double forecast = 0;
  double observed = 0;
  double error = 0;          // |forecast - observed|, in the issue's unit
  double error_percent = 0;  // the same as a percentage of the scale's width
  bool agreement_forecast = false;
  std::optional<bool> agreement_observed;  // unknown without a status quo
  std::string source;
};

// Scores of one forecaster (the model or a baseline) on the questions.
struct ForecasterScore {
  std::string name;  // "model", "fifty_fifty", "nothing_happens"
  double brier = 0;  // mean (p - outcome)^2; 0 is perfect, lower is better
  // Mean ln p(outcome), p clipped to [kLogScoreFloor, 1 - kLogScoreFloor];
  // 0 is perfect, higher is better.
  double log_score = 0;
};

inline constexpr double kLogScoreFloor = 0.01;

struct QuestionScore {
  std::string id;
  std::string kind;  // QuestionKindName
  std::string issue;
  Date date;
  double share = 1;
  bool outcome = false;
  double model = 0;            // P(yes) by the time forecast
  double nothing_happens = 0;  // 1 if already true at as_of by the log, else 0
  std::string source;
};

// One bin of the calibration table: forecasts in [lower, upper).
struct CalibrationBin {
  double lower = 0;
  double upper = 0;
  int count = 0;
  double mean_forecast = 0;       // NaN when empty
  double observed_frequency = 0;  // NaN when empty
};

struct QuestionEvaluation {
  std::vector<QuestionScore> questions;
  std::vector<std::string> unknown_issues;  // question ids on absent issues
  // Question ids dated before the scenario's as_of: known by then, so a
  // forecast from it would be hindsight; listed, not scored.
  std::vector<std::string> before_as_of;
  std::vector<ForecasterScore> forecasters;  // model, fifty_fifty, nothing_happens
  std::vector<CalibrationBin> calibration;   // 10 bins of the model
};

struct Evaluation {
  std::string scenario;
  std::string model;
  std::string observed;  // ObservedOutcomes::name
  std::vector<IssueScore> issues;
  std::vector<std::string> unscored;  // forecast issues without an observation
  std::vector<std::string>
      unforecast;             // observations of issues the forecast lacks
  double mae_percent = 0;     // mean of error_percent
  std::optional<double> mae;  // mean of error, when units and scales agree
  std::optional<double>
      agreement_accuracy;  // share right, over issues with both calls
  // The dated questions, when the observations hold some and a time
  // forecast was made (ScoreQuestions); the JSON and table show them.
  std::optional<QuestionEvaluation> questions;
};

// Scores `forecast` against `observed`. Fails with kInvalidInput, at the
// observation's location, when an observed outcome lies off its issue's
// scale, and when no issue can be scored.
Result<Evaluation> Evaluate(const ForecastSummary& forecast,
                            const ObservedOutcomes& observed);

struct TimeForecast;  // time_forecast.h

// Scores the dated questions of `observed` with the time forecast of
// `scenario`: per question the model's probability, and the Brier and log
// scores of the model and of two baselines -- 50 %, and "nothing happens":
// the state the event log records at as_of persists (a question already
// true by then is 1, any other 0). Questions on issues the scenario lacks
// are listed in unknown_issues, questions dated before the scenario's
// as_of in before_as_of; neither is scored.
QuestionEvaluation ScoreQuestions(const Scenario& scenario,
                                  const TimeForecast& time,
                                  const ObservedOutcomes& observed);

// The whole step `unionstate evaluate` and the Python module take for a
// scenario input: the time forecast of `scenario` and its `forecast` to the
// latest question (at least five years past as_of), from the reference
// class the scenario names (read through `env`), then ScoreQuestions.
// kInvalidArgument without as_of; kFailed when no baseline can be
// estimated (too little dated data: the caller may still report the depth
// evaluation); a reference class that cannot be read is the usual error.
Result<QuestionEvaluation> ScoreDatedQuestions(Env& env,
                                               const Scenario& scenario,
                                               const Forecast& forecast,
                                               const ObservedOutcomes& observed);

std::string EvaluationToJson(const Evaluation& evaluation);
std::string EvaluationToTable(const Evaluation& evaluation);

}  // namespace unionstate

#endif  // UNIONSTATE_EVALUATE_H_
