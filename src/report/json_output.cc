#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

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

// Rounds: {actor id: {issue id: value}}, leaving out NaN entries and actors
// without any value; {id: value} for actor and issue values, leaving out
// NaN.

// Writes JSON text as nlohmann's dump(2) lays it out, byte for byte:
// numbers through the same shortest-round-trip conversion (Grisu2) that its
// serializer calls, strings escaped as it escapes them.
class TextWriter {
 public:
  explicit TextWriter(std::string& out) : out_(out) {}

  void Raw(std::string_view s) { out_ += s; }
  // Opens an object (or array) whose members sit at indent + 2.
  void Open(char bracket) {
    out_ += bracket;
    first_.push_back(true);
  }
  // Starts the next member of the innermost open object.
  void Key(std::string_view quoted) {
    NextMember();
    out_ += quoted;
    out_ += ": ";
  }
  // Starts the next element of the innermost open array.
  void NextMember() {
    if (!first_.back()) out_ += ',';
    first_.back() = false;
    Newline(static_cast<int>(first_.size()) * 2 + base_);
  }
  // "{}" or "[]" when nothing was written inside.
  void Close(char bracket) {
    const bool empty = first_.back();
    first_.pop_back();
    if (!empty) Newline(static_cast<int>(first_.size()) * 2 + base_);
    out_ += bracket;
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
  // Indentation of the level the writer starts in.
  void set_base(int base) { base_ = base; }
  int indent() const { return static_cast<int>(first_.size()) * 2 + base_; }

 private:
  void Newline(int indent) {
    static constexpr std::string_view kSpaces =
        "\n                                ";
    if (indent + 1 <= static_cast<int>(kSpaces.size())) {
      out_.append(kSpaces.data(), static_cast<size_t>(indent) + 1);
    } else {
      out_ += '\n';
      out_.append(static_cast<size_t>(indent), ' ');
    }
  }

  std::string& out_;
  std::vector<bool> first_;
  int base_ = 0;
};

// `s` quoted and escaped as nlohmann's dump writes it: printable ASCII
// without quotes or backslashes goes as it is, anything else through the
// library.
std::string Quoted(std::string_view s) {
  for (char c : s) {
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
      return json(std::string(s)).dump();
  }
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  out += s;
  out += '"';
  return out;
}

constexpr const char* kRoundsPlaceholder = "\x01unionstate-rounds\x01";

// ActorIssueMap of the rounds: {actor: {issue: value}}, NaN left out, and
// actors without a value left out.
void WriteActorIssueMap(TextWriter& w,
                        const std::vector<std::string>& actor_keys,
                        const std::vector<std::string>& issue_keys,
                        const std::vector<double>& values) {
  const size_t n_issues = issue_keys.size();
  w.Open('{');
  for (size_t a = 0; a < actor_keys.size(); ++a) {
    const double* row = values.data() + a * n_issues;
    bool any = false;
    for (size_t i = 0; i < n_issues && !any; ++i) any = !std::isnan(row[i]);
    if (!any) continue;
    w.Key(actor_keys[a]);
    w.Open('{');
    for (size_t i = 0; i < n_issues; ++i) {
      if (std::isnan(row[i])) continue;
      w.Key(issue_keys[i]);
      w.Number(row[i]);
    }
    w.Close('}');
  }
  w.Close('}');
}

// {id: value}, NaN left out.
void WriteNamedValues(TextWriter& w, const std::vector<std::string>& keys,
                      const std::vector<double>& values) {
  w.Open('{');
  for (size_t k = 0; k < values.size(); ++k) {
    if (std::isnan(values[k])) continue;
    w.Key(keys[k]);
    w.Number(values[k]);
  }
  w.Close('}');
}

// {"kind": ..., field: value, ...}. A field named twice (or "kind") would
// have overwritten the first in an object built as a value: such an event
// is built as one, dumped and re-indented.
void WriteEvent(TextWriter& w, const Event& event) {
  bool repeated = false;
  for (size_t k = 0; k < event.fields.size() && !repeated; ++k) {
    repeated = event.fields[k].first == "kind";
    for (size_t j = 0; j < k && !repeated; ++j)
      repeated = event.fields[j].first == event.fields[k].first;
  }
  w.NextMember();
  if (repeated) {
    json e;
    e["kind"] = event.kind;
    for (const auto& [key, value] : event.fields) e[key] = ToJson(value);
    std::string text = e.dump(2);
    const auto indent = static_cast<size_t>(w.indent());
    for (size_t p = text.find('\n'); p != std::string::npos;
         p = text.find('\n', p + 1)) {
      text.insert(p + 1, indent, ' ');
    }
    w.Raw(text);
    return;
  }
  w.Open('{');
  w.Key("\"kind\"");
  w.Raw(Quoted(event.kind));
  for (const auto& [key, value] : event.fields) {
    w.Key(Quoted(key));
    if (const auto* d = std::get_if<double>(&value)) {
      w.Number(*d);
    } else if (const auto* i = std::get_if<std::int64_t>(&value)) {
      w.Integer(*i);
    } else if (const auto* t = std::get_if<std::string>(&value)) {
      w.Raw(Quoted(*t));
    } else {
      w.Raw(std::get<bool>(value) ? "true" : "false");
    }
  }
  w.Close('}');
}

// The "rounds" array as dump(2) writes it at depth 1 of the forecast.
void RoundsJson(const Scenario& scenario, const Forecast& forecast,
                std::string& out) {
  // Every id quoted and escaped once.
  std::vector<std::string> actor_keys;
  for (const Actor& a : scenario.actors) actor_keys.push_back(Quoted(a.id));
  std::vector<std::string> issue_keys;
  for (const Issue& i : scenario.issues) issue_keys.push_back(Quoted(i.id));
  TextWriter w(out);
  w.set_base(2);  // the array is a member of the top-level object
  w.Open('[');
  for (const Round& round : forecast.rounds) {
    // The members in the order the object had when built as a value.
    w.NextMember();
    w.Open('{');
    w.Key("\"round\"");
    w.Integer(round.round);
    w.Key("\"positions\"");
    WriteActorIssueMap(w, actor_keys, issue_keys, round.positions);
    for (const ActorIssueValues& v : round.actor_issue_values) {
      w.Key(Quoted(v.name));
      WriteActorIssueMap(w, actor_keys, issue_keys, v.values);
    }
    for (const ActorValues& v : round.actor_values) {
      w.Key(Quoted(v.name));
      WriteNamedValues(w, actor_keys, v.values);
    }
    for (const IssueValues& v : round.issue_values) {
      w.Key(Quoted(v.name));
      WriteNamedValues(w, issue_keys, v.values);
    }
    if (!round.events.empty()) {
      w.Key("\"events\"");
      w.Open('[');
      for (const Event& event : round.events) WriteEvent(w, event);
      w.Close(']');
    }
    w.Close('}');
  }
  w.Close(']');
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
    const Convergence& c = f.convergence;
    if (c.status != Convergence::Status::kNotIterated) {
      json convergence;
      convergence["status"] = ConvergenceStatusName(c.status);
      convergence["round"] = c.round;
      if (c.status == Convergence::Status::kCycle) {
        convergence["period"] = c.period;
        convergence["low"] = c.low;
        convergence["high"] = c.high;
      }
      entry["convergence"] = std::move(convergence);
    }
    if (time != nullptr) internal::AddIssueTimeJson(entry, *time, f.issue);
    issues.push_back(std::move(entry));
  }
  out["issues"] = std::move(issues);
  if (time != nullptr) out["time"] = internal::TimeJson(*time);

