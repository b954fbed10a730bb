#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "unionstate/output.h"

namespace unionstate {
namespace {

using json = nlohmann::ordered_json;

json ToJson(const ParamValue& value) {
  return std::visit([](const auto& v) { return json(v); }, value);
}

json ToJson(const Event::Value& value) {
  return std::visit([](const auto& v) { return json(v); }, value);
}

// Rounds: {actor id: {issue id: value}}, leaving out NaN entries and actors
// without any value; {id: value} for actor and issue values, leaving out
// NaN.

// Writes JSON text as nlohmann's dump(2) lays it out, byte for byte:
// numbers through the same shortest-round-trip conversion (Grisu2) that its
// serializer calls, strings escaped by the library itself.
class TextWriter {
 public:
  explicit TextWriter(std::string& out) : out_(out) {}
  void Raw(std::string_view s) { out_ += s; }
  void Newline(int indent) {
    out_ += '\n';
    out_.append(static_cast<size_t>(indent), ' ');
  }
  void Number(double x) {
    if (!std::isfinite(x)) {
      out_ += "null";
      return;
    }
    char buffer[64];
    char* end = nlohmann::detail::to_chars(buffer, buffer + sizeof buffer, x);
    out_.append(buffer, end);
  }
  void Integer(long long v) { out_ += std::to_string(v); }

 private:
  std::string& out_;
};

constexpr const char* kRoundsPlaceholder = "\x01unionstate-rounds\x01";

// An object of (quoted key, value) pairs at `indent` (its members at
// indent + 2), "{}" when empty; `member(k)` writes the k-th value.
template <class Member>
void WriteObject(TextWriter& w, int indent,
                 const std::vector<const std::string*>& keys, Member member) {
  if (keys.empty()) {
    w.Raw("{}");
    return;
  }
  w.Raw("{");
  for (size_t k = 0; k < keys.size(); ++k) {
    if (k > 0) w.Raw(",");
    w.Newline(indent + 2);
    w.Raw(*keys[k]);
    w.Raw(": ");
    member(k);
  }
  w.Newline(indent);
  w.Raw("}");
}

// ActorIssueMap, written.
void WriteActorIssueMap(TextWriter& w, int indent,
                        const std::vector<std::string>& actor_keys,
                        const std::vector<std::string>& issue_keys,
                        const std::vector<double>& values) {
  const size_t n_issues = issue_keys.size();
  std::vector<const std::string*> actors;
  std::vector<size_t> rows;
  for (size_t a = 0; a < actor_keys.size(); ++a) {
    for (size_t i = 0; i < n_issues; ++i) {
      if (!std::isnan(values[a * n_issues + i])) {
        actors.push_back(&actor_keys[a]);
        rows.push_back(a);
        break;
      }
    }
  }
  WriteObject(w, indent, actors, [&](size_t k) {
    const size_t a = rows[k];
    std::vector<const std::string*> issues;
    std::vector<double> row;
    for (size_t i = 0; i < n_issues; ++i) {
      const double x = values[a * n_issues + i];
      if (std::isnan(x)) continue;
      issues.push_back(&issue_keys[i]);
      row.push_back(x);
    }
    WriteObject(w, indent + 2, issues, [&](size_t j) { w.Number(row[j]); });
  });
}

// A map of named values (NaN left out), written.
void WriteNamedValues(TextWriter& w, int indent,
                      const std::vector<std::string>& keys,
                      const std::vector<double>& values) {
  std::vector<const std::string*> present;
  std::vector<double> kept;
  for (size_t k = 0; k < values.size(); ++k) {
    if (std::isnan(values[k])) continue;
    present.push_back(&keys[k]);
    kept.push_back(values[k]);
  }
  WriteObject(w, indent, present, [&](size_t j) { w.Number(kept[j]); });
}

// The "rounds" array as dump(2) writes it at depth 1 of the forecast.
void RoundsJson(const Scenario& scenario, const Forecast& forecast,
                std::string& out) {
  // Every id quoted and escaped once.
  std::vector<std::string> actor_keys;
  for (const Actor& a : scenario.actors)
    actor_keys.push_back(json(a.id).dump());
  std::vector<std::string> issue_keys;
  for (const Issue& i : scenario.issues)
    issue_keys.push_back(json(i.id).dump());
  TextWriter w(out);
  if (forecast.rounds.empty()) {
    w.Raw("[]");
    return;
  }
  constexpr int kIndent = 2;  // the array's, inside the top-level object
  w.Raw("[");
  for (size_t r = 0; r < forecast.rounds.size(); ++r) {
    const Round& round = forecast.rounds[r];
    if (r > 0) w.Raw(",");
    w.Newline(kIndent + 2);
    // The round's members in the order of the object built before.
    std::vector<std::string> names = {json("round").dump(),
                                      json("positions").dump()};
    for (const ActorIssueValues& v : round.actor_issue_values)
      names.push_back(json(v.name).dump());
    for (const ActorValues& v : round.actor_values)
      names.push_back(json(v.name).dump());
    for (const IssueValues& v : round.issue_values)
      names.push_back(json(v.name).dump());
    if (!round.events.empty()) names.push_back(json("events").dump());
    std::vector<const std::string*> keys;
    for (const std::string& n : names) keys.push_back(&n);
    const int member_indent = kIndent + 4;
    const size_t n_actor_issue = round.actor_issue_values.size();
    const size_t n_actor = round.actor_values.size();
    const size_t n_issue = round.issue_values.size();
    WriteObject(w, kIndent + 2, keys, [&](size_t k) {
      if (k == 0) {
        w.Integer(round.round);
        return;
      }
      if (k == 1) {
        WriteActorIssueMap(w, member_indent, actor_keys, issue_keys,
                           round.positions);
        return;
      }
      size_t j = k - 2;
      if (j < n_actor_issue) {
        WriteActorIssueMap(w, member_indent, actor_keys, issue_keys,
                           round.actor_issue_values[j].values);
        return;
      }
      j -= n_actor_issue;
      if (j < n_actor) {
        WriteNamedValues(w, member_indent, actor_keys,
                         round.actor_values[j].values);
        return;
      }
      j -= n_actor;
      if (j < n_issue) {
        WriteNamedValues(w, member_indent, issue_keys,
                         round.issue_values[j].values);
        return;
      }
      // Events are few: built as values and re-indented.
      json events = json::array();
      for (const Event& event : round.events) {
        json e;
        e["kind"] = event.kind;
        for (const auto& [key, value] : event.fields) e[key] = ToJson(value);
        events.push_back(std::move(e));
      }
      std::string text = events.dump(2);
      for (size_t p = text.find('\n'); p != std::string::npos;
           p = text.find('\n', p + 1)) {
        text.insert(p + 1, static_cast<size_t>(member_indent), ' ');
      }
      w.Raw(text);
    });
  }
  w.Newline(kIndent);
  w.Raw("]");
}

}  // namespace

std::string ForecastToJson(const Scenario& scenario, const Forecast& forecast) {
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
    issues.push_back(std::move(entry));
  }
  out["issues"] = std::move(issues);

  // The rounds are most of the document (35 rounds of 34 actors under smp:
  // nine tenths of its bytes); they are written straight to text, in the
  // layout of dump(2), where a placeholder holds their place.
  out["rounds"] = kRoundsPlaceholder;
  std::string text = out.dump(2);
  const std::string placeholder = json(kRoundsPlaceholder).dump();
  const size_t at = text.rfind(placeholder);
  std::string rounds;
  RoundsJson(scenario, forecast, rounds);
  text.replace(at, placeholder.size(), rounds);
  text += "\n";
  return text;
}

}  // namespace unionstate
