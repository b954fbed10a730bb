#include "unionstate/scenario_edit.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

namespace unionstate {
namespace {

using Json = nlohmann::ordered_json;

std::string TomlString(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += fmt::format("\\u{:04X}", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

// A field the document must have, of the given kind.
class Reader {
 public:
  explicit Reader(std::string label) : label_(std::move(label)) {}

  std::string Fail(const std::string& where, const std::string& what) {
    if (error_.empty()) error_ = fmt::format("{}: {}", where, what);
    return {};
  }
  const std::string& error() const { return error_; }

  std::string Text(const Json& obj, const char* key, const std::string& where,
                   bool required) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) {
      if (required)
        Fail(where, fmt::format("\"{}\" is missing; expected text", key));
      return {};
    }
    if (!it->is_string()) {
      Fail(where,
           fmt::format("\"{}\" is {}; expected text", key, it->type_name()));
      return {};
    }
    return it->get<std::string>();
  }

  // The number as TOML writes it, "" when absent and optional.
  std::string Number(const Json& obj, const char* key, const std::string& where,
                     bool required) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) {
      if (required)
        Fail(where, fmt::format("\"{}\" is missing; expected a number", key));
      return {};
    }
    if (!it->is_number()) {
      Fail(where, fmt::format("\"{}\" is {}; expected a number", key,
                              it->type_name()));
      return {};
    }
    const double x = it->get<double>();
    if (!std::isfinite(x)) {
      Fail(where, fmt::format("\"{}\" is not finite; expected a number", key));
      return {};
    }
    // The shortest text that reads back to the same double, always with a
    // decimal point or exponent so TOML reads a float.
    std::string text = fmt::format("{}", x);
    if (text.find_first_of(".eE") == std::string::npos &&
        text.find("inf") == std::string::npos) {
      text += ".0";
    }
    return text;
  }

  // A date as TOML writes it (bare), "" when absent.
  std::string DateText(const Json& obj, const char* key,
                       const std::string& where) {
    const std::string text = Text(obj, key, where, false);
    if (text.empty()) return {};
    if (!Date::Parse(text)) {
      Fail(where, fmt::format("\"{}\" is \"{}\"; expected a date YYYY-MM-DD",
                              key, text));
      return {};
    }
    return text;
  }

  bool Bool(const Json& obj, const char* key, const std::string& where) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return false;
    if (!it->is_boolean()) {
      Fail(where, fmt::format("\"{}\" is {}; expected true or false", key,
                              it->type_name()));
      return false;
    }
    return it->get<bool>();
  }

  const Json* Array(const Json& obj, const char* key, bool required) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) {
      if (required)
        Fail(label_, fmt::format("\"{}\" is missing; expected an array", key));
      return nullptr;
    }
    if (!it->is_array()) {
      Fail(label_, fmt::format("\"{}\" is {}; expected an array", key,
                               it->type_name()));
      return nullptr;
    }
    return &*it;
  }

 private:
  std::string label_;
  std::string error_;
};

void Line(std::string& out, const char* key, const std::string& toml_value) {
  if (!toml_value.empty()) out += fmt::format("{} = {}\n", key, toml_value);
}
void TextLine(std::string& out, const char* key, const std::string& text) {
  if (!text.empty()) out += fmt::format("{} = {}\n", key, TomlString(text));
}

Json Edit(const Scenario& s) {
  Json out;
  out["name"] = s.name;
  out["description"] = s.description;
  out["as_of"] = s.as_of ? Json(s.as_of->ToString()) : Json(nullptr);
  out["source"] = s.source;
  Json actors = Json::array();
  for (const Actor& a : s.actors) {
    actors.push_back(
        {{"id", a.id},
         {"name", a.name},
         {"side", a.side},
         {"capability", a.capability.value},
         {"veto", a.veto},
         {"source", a.source.empty() ? a.capability.source : a.source}});
  }
  out["actors"] = std::move(actors);
  Json issues = Json::array();
  for (const Issue& i : s.issues) {
    issues.push_back({{"id", i.id},
                      {"name", i.name},
                      {"unit", i.unit},
                      {"min", i.min},
                      {"max", i.max},
                      {"status_quo", i.status_quo ? Json(i.status_quo->value)
                                                  : Json(nullptr)},
                      {"deadline", i.deadline ? Json(i.deadline->ToString())
                                              : Json(nullptr)},
                      {"rule", std::string(DecisionRuleName(i.rule))},
                      {"source", i.source}});
  }
  out["issues"] = std::move(issues);
  Json positions = Json::array();
  for (const Stance& st : s.stances) {
    positions.push_back(
        {{"actor", s.actors[static_cast<size_t>(st.actor)].id},
         {"issue", s.issues[static_cast<size_t>(st.issue)].id},
         {"position", st.position.value},
         {"salience", st.salience.value},
         {"capability",
          st.capability ? Json(st.capability->value) : Json(nullptr)},
         {"source", st.source.empty() ? st.position.source : st.source}});
  }
  out["positions"] = std::move(positions);
  Json packages = Json::array();
  for (const Package& p : s.packages) {
    Json ids = Json::array();
    for (int i : p.issues) ids.push_back(s.issues[static_cast<size_t>(i)].id);
    packages.push_back(
        {{"id", p.id}, {"name", p.name}, {"issues", std::move(ids)}});
  }
  out["packages"] = std::move(packages);
  return out;
}

}  // namespace

