#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
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

// True when `c` goes into a JSON string as it is: printable ASCII other
// than a quote or a backslash (anything else is escaped by the library).
bool PlainChar(char c) {
  return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\';
}

// True when `s` goes into JSON as it is between quotes.
bool Plain(std::string_view s) {
  for (char c : s) {
    if (!PlainChar(c)) return false;
  }
  return true;
}

// Writes JSON text as nlohmann's dump(2) lays it out, byte for byte:
// numbers through the same shortest-round-trip conversion (Grisu2) that its
// serializer calls, strings escaped as it escapes them. The text goes
// through a buffer of kBuffer bytes, handed to `sink` whenever it fills
// and by Flush, so the document is never held whole here; a write is a
// bounds check and a copy.
class TextWriter {
 public:
  static constexpr size_t kBuffer = 64 * 1024;
  explicit TextWriter(const JsonWrite& sink)
      : sink_(sink), buffer_(new char[kBuffer]) {}

  void Raw(std::string_view s) { Put(s.data(), s.size()); }
  // Opens an object (or array) whose members sit at indent + 2.
  void Open(char bracket) {
    Put(bracket);
    first_.push_back(1);
  }
  // Starts the next member of the innermost open object, its key already
  // quoted (Quoted) or written here (StringKey).
  void Key(std::string_view quoted) {
    NextMember();
    if (quoted.size() + 2 > kBuffer) {
      Put(quoted.data(), quoted.size());
      Put(": ", 2);
      return;
    }
    char* out = Room(quoted.size() + 2);
    std::memcpy(out, quoted.data(), quoted.size());
    out[quoted.size()] = ':';
    out[quoted.size() + 1] = ' ';
    used_ += quoted.size() + 2;
  }
  void StringKey(std::string_view key) {
    NextMember();
    String(key);
    Put(": ", 2);
  }
  // A member whose value is a string, or a number (NaN as null).
  void StringMember(std::string_view quoted_key, std::string_view s) {
    Key(quoted_key);
    String(s);
  }
  void NumberMember(std::string_view quoted_key, double x) {
    Key(quoted_key);
    Number(x);
  }
  // `s` quoted and escaped as nlohmann's dump writes it.
  void String(std::string_view s) {
    if (s.size() + 2 <= kBuffer) {
      // Copied as it is checked; a character that needs escaping leaves
      // what was copied unclaimed, for the slow way.
      char* out = Room(s.size() + 2);
      char* at = out;
      *at++ = '"';
      bool plain = true;
      for (char c : s) {
        plain = plain && PlainChar(c);
        *at++ = c;
      }
      *at++ = '"';
      if (plain) {
        used_ += static_cast<size_t>(at - out);
        return;
      }
    }
    if (!Plain(s)) {
      Raw(json(std::string(s)).dump());
      return;
    }
    Put('"');
    Put(s.data(), s.size());
    Put('"');
  }
  // Starts the next member of the innermost open object or array.
  void NextMember() {
    const size_t indent = first_.size() * 2;
    if (indent >= kSpaces.size()) {
      if (first_.back() == 0) Put(',');
      first_.back() = 0;
      Newline(static_cast<int>(indent));
      return;
    }
    // The comma, the newline and the indent in one copy of a fixed size
    // (of which indent + 1 bytes are kept).
    char* out = Room(kSpaces.size() + 1);
    const size_t comma = first_.back() == 0 ? 1 : 0;
    *out = ',';
    std::memcpy(out + comma, kSpaces.data(), kSpaces.size());
    used_ += comma + indent + 1;
    first_.back() = 0;
  }
  // "{}" or "[]" when nothing was written inside.
  void Close(char bracket) {
    const bool empty = first_.back() != 0;
    first_.pop_back();
    if (!empty) Newline(static_cast<int>(first_.size()) * 2);
    Put(bracket);
  }
  void Number(double x) {
    if (!std::isfinite(x)) {
      Put("null", 4);
      return;
    }
    // The conversion is most of the writer's cost (about 600 instructions
    // a number), and the rounds repeat many values (an actor's position or
    // probability that did not change: 40 % of the 34-actor smp forecast's
    // numbers), so the last text of each of the memo's slots is kept,
    // chosen by the value's bits.
    std::uint64_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    Memo& m = memo_[(bits * 0x9e3779b97f4a7c15u) >> (64 - kMemoBits)];
    if (m.length == 0 || m.bits != bits) {
      char* end = nlohmann::detail::to_chars(m.text, m.text + sizeof m.text, x);
      m.bits = bits;
      m.length = static_cast<std::uint8_t>(end - m.text);
    }
    Put(m.text, m.length);
  }
  template <class Int>
  void Integer(Int v) {
    char text[24];
    const auto [end, error] = std::to_chars(text, text + sizeof text, v);
    Put(text, static_cast<size_t>(end - text));
  }
  void Bool(bool v) { v ? Put("true", 4) : Put("false", 5); }
  // Hands what is buffered to the sink; once the sink has refused a piece,
  // nothing more is handed on. False once it has.
  bool Flush() {
    if (ok_ && used_ > 0) ok_ = sink_(std::string_view(buffer_.get(), used_));
    used_ = 0;
    return ok_;
  }

