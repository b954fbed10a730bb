#include "unionstate/evaluate.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

namespace unionstate {

ObservedOutcomes ObservedFromScenario(const Scenario& scenario) {
  ObservedOutcomes out;
  out.name = "outcomes recorded in " + scenario.file;
  out.file = scenario.file;
  for (const Issue& issue : scenario.issues) {
    if (!issue.observed) continue;
    out.outcomes.push_back(
        {issue.id, *issue.observed, std::nullopt, "", "", issue.where});
  }
  return out;
}

ForecastSummary SummarizeForecast(const Scenario& scenario,
                                  const Forecast& forecast) {
  ForecastSummary out{forecast.scenario, forecast.model, {}};
  for (const IssueForecast& f : forecast.issues) {
    const Issue& issue = scenario.issues[static_cast<size_t>(f.issue)];
    std::optional<double> sq;
    if (issue.status_quo) sq = issue.status_quo->value;
    out.issues.push_back({issue.id, issue.name, issue.unit, issue.min,
                          issue.max, sq, f.outcome, f.agreement});
  }
  return out;
}

bool LooksLikeForecastJson(std::string_view text) {
  size_t start = text.find_first_not_of(" \t\r\n");
  return start != std::string_view::npos && text[start] == '{';
}

Result<ForecastSummary> ParseForecastJson(std::string_view text,
                                          const std::string& file) {
  nlohmann::json doc =
      nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return InvalidInput({file, 0, 0},
                        "the file is not valid JSON; expected the output of "
                        "`unionstate run` (docs/output-format.md)");
  }
  auto bad = [&](const std::string& what) {
    return InvalidInput(
        {file, 0, 0}, fmt::format("{}; expected the output of `unionstate run` "
                                  "(docs/output-format.md)",
                                  what));
  };
  if (!doc.is_object() || !doc.contains("issues") ||
      !doc["issues"].is_array()) {
    return bad("the JSON has no \"issues\" array");
  }
  ForecastSummary out;
  out.scenario = doc.value("scenario", "");
  out.model = doc.value("model", "");
  size_t k = 0;
  for (const nlohmann::json& issue : doc["issues"]) {
    ++k;
    const char* fields[] = {"id", "min", "max", "outcome", "agreement"};
    for (const char* field : fields) {
      if (!issue.contains(field))
        return bad(fmt::format("issue {} has no \"{}\"", k, field));
    }
    if (!issue["id"].is_string() || !issue["min"].is_number() ||
        !issue["max"].is_number() || !issue["outcome"].is_number() ||
        !issue["agreement"].is_boolean()) {
      return bad(fmt::format("issue {} has a field of the wrong type", k));
    }
    ForecastIssue f;
    f.id = issue["id"];
    f.name = issue.value("name", f.id);
    f.unit = issue.value("unit", "");
    f.min = issue["min"];
    f.max = issue["max"];
    if (issue.contains("status_quo") && issue["status_quo"].is_number()) {
      f.status_quo = issue["status_quo"].get<double>();
    }
    f.outcome = issue["outcome"];
    f.agreement = issue["agreement"];
    out.issues.push_back(std::move(f));
  }
  return out;
}

