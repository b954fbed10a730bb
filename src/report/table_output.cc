#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "report/time_json.h"
#include "unionstate/explain.h"
#include "unionstate/output.h"

namespace unionstate {
namespace {

std::string Value(double x) {
  if (std::isnan(x)) return "-";
  return fmt::format("{:.6g}", x);
}

std::string Params(const Forecast& forecast) {
  std::string out;
  for (const auto& [key, value] : forecast.parameters.values()) {
    out += (out.empty() ? "" : ", ") + key + "=" + ParamValueToString(value);
  }
  return out.empty() ? forecast.model : forecast.model + "(" + out + ")";
}

}  // namespace

std::string ForecastToTable(const Scenario& scenario,
                            const Forecast& forecast) {
  return ForecastToTable(scenario, forecast, nullptr);
}

std::string ForecastToTable(const Scenario& scenario, const Forecast& forecast,
                            const TimeForecast* time) {
  std::string out =
      fmt::format("Scenario: {}\nModel:    {}\nSeed:     {}\nRounds:   {}\n\n",
                  forecast.scenario, Params(forecast), forecast.seed,
                  forecast.rounds.size() - 1);
  size_t id_width = 5;
  size_t unit_width = 4;
  for (const Issue& issue : scenario.issues) {
    id_width = std::max(id_width, issue.id.size());
    unit_width = std::max(unit_width, issue.unit.size());
  }
  out += fmt::format("{:<{}}  {:>12}  {:>12}  {:<{}}  {:<9}  {}\n", "issue",
                     id_width, "status quo", "forecast", "unit", unit_width,
                     "agreement", "blocked by");
  for (const IssueForecast& f : forecast.issues) {
    const Issue& issue = scenario.issues[static_cast<size_t>(f.issue)];
    std::string blocking;
    for (const std::string& id : f.blocking)
      blocking += (blocking.empty() ? "" : ", ") + id;
    out += fmt::format(
        "{:<{}}  {:>12}  {:>12}  {:<{}}  {:<9}  {}\n", issue.id, id_width,
        issue.status_quo ? Value(issue.status_quo->value) : "-",
        Value(f.outcome), issue.unit, unit_width, f.agreement ? "yes" : "no",
        blocking.empty() ? "-" : blocking);
  }
  // Forecasts that are not a resting point say so (docs/output-format.md).
  std::string notes;
  for (const IssueForecast& f : forecast.issues) {
    const Issue& issue = scenario.issues[static_cast<size_t>(f.issue)];
    const Convergence& c = f.convergence;
    if (c.status == Convergence::Status::kCycle) {
      notes += fmt::format(
          "note: {} cycles: from round {} the positions repeat every {} "
          "rounds and the forecast swings between {} and {}; it depends on "
          "where the rounds stop\n",
          issue.id, c.round, c.period, Value(c.low), Value(c.high));
    } else if (c.status == Convergence::Status::kUnsettled) {
      notes += fmt::format(
          "note: {} did not converge: positions still moved in round {}, "
          "the last one played\n",
          issue.id, c.round);
    }
  }
  if (!notes.empty()) out += "\n" + notes;
  // Why, per issue (explain.h): the same words the report and dashboard use.
  out += "\nWhy:\n";
  for (const IssueExplanation& why : ExplainForecast(scenario, forecast)) {
    out += fmt::format("{:<{}}  {}\n",
                       scenario.issues[static_cast<size_t>(why.issue)].id,
                       id_width, why.text);
  }
  if (forecast.rounds.size() > 1) {
    const Round& last = forecast.rounds.back();
    out += fmt::format("\nPositions after round {}:\n", last.round);
    size_t actor_width = 5;
    for (const Actor& actor : scenario.actors)
      actor_width = std::max(actor_width, actor.id.size());
    out += fmt::format("{:<{}}", "actor", actor_width);
    for (const Issue& issue : scenario.issues) {
      out += fmt::format("  {:>{}}", issue.id,
                         std::max<size_t>(10, issue.id.size()));
    }
    out += "\n";
    size_t n = scenario.issues.size();
    for (size_t a = 0; a < scenario.actors.size(); ++a) {
      out += fmt::format("{:<{}}", scenario.actors[a].id, actor_width);
      for (size_t i = 0; i < n; ++i) {
        out += fmt::format("  {:>{}}", Value(last.positions[a * n + i]),
                           std::max<size_t>(10, scenario.issues[i].id.size()));
      }
      out += "\n";
    }
  }
  if (time != nullptr) out += internal::TimeTable(scenario, *time);
  return out;
}

}  // namespace unionstate