 private:
  void Put(char c) {
    if (used_ == kBuffer) Flush();
    buffer_[used_++] = c;
  }
  void Put(const char* p, size_t n) {
    if (n > kBuffer - used_) {
      Flush();
      if (n > kBuffer) {  // longer than the buffer: handed on as it is
        if (ok_) ok_ = sink_(std::string_view(p, n));
        return;
      }
    }
    std::memcpy(buffer_.get() + used_, p, n);
    used_ += n;
  }
  // Room for n more bytes (n <= kBuffer): what is buffered is handed on
  // first when it lacks it. The caller writes them and claims (used_) what
  // it keeps.
  char* Room(size_t n) {
    if (n > kBuffer - used_) Flush();
    return buffer_.get() + used_;
  }
  void Newline(int indent) {
    if (indent + 1 <= static_cast<int>(kSpaces.size())) {
      Put(kSpaces.data(), static_cast<size_t>(indent) + 1);
    } else {
      Put('\n');
      for (int k = 0; k < indent; ++k) Put(' ');
    }
  }

  // A number's text, as to_chars wrote it (at most 24 bytes for a double:
  // 17 digits, sign, point, exponent); length 0: none yet.
  struct Memo {
    std::uint64_t bits = 0;
    std::uint8_t length = 0;
    char text[31];
  };
  static constexpr int kMemoBits = 9;
  // A newline and the spaces of the deepest indent written in one copy.
  static constexpr std::string_view kSpaces =
      "\n                                ";

  const JsonWrite& sink_;
  std::unique_ptr<char[]> buffer_;
  size_t used_ = 0;
  bool ok_ = true;
  std::string first_;  // per open level: 1 while it has no member yet
  // On the heap, not in the object: 20 KB of stack would be five fresh
  // pages that a short `run` touches for nothing else (a page fault each,
  // bench/README.md, "Fresh pages"); the heap's first megabytes are on
  // one huge page already mapped.
  std::unique_ptr<Memo[]> memo_ =
      std::make_unique<Memo[]>(size_t{1} << kMemoBits);
};

// `s` quoted and escaped as nlohmann's dump writes it.
std::string Quoted(std::string_view s) {
  if (!Plain(s)) return json(std::string(s)).dump();
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  out += s;
  out += '"';
  return out;
}

// A value built with the library, written as its dump(2) writes it at the
// writer's depth (the time figures, which are built as values; an event
// with a repeated field).
void WriteValue(TextWriter& w, const json& value) {
  switch (value.type()) {
    case json::value_t::object:
      w.Open('{');
      for (const auto& item : value.items()) {
        w.StringKey(item.key());
        WriteValue(w, item.value());
      }
      w.Close('}');
      return;
    case json::value_t::array:
      w.Open('[');
      for (const json& element : value) {
        w.NextMember();
        WriteValue(w, element);
      }
      w.Close(']');
      return;
    case json::value_t::string:
      w.String(value.get_ref<const std::string&>());
      return;
    case json::value_t::boolean:
      w.Bool(value.get<bool>());
      return;
    case json::value_t::number_integer:
      w.Integer(value.get<std::int64_t>());
      return;
    case json::value_t::number_unsigned:
      w.Integer(value.get<std::uint64_t>());
      return;
    case json::value_t::number_float:
      w.Number(value.get<double>());
      return;
    default:  // null (binary and discarded values are never built here)
      w.Raw("null");
      return;
  }
}

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
    WriteValue(w, e);
    return;
  }
  w.Open('{');
  w.Key("\"kind\"");
  w.String(event.kind);
  for (const auto& [key, value] : event.fields) {
    w.StringKey(key);
    if (const auto* d = std::get_if<double>(&value)) {
      w.Number(*d);
    } else if (const auto* i = std::get_if<std::int64_t>(&value)) {
      w.Integer(*i);
    } else if (const auto* t = std::get_if<std::string>(&value)) {
      w.String(*t);
    } else {
      w.Bool(std::get<bool>(value));
    }
  }
  w.Close('}');
}