Result<Evaluation> Evaluate(const ForecastSummary& forecast,
                            const ObservedOutcomes& observed) {
  Evaluation e;
  e.scenario = forecast.scenario;
  e.model = forecast.model;
  e.observed = observed.name;
  std::map<std::string, const Observation*> by_issue;
  for (const Observation& o : observed.outcomes) by_issue[o.issue] = &o;
  std::vector<Diagnostic> diagnostics;
  bool same_scale = true;
  int agreement_calls = 0;
  int agreement_right = 0;
  for (const ForecastIssue& f : forecast.issues) {
    auto it = by_issue.find(f.id);
    if (it == by_issue.end()) {
      e.unscored.push_back(f.id);
      continue;
    }
    const Observation& o = *it->second;
    by_issue.erase(it);
    if (!(o.outcome >= f.min && o.outcome <= f.max)) {
      diagnostics.push_back(
          {o.where,
           fmt::format(
               "the observed outcome {} of issue \"{}\" is off its scale [{}, "
               "{}]; expected a value on the scale",
               o.outcome, f.id, f.min, f.max)});
      continue;
    }
    IssueScore s;
    s.id = f.id;
    s.unit = f.unit;
    s.forecast = f.outcome;
    s.observed = o.outcome;
    s.error = std::abs(f.outcome - o.outcome);
    s.error_percent = 100 * s.error / (f.max - f.min);
    s.agreement_forecast = f.agreement;
    s.source = o.source;
    if (o.agreement) {
      s.agreement_observed = *o.agreement;
    } else if (f.status_quo) {
      s.agreement_observed =
          std::abs(o.outcome - *f.status_quo) > 1e-9 * (f.max - f.min);
    }
    if (s.agreement_observed) {
      ++agreement_calls;
      agreement_right += *s.agreement_observed == s.agreement_forecast;
    }
    if (!e.issues.empty()) {
      const ForecastIssue* first = nullptr;
      for (const ForecastIssue& g : forecast.issues) {
        if (g.id == e.issues.front().id) first = &g;
      }
      same_scale = same_scale && first != nullptr && first->unit == f.unit &&
                   first->min == f.min && first->max == f.max;
    }
    e.issues.push_back(std::move(s));
  }
  for (const auto& [issue, o] : by_issue) e.unforecast.push_back(issue);
  if (!diagnostics.empty()) {
    return std::unexpected(
        Error(ErrorKind::kInvalidInput, std::move(diagnostics)));
  }
  if (e.issues.empty()) {
    return InvalidInput({observed.file, 0, 0},
                        "no issue of the forecast has an observed outcome; "
                        "expected [[outcomes]] "
                        "for issue ids of the forecast's scenario");
  }
  double total = 0;
  double total_percent = 0;
  for (const IssueScore& s : e.issues) {
    total += s.error;
    total_percent += s.error_percent;
  }
  e.mae_percent = total_percent / static_cast<double>(e.issues.size());
  if (same_scale) e.mae = total / static_cast<double>(e.issues.size());
  if (agreement_calls > 0) {
    e.agreement_accuracy =
        static_cast<double>(agreement_right) / agreement_calls;
  }
  return e;
}

std::string EvaluationToJson(const Evaluation& e) {
  using json = nlohmann::ordered_json;
  json out;
  out["scenario"] = e.scenario;
  out["model"] = e.model;
  out["observed"] = e.observed;
  json issues = json::array();
  for (const IssueScore& s : e.issues) {
    json i;
    i["id"] = s.id;
    i["unit"] = s.unit;
    i["forecast"] = s.forecast;
    i["observed"] = s.observed;
    i["error"] = s.error;
    i["error_percent_of_scale"] = s.error_percent;
    i["agreement_forecast"] = s.agreement_forecast;
    i["agreement_observed"] =
        s.agreement_observed ? json(*s.agreement_observed) : json(nullptr);
    i["agreement_right"] =
        s.agreement_observed
            ? json(*s.agreement_observed == s.agreement_forecast)
            : json(nullptr);
    i["source"] = s.source;
    issues.push_back(std::move(i));
  }
  out["issues"] = std::move(issues);
  out["unscored"] = e.unscored;
  out["unforecast"] = e.unforecast;
  json summary;
  summary["scored"] = e.issues.size();
  summary["mae_percent_of_scale"] = e.mae_percent;
  summary["mae"] = e.mae ? json(*e.mae) : json(nullptr);
  summary["agreement_accuracy"] =
      e.agreement_accuracy ? json(*e.agreement_accuracy) : json(nullptr);
  out["summary"] = std::move(summary);
  if (e.questions) {
    // Dated questions (docs/output-format.md, "Evaluation of dated
    // questions"); absent without them, so older outputs are unchanged.
    const QuestionEvaluation& qe = *e.questions;
    json questions = json::array();
    for (const QuestionScore& s : qe.questions) {
      json q;
      q["id"] = s.id;
      q["kind"] = s.kind;
      q["issue"] = s.issue;
      q["date"] = s.date.ToString();
      if (s.kind == "share_implemented_by") q["share"] = s.share;
      q["outcome"] = s.outcome;
      q["model"] = s.model;
      q["nothing_happens"] = s.nothing_happens;
      q["source"] = s.source;
      questions.push_back(std::move(q));
    }
    json scores = json::object();
    for (const ForecasterScore& f : qe.forecasters) {
      scores[f.name] = {{"brier", f.brier}, {"log_score", f.log_score}};
    }
    json calibration = json::array();
    for (const CalibrationBin& b : qe.calibration) {
      calibration.push_back(
          {{"lower", b.lower},
           {"upper", b.upper},
           {"count", b.count},
           {"mean_forecast",
            b.count ? json(b.mean_forecast) : json(nullptr)},
           {"observed_frequency",
            b.count ? json(b.observed_frequency) : json(nullptr)}});
    }
    out["questions"] = {{"scored", qe.questions.size()},
                        {"unknown_issues", qe.unknown_issues},
                        {"before_as_of", qe.before_as_of},
                        {"log_score_floor", kLogScoreFloor},
                        {"scores", std::move(scores)},
                        {"calibration", std::move(calibration)},
                        {"items", std::move(questions)}};
  }
  return out.dump(2) + "\n";
}