std::string ScenarioToEditJson(const Scenario& scenario) {
  return Edit(scenario).dump();
}

Result<std::string> EditJsonToToml(std::string_view text,
                                   const std::string& label) {
  Json doc = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return InvalidInput({label, 0, 0},
                        "is not valid JSON; expected a scenario object");
  }
  if (!doc.is_object()) {
    return InvalidInput({label, 0, 0},
                        fmt::format("is a JSON {}; expected a scenario object",
                                    doc.type_name()));
  }
  Reader r(label);
  std::string out =
      "# Written by unionstate (the dashboard's editor); "
      "docs/scenario-format.md\n\n[scenario]\n";
  TextLine(out, "name", r.Text(doc, "name", label, true));
  TextLine(out, "description", r.Text(doc, "description", label, false));
  Line(out, "as_of", r.DateText(doc, "as_of", label));
  TextLine(out, "source", r.Text(doc, "source", label, false));
  auto check_object = [&](const Json& e, const std::string& where) {
    if (!e.is_object())
      r.Fail(where, fmt::format("is {}; expected an object", e.type_name()));
    return e.is_object();
  };
  if (const Json* actors = r.Array(doc, "actors", true)) {
    for (size_t k = 0; k < actors->size(); ++k) {
      const Json& a = (*actors)[k];
      const std::string where = fmt::format("{}: actors[{}]", label, k);
      if (!check_object(a, where)) break;
      out += "\n[[actors]]\n";
      TextLine(out, "id", r.Text(a, "id", where, true));
      TextLine(out, "name", r.Text(a, "name", where, false));
      TextLine(out, "side", r.Text(a, "side", where, false));
      Line(out, "capability", r.Number(a, "capability", where, true));
      if (r.Bool(a, "veto", where)) out += "veto = true\n";
      TextLine(out, "source", r.Text(a, "source", where, false));
    }
  }
  if (const Json* issues = r.Array(doc, "issues", true)) {
    for (size_t k = 0; k < issues->size(); ++k) {
      const Json& i = (*issues)[k];
      const std::string where = fmt::format("{}: issues[{}]", label, k);
      if (!check_object(i, where)) break;
      out += "\n[[issues]]\n";
      TextLine(out, "id", r.Text(i, "id", where, true));
      TextLine(out, "name", r.Text(i, "name", where, false));
      TextLine(out, "unit", r.Text(i, "unit", where, false));
      Line(out, "min", r.Number(i, "min", where, true));
      Line(out, "max", r.Number(i, "max", where, true));
      Line(out, "status_quo", r.Number(i, "status_quo", where, false));
      Line(out, "deadline", r.DateText(i, "deadline", where));
      TextLine(out, "rule", r.Text(i, "rule", where, false));
      TextLine(out, "source", r.Text(i, "source", where, false));
    }
  }
  if (const Json* positions = r.Array(doc, "positions", false)) {
    for (size_t k = 0; k < positions->size(); ++k) {
      const Json& p = (*positions)[k];
      const std::string where = fmt::format("{}: positions[{}]", label, k);
      if (!check_object(p, where)) break;
      out += "\n[[positions]]\n";
      TextLine(out, "actor", r.Text(p, "actor", where, true));
      TextLine(out, "issue", r.Text(p, "issue", where, true));
      Line(out, "position", r.Number(p, "position", where, true));
      Line(out, "salience", r.Number(p, "salience", where, true));
      Line(out, "capability", r.Number(p, "capability", where, false));
      TextLine(out, "source", r.Text(p, "source", where, false));
    }
  }
  if (const Json* packages = r.Array(doc, "packages", false)) {
    for (size_t k = 0; k < packages->size(); ++k) {
      const Json& p = (*packages)[k];
      const std::string where = fmt::format("{}: packages[{}]", label, k);
      if (!check_object(p, where)) break;
      out += "\n[[packages]]\n";
      TextLine(out, "id", r.Text(p, "id", where, true));
      TextLine(out, "name", r.Text(p, "name", where, false));
      const Json* ids = r.Array(p, "issues", true);
      if (ids == nullptr) break;
      std::string list;
      for (const Json& id : *ids) {
        if (!id.is_string()) {
          r.Fail(where,
                 "\"issues\" holds a non-text entry; expected issue ids");
          break;
        }
        list += (list.empty() ? "" : ", ") + TomlString(id.get<std::string>());
      }
      out += "issues = [" + list + "]\n";
    }
  }
  if (!r.error().empty()) return InvalidInput({}, r.error());
  return out;
}

std::string ScenarioToToml(const Scenario& scenario) {
  Result<std::string> toml =
      EditJsonToToml(ScenarioToEditJson(scenario), "scenario");
  return toml ? *toml : std::string();
}

}  // namespace unionstate
