// Scoring dated yes/no questions against time forecasts (evaluate.h,
// ScoreQuestions; docs/time.md, "Scoring").

#include <algorithm>
#include <cmath>
#include <limits>

#include "unionstate/calendar.h"
#include "unionstate/evaluate.h"
#include "unionstate/time_forecast.h"

namespace unionstate {
namespace {

// The model's P(yes) for a question.
double ModelProbability(const DatedQuestion& q, const IssueTime& t,
                        const TimeForecast& time) {
  switch (q.kind) {
    case QuestionKind::kAgreedBy:
      return ProbabilityAgreedBy(t, time.baseline, time.as_of, q.date);
    case QuestionKind::kImplementedBy:
      return ProbabilityShareImplementedBy(t, time.baseline, time.as_of, q.date,
                                           1.0);
    case QuestionKind::kShareImplementedBy:
      return ProbabilityShareImplementedBy(t, time.baseline, time.as_of, q.date,
                                           q.share);
  }
  return 0.5;
}

// "Nothing happens": the state the log records at as_of persists.
double NothingHappens(const DatedQuestion& q, const IssueTime& t) {
  switch (q.kind) {
    case QuestionKind::kAgreedBy:
      return t.state == "agreed" && t.agreed_on && !(q.date < *t.agreed_on) ? 1
                                                                            : 0;
    case QuestionKind::kImplementedBy:
      return t.implemented ? 1 : 0;
    case QuestionKind::kShareImplementedBy: {
      if (t.implemented) return 1;
      if (!t.measures) return 0;
      double share = static_cast<double>(t.measures_done) / *t.measures;
      return share + 1e-12 >= q.share ? 1 : 0;
    }
  }
  return 0;
}

ForecasterScore Score(const std::string& name,
                      const std::vector<QuestionScore>& scores,
                      double (*pick)(const QuestionScore&)) {
  ForecasterScore out;
  out.name = name;
  for (const QuestionScore& s : scores) {
    double p = pick(s);
    double o = s.outcome ? 1 : 0;
    out.brier += (p - o) * (p - o);
    double clipped = std::clamp(p, kLogScoreFloor, 1 - kLogScoreFloor);
    out.log_score += std::log(s.outcome ? clipped : 1 - clipped);
  }
  if (!scores.empty()) {
    out.brier /= static_cast<double>(scores.size());
    out.log_score /= static_cast<double>(scores.size());
  }
  return out;
}

}  // namespace

std::string_view QuestionKindName(QuestionKind kind) {
  switch (kind) {
    case QuestionKind::kAgreedBy:
      return "agreed_by";
    case QuestionKind::kImplementedBy:
      return "implemented_by";
    case QuestionKind::kShareImplementedBy:
      return "share_implemented_by";
  }
  return "agreed_by";
}

QuestionEvaluation ScoreQuestions(const Scenario& scenario,
                                  const TimeForecast& time,
                                  const ObservedOutcomes& observed) {
  QuestionEvaluation out;
  for (const DatedQuestion& q : observed.questions) {
    int issue = scenario.FindIssue(q.issue);
    if (issue < 0 || time.issues.empty()) {
      out.unknown_issues.push_back(q.id);
      continue;
    }
    if (scenario.as_of && q.date < *scenario.as_of) {
      out.before_as_of.push_back(q.id);
      continue;
    }
    const IssueTime& t = time.issues[static_cast<size_t>(issue)];
    QuestionScore s;
    s.id = q.id;
    s.kind = QuestionKindName(q.kind);
    s.issue = q.issue;
    s.date = q.date;
    s.share = q.share;
    s.outcome = q.outcome;
    s.model = ModelProbability(q, t, time);
    s.nothing_happens = NothingHappens(q, t);
    s.source = q.source;
    out.questions.push_back(std::move(s));
  }
  out.forecasters.push_back(Score(
      "model", out.questions, [](const QuestionScore& s) { return s.model; }));
  out.forecasters.push_back(Score("fifty_fifty", out.questions,
                                  [](const QuestionScore&) { return 0.5; }));
  out.forecasters.push_back(
      Score("nothing_happens", out.questions,
            [](const QuestionScore& s) { return s.nothing_happens; }));
  for (int b = 0; b < 10; ++b) {
    CalibrationBin bin;
    bin.lower = b / 10.0;
    bin.upper = (b + 1) / 10.0;
    double forecast = 0, hits = 0;
    for (const QuestionScore& s : out.questions) {
      bool last = b == 9;
      if (s.model >= bin.lower &&
          (s.model < bin.upper || (last && s.model <= 1))) {
        ++bin.count;
        forecast += s.model;
        hits += s.outcome ? 1 : 0;
      }
    }
    double nan = std::numeric_limits<double>::quiet_NaN();
    bin.mean_forecast = bin.count ? forecast / bin.count : nan;
    bin.observed_frequency = bin.count ? hits / bin.count : nan;
    out.calibration.push_back(bin);
  }
  return out;
}

// The time forecast of the scenario to the latest question (at least five
// years past as_of), and the questions scored with it.
Result<QuestionEvaluation> ScoreDatedQuestions(Env& env,
                                               const Scenario& scenario,
                                               const Forecast& forecast,
                                               const ObservedOutcomes& observed) {
  if (!scenario.as_of) {
    return InvalidArgument(
        "the scenario has no as_of date; expected one to score dated "
        "questions from");
  }
  Date horizon = AddMonths(*scenario.as_of, 60);
  for (const DatedQuestion& q : observed.questions)
    if (horizon < q.date) horizon = q.date;
  Result<std::optional<ReferenceClass>> reference =
      LoadReferenceClass(env, scenario);
  if (!reference) return std::unexpected(reference.error());
  Result<TimeForecast> time =
      ForecastTime(scenario, forecast, *reference, {.horizon = horizon});
  if (!time) return std::unexpected(time.error());
  if (time->baseline.method == Baseline::Method::kNone) {
    return Failed("cannot score the dated questions: " + time->baseline.note);
  }
  return ScoreQuestions(scenario, *time, observed);
}

}  // namespace unionstate