std::string EvaluationToTable(const Evaluation& e) {
  std::string out = fmt::format("Scenario: {}\nModel:    {}\nObserved: {}\n\n",
                                e.scenario, e.model, e.observed);
  size_t width = 5;
  for (const IssueScore& s : e.issues) width = std::max(width, s.id.size());
  out += fmt::format("{:<{}}  {:>10}  {:>10}  {:>10}  {:>8}  {}\n", "issue",
                     width, "forecast", "observed", "error", "% scale",
                     "agreement (forecast/observed)");
  for (const IssueScore& s : e.issues) {
    std::string agreement =
        std::string(s.agreement_forecast ? "yes" : "no") + "/" +
        (s.agreement_observed ? (*s.agreement_observed ? "yes" : "no") : "?");
    if (s.agreement_observed) {
      agreement +=
          *s.agreement_observed == s.agreement_forecast ? "  right" : "  wrong";
    }
    out += fmt::format(
        "{:<{}}  {:>10.4g}  {:>10.4g}  {:>10.4f}  {:>8.2f}  {}\n", s.id, width,
        s.forecast, s.observed, s.error, s.error_percent, agreement);
  }
  out += fmt::format("\nScored issues: {}\n", e.issues.size());
  out += fmt::format("MAE: {:.4f} % of scale", e.mae_percent);
  if (e.mae) out += fmt::format(" ({:.4f} in the issues' unit)", *e.mae);
  out += "\n";
  if (e.agreement_accuracy) {
    out += fmt::format("Agreement called right: {:.1f} %\n",
                       100 * *e.agreement_accuracy);
  }
  if (!e.unscored.empty()) {
    out += fmt::format("Not observed: {}\n", fmt::join(e.unscored, ", "));
  }
  if (!e.unforecast.empty()) {
    out += fmt::format("Observed but not in the forecast: {}\n",
                       fmt::join(e.unforecast, ", "));
  }
  if (e.questions) {
    const QuestionEvaluation& qe = *e.questions;
    size_t qw = 8;
    for (const QuestionScore& s : qe.questions) qw = std::max(qw, s.id.size());
    out += fmt::format("\nDated questions ({} scored):\n", qe.questions.size());
    out += fmt::format("{:<{}}  {:<20}  {:<10}  {:>7}  {:>7}  {:>7}\n",
                       "question", qw, "kind", "date", "outcome", "model",
                       "nothing");
    for (const QuestionScore& s : qe.questions) {
      out += fmt::format("{:<{}}  {:<20}  {:<10}  {:>7}  {:>7.3f}  {:>7.0f}\n",
                         s.id, qw, s.kind, s.date.ToString(),
                         s.outcome ? "yes" : "no", s.model, s.nothing_happens);
    }
    out += fmt::format("\n{:<16}  {:>8}  {:>9}\n", "forecaster", "Brier",
                       "log score");
    for (const ForecasterScore& f : qe.forecasters) {
      out += fmt::format("{:<16}  {:>8.4f}  {:>9.4f}\n", f.name, f.brier,
                         f.log_score);
    }
    out += fmt::format(
        "(Brier: lower is better; log score: mean ln p(outcome), p clipped "
        "to [{}, {}], higher is better)\n",
        kLogScoreFloor, 1 - kLogScoreFloor);
    out += "\nCalibration of the model:\n  bin         n  mean forecast  "
           "observed\n";
    for (const CalibrationBin& b : qe.calibration) {
      if (b.count == 0) continue;
      out += fmt::format("  [{:.1f}, {:.1f}{}  {:>3}  {:>13.3f}  {:>8.3f}\n",
                         b.lower, b.upper, b.upper >= 1 ? "]" : ")", b.count,
                         b.mean_forecast, b.observed_frequency);
    }
    if (!qe.unknown_issues.empty()) {
      out += fmt::format("Questions on issues the scenario lacks: {}\n",
                         fmt::join(qe.unknown_issues, ", "));
    }
    if (!qe.before_as_of.empty()) {
      out += fmt::format(
          "Not scored, dated before the scenario's as_of (known then): {}\n",
          qe.before_as_of.size());
    }
  }
  return out;
}

}  // namespace unionstate