  // The rounds are most of the document (35 rounds of 34 actors under smp:
  // nine tenths of its bytes); they are written straight to text, in the
  // layout of dump(2), where a placeholder holds their place.
  out["rounds"] = kRoundsPlaceholder;
  const std::string text = out.dump(2);
  const std::string placeholder = json(kRoundsPlaceholder).dump();
  const size_t at = text.rfind(placeholder);
  // One buffer, reserved once, the rounds written into it in place: built
  // apart, spliced in and ended with "\n", the 352 KB of the 34-actor smp
  // forecast were copied four times into fresh pages (a third of the whole
  // run's page faults). The reserve is generous (never-written pages cost
  // nothing); the bytes are the same.
  size_t values = 0;
  size_t events = 0;
  for (const Round& round : forecast.rounds) {
    values += round.positions.size() + 8;
    for (const ActorIssueValues& v : round.actor_issue_values)
      values += v.values.size();
    for (const ActorValues& v : round.actor_values) values += v.values.size();
    for (const IssueValues& v : round.issue_values) values += v.values.size();
    events += round.events.size();
  }
  std::string whole;
  whole.reserve(text.size() + 64 * values + 256 * events + 64);
  whole.append(text, 0, at);
  RoundsJson(scenario, forecast, whole);
  whole.append(text, at + placeholder.size());
  whole += "\n";
  return whole;
}

}  // namespace unionstate