// The "rounds" array as dump(2) writes it at depth 1 of the forecast.
void RoundsJson(const Scenario& scenario, const Forecast& forecast,
                TextWriter& w) {
  // Every id quoted and escaped once.
  std::vector<std::string> actor_keys;
  for (const Actor& a : scenario.actors) actor_keys.push_back(Quoted(a.id));
  std::vector<std::string> issue_keys;
  for (const Issue& i : scenario.issues) issue_keys.push_back(Quoted(i.id));
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
      w.StringKey(v.name);
      WriteActorIssueMap(w, actor_keys, issue_keys, v.values);
    }
    for (const ActorValues& v : round.actor_values) {
      w.StringKey(v.name);
      WriteNamedValues(w, actor_keys, v.values);
    }
    for (const IssueValues& v : round.issue_values) {
      w.StringKey(v.name);
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

namespace {

// The document up to its last member, the rounds, straight to text in the
// layout of dump(2) (for `parity` on the Union State the head is most of
// the document, and building it as a value was most of its cost); the time
// figures, when there are some, are built as values (time_json.h) and
// written as they would be dumped. The top-level object is left open.
void WriteHead(const Scenario& scenario, const Forecast& forecast,
               const TimeForecast* time, TextWriter& w) {
  w.Open('{');
  w.StringMember("\"scenario\"", forecast.scenario);
  w.StringMember("\"model\"", forecast.model);
  w.Key("\"parameters\"");
  w.Open('{');
  for (const auto& [key, value] : forecast.parameters.values()) {
    w.StringKey(key);
    WriteValue(w, ToJson(value));
  }
  w.Close('}');
  w.Key("\"seed\"");
  w.Integer(forecast.seed);
  w.Key("\"issues\"");
  w.Open('[');
  for (const IssueForecast& f : forecast.issues) {
    const Issue& issue = scenario.issues[static_cast<size_t>(f.issue)];
    w.NextMember();
    w.Open('{');
    w.StringMember("\"id\"", issue.id);
    w.StringMember("\"name\"", issue.name);
    w.StringMember("\"unit\"", issue.unit);
    w.NumberMember("\"min\"", issue.min);
    w.NumberMember("\"max\"", issue.max);
    w.Key("\"status_quo\"");
    if (issue.status_quo) {
      w.Number(issue.status_quo->value);
    } else {
      w.Raw("null");
    }
    w.NumberMember("\"outcome\"", f.outcome);
    w.Key("\"agreement\"");
    w.Bool(f.agreement);
    w.Key("\"blocking\"");
    w.Open('[');
    for (const std::string& who : f.blocking) {
      w.NextMember();
      w.String(who);
    }
    w.Close(']');
    const Convergence& c = f.convergence;
    if (c.status != Convergence::Status::kNotIterated) {
      w.Key("\"convergence\"");
      w.Open('{');
      w.StringMember("\"status\"", ConvergenceStatusName(c.status));
      w.Key("\"round\"");
      w.Integer(c.round);
      if (c.status == Convergence::Status::kCycle) {
        w.Key("\"period\"");
        w.Integer(c.period);
        w.NumberMember("\"low\"", c.low);
        w.NumberMember("\"high\"", c.high);
      }
      w.Close('}');
    }
    if (time != nullptr) {
      json extra = json::object();
      internal::AddIssueTimeJson(extra, *time, f.issue);
      for (const auto& item : extra.items()) {
        w.StringKey(item.key());
        WriteValue(w, item.value());
      }
    }
    w.Close('}');
  }
  w.Close(']');
  if (time != nullptr) {
    w.Key("\"time\"");
    WriteValue(w, internal::TimeJson(*time));
  }
}

// The whole document, handed to `write` piece by piece. The rounds are
// most of it (35 rounds of 34 actors under smp: nine tenths of the 352 KB).
bool WriteDocument(const Scenario& scenario, const Forecast& forecast,
                   const TimeForecast* time, const JsonWrite& write) {
  TextWriter w(write);
  WriteHead(scenario, forecast, time, w);
  w.Key("\"rounds\"");
  RoundsJson(scenario, forecast, w);
  w.Close('}');
  w.Raw("\n");
  return w.Flush();
}

}  // namespace

std::string ForecastToJson(const Scenario& scenario, const Forecast& forecast,
                           const TimeForecast* time) {
  std::string whole;
  WriteDocument(scenario, forecast, time, [&](std::string_view piece) {
    whole += piece;
    return true;
  });
  return whole;
}

bool WriteForecastJson(const Scenario& scenario, const Forecast& forecast,
                       const TimeForecast* time, const JsonWrite& write) {
  return WriteDocument(scenario, forecast, time, write);
}

}  // namespace unionstate
