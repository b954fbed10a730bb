#include <cmath>
#include <nlohmann/json.hpp>

#include "report/time_json.h"
#include "unionstate/output.h"
#include "unionstate/time_forecast.h"

namespace unionstate {
namespace {

using json = nlohmann::ordered_json;

json ToJson(const ParamValue& value) {
  return std::visit([](const auto& v) { return json(v); }, value);
}

json ToJson(const Event::Value& value) {
  return std::visit([](const auto& v) { return json(v); }, value);
}

// {actor id: {issue id: value}}, leaving out NaN entries and actors without
// any value.
json ActorIssueMap(const Scenario& scenario,
                   const std::vector<double>& values) {
  json out = json::object();
  size_t n_issues = scenario.issues.size();
  for (size_t a = 0; a < scenario.actors.size(); ++a) {
    json row = json::object();
    for (size_t i = 0; i < n_issues; ++i) {
      double x = values[a * n_issues + i];
      if (!std::isnan(x)) row[scenario.issues[i].id] = x;
    }
    if (!row.empty()) out[scenario.actors[a].id] = std::move(row);
  }
  return out;
}

}  // namespace

std::string ForecastToJson(const Scenario& scenario, const Forecast& forecast) {
  return ForecastToJson(scenario, forecast, nullptr);
}

std::string ForecastToJson(const Scenario& scenario, const Forecast& forecast,
                           const TimeForecast* time) {
  json out;
  out["scenario"] = forecast.scenario;
  out["model"] = forecast.model;
  json parameters = json::object();
  for (const auto& [key, value] : forecast.parameters.values())
    parameters[key] = ToJson(value);
  out["parameters"] = std::move(parameters);
  out["seed"] = forecast.seed;

  json issues = json::array();
  for (const IssueForecast& f : forecast.issues) {
    const Issue& issue = scenario.issues[static_cast<size_t>(f.issue)];
    json entry;
    entry["id"] = issue.id;
    entry["name"] = issue.name;
    entry["unit"] = issue.unit;
    entry["min"] = issue.min;
    entry["max"] = issue.max;
    entry["status_quo"] =
        issue.status_quo ? json(issue.status_quo->value) : json(nullptr);
    entry["outcome"] = f.outcome;
    entry["agreement"] = f.agreement;
    entry["blocking"] = f.blocking;
    if (time != nullptr) internal::AddIssueTimeJson(entry, *time, f.issue);
    issues.push_back(std::move(entry));
  }
  out["issues"] = std::move(issues);
  if (time != nullptr) out["time"] = internal::TimeJson(*time);

  json rounds = json::array();
  for (const Round& round : forecast.rounds) {
    json r;
    r["round"] = round.round;
    r["positions"] = ActorIssueMap(scenario, round.positions);
    for (const ActorIssueValues& v : round.actor_issue_values) {
      r[v.name] = ActorIssueMap(scenario, v.values);
    }
    for (const ActorValues& v : round.actor_values) {
      json map = json::object();
      for (size_t a = 0; a < v.values.size(); ++a) {
        if (!std::isnan(v.values[a])) map[scenario.actors[a].id] = v.values[a];
      }
      r[v.name] = std::move(map);
    }
    for (const IssueValues& v : round.issue_values) {
      json map = json::object();
      for (size_t i = 0; i < v.values.size(); ++i) {
        if (!std::isnan(v.values[i])) map[scenario.issues[i].id] = v.values[i];
      }
      r[v.name] = std::move(map);
    }
    if (!round.events.empty()) {
      json events = json::array();
      for (const Event& event : round.events) {
        json e;
        e["kind"] = event.kind;
        for (const auto& [key, value] : event.fields) e[key] = ToJson(value);
        events.push_back(std::move(e));
      }
      r["events"] = std::move(events);
    }
    rounds.push_back(std::move(r));
  }
  out["rounds"] = std::move(rounds);
  return out.dump(2) + "\n";
}

}  // namespace unionstate
