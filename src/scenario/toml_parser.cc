// unionstate's own scenario format (docs/scenario-format.md). The only file
// that includes toml++.

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <set>

#include "common/toml_guard.h"
#include "scenario/parsers.h"

namespace unionstate::internal {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::string Num(double x) { return fmt::format("{}", x); }

std::string TypeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a text";
    case toml::node_type::integer:
    case toml::node_type::floating_point:
      return "a number";
    case toml::node_type::boolean:
      return "true/false";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date and time";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    default:
      return "nothing";
  }
}

std::string JoinIds(const std::vector<std::string>& ids) {
  std::string out;
  for (size_t k = 0; k < ids.size(); ++k) {
    if (k == 8) return out + ", ...";
    out += (k ? ", " : "") + ids[k];
  }
  return out;
}

// The valid range of a quantity, used to check it and to cut distributions.
struct Range {
  double lower;
  double upper;
};

class TomlReader {
 public:
  TomlReader(std::string_view text, const std::string& file)
      : text_(text), file_(file) {}

  Parsed Run() {
    parsed_.scenario.file = file_;
    if (std::optional<Diagnostic> trap = FindTomlParserTrap(text_, file_)) {
      parsed_.diagnostics.push_back(std::move(*trap));
      return std::move(parsed_);
    }
    toml::table root;
    try {
      root = toml::parse(text_, std::string_view{file_});
    } catch (const toml::parse_error& e) {
      Add(Loc(e.source()),
          fmt::format("{}; expected valid TOML (docs/scenario-format.md)",
                      e.description()));
      return std::move(parsed_);
    }
    CheckKeys(root,
              {"scenario", "actors", "issues", "positions", "packages",
               "dossiers", "events"},
              "the file", {file_, 1, 1});
    ReadHeader(root);
    ReadActors(root);
    ReadIssues(root);
    ReadPackages(root);
    ReadDossiers(root);
    ReadPositions(root);
    ReadEvents(root);
    return std::move(parsed_);
  }

 private:
  SourceLocation Loc(const toml::source_region& region) const {
    return {file_, static_cast<int>(region.begin.line),
            static_cast<int>(region.begin.column)};
  }
  SourceLocation Loc(const toml::node& node) const {
    return Loc(node.source());
  }

  void Add(SourceLocation where, std::string message) {
    parsed_.diagnostics.push_back({std::move(where), std::move(message)});
  }

  // Reports keys of `table` that are not in `allowed`.
  void CheckKeys(const toml::table& table,
                 const std::vector<std::string>& allowed, std::string_view what,
                 const SourceLocation&) {
    for (const auto& [key, node] : table) {
      bool known = false;
      for (const std::string& name : allowed)
        known = known || name == key.str();
      if (known) continue;
      std::string hint = ClosestMatch(key.str(), allowed);
      std::string list;
      for (const std::string& name : allowed)
        list += (list.empty() ? "" : ", ") + name;
      Add(Loc(key.source()),
          fmt::format(
              "unknown field \"{}\" in {}{}; expected one of {}", key.str(),
              what,
              hint.empty() ? "" : fmt::format(" (did you mean \"{}\"?)", hint),
              list));
    }
  }

  // The tables of an array of tables such as [[actors]].
  std::vector<const toml::table*> TablesOf(const toml::table& root,
                                           std::string_view key) {
    std::vector<const toml::table*> tables;
    const toml::node* node = root.get(key);
    if (node == nullptr) return tables;
    const toml::array* array = node->as_array();
    if (array == nullptr) {
      Add(Loc(*node), fmt::format("\"{}\" is {}; expected an array of tables "
                                  "written [[{}]]",
                                  key, TypeName(*node), key));
      return tables;
    }
    for (const toml::node& element : *array) {
      if (const toml::table* table = element.as_table()) {
        tables.push_back(table);
      } else {
        Add(Loc(element), fmt::format("an element of \"{}\" is {}; expected a "
                                      "table written [[{}]]",
                                      key, TypeName(element), key));
      }
    }
    return tables;
  }

  // A required or optional text field; nullopt when absent or wrong.
  std::optional<std::string> Text(const toml::table& table,
                                  std::string_view key, std::string_view what,
                                  bool required) {
    const toml::node* node = table.get(key);
    if (node == nullptr) {
      if (required) Missing(table, key, what, "a text in double quotes");
      return {};
    }
    if (const auto* value = node->as_string()) return value->get();
    Add(Loc(*node),
        fmt::format("\"{}\" is {}; expected a text in double quotes", key,
                    TypeName(*node)));
    return {};
  }

  void Missing(const toml::table& table, std::string_view key,
               std::string_view what, std::string_view expected) {
    Add(Loc(table), fmt::format("{} is missing the field \"{}\"; expected {}",
                                what, key, expected));
  }

  std::optional<double> Number(const toml::node& node, std::string_view key) {
    if (const auto* integer = node.as_integer()) {
      return static_cast<double>(integer->get());
    }
    if (const auto* real = node.as_floating_point()) {
      double x = real->get();
      if (!std::isfinite(x)) {
        Add(Loc(node),
            fmt::format("\"{}\" is {}; expected a finite number", key, Num(x)));
        return {};
      }
      return x;
    }
    Add(Loc(node),
        fmt::format("\"{}\" is {}; expected a number", key, TypeName(node)));
    return {};
  }

  std::optional<double> PlainNumber(const toml::table& table,
                                    std::string_view key, std::string_view what,
                                    bool required) {
    const toml::node* node = table.get(key);
    if (node == nullptr) {
      if (required) Missing(table, key, what, "a number");
      return {};
    }
    return Number(*node, key);
  }

  std::optional<bool> Bool(const toml::table& table, std::string_view key) {
    const toml::node* node = table.get(key);
    if (node == nullptr) return {};
    if (const auto* value = node->as_boolean()) return value->get();
    Add(Loc(*node), fmt::format("\"{}\" is {}; expected true or false", key,
                                TypeName(*node)));
    return {};
  }

  std::optional<Date> DateField(const toml::table& table,
                                std::string_view key) {
    const toml::node* node = table.get(key);
    if (node == nullptr) return {};
    if (const auto* value = node->as_date()) {
      Date date{value->get().year, value->get().month, value->get().day};
      if (date.IsValid()) return date;
    } else if (const auto* text = node->as_string()) {
      if (auto date = Date::Parse(text->get())) return date;
    }
    Add(Loc(*node), fmt::format("\"{}\" is not a date; expected a date written "
                                "YYYY-MM-DD, e.g. 2019-12-07",
                                key));
    return {};
  }

  std::optional<std::vector<double>> NumberArray(const toml::node& node,
                                                 std::string_view key) {
    const toml::array* array = node.as_array();
    if (array == nullptr) {
      Add(Loc(node), fmt::format("\"{}\" is {}; expected an array of numbers",
                                 key, TypeName(node)));
      return {};
    }
    std::vector<double> values;
    for (const toml::node& element : *array) {
      std::optional<double> x = Number(element, key);
      if (!x) return {};
      values.push_back(*x);
    }
    return values;
  }

  // A number, or an inline table { value = x, source = "...", dist = ... }
  // (docs/scenario-format.md, "Values, sources and uncertainty"). `range` is
  // where the value must lie; distributions are cut to it by default.
  std::optional<Quantity> QuantityField(const toml::table& table,
                                        std::string_view key,
                                        std::string_view what, bool required,
                                        Range range) {
    const toml::node* node = table.get(key);
    if (node == nullptr) {
      if (required)
        Missing(table, key, what,
                "a number or { value = ..., source = \"...\" }");
      return {};
    }
    Quantity q;
    q.where = Loc(*node);
    const toml::table* inline_table = node->as_table();
    if (inline_table == nullptr) {
      if (node->is_number()) {
        std::optional<double> x = Number(*node, key);
        if (!x) return {};
        q.value = *x;
        return q;
      }
      Add(Loc(*node), fmt::format("\"{}\" is {}; expected a number or "
                                  "{{ value = ..., source = \"...\" }}",
                                  key, TypeName(*node)));
      return {};
    }
    std::string context = fmt::format("the value of \"{}\"", key);
    CheckKeys(
        *inline_table,
        {"value", "source", "dist", "sd", "min", "max", "values", "weights"},
        context, q.where);
    std::optional<double> value =
        PlainNumber(*inline_table, "value", context, true);
    if (!value) return {};
    q.value = *value;
    if (auto source = Text(*inline_table, "source", context, false))
      q.source = *source;

    std::optional<std::string> dist =
        Text(*inline_table, "dist", context, false);
    bool has_sd = inline_table->contains("sd");
    bool has_values = inline_table->contains("values");
    if (!dist && !has_sd && !has_values && !inline_table->contains("min") &&
        !inline_table->contains("max") && !inline_table->contains("weights")) {
      return q;  // a plain value with a source
    }
    Uncertainty u;
    u.where = q.where;
    if (!dist) {
      dist = has_values ? "discrete" : "normal";
    }
    if (*dist == "normal") {
      u.kind = Uncertainty::Kind::kNormal;
      std::optional<double> sd = PlainNumber(
          *inline_table, "sd", context + " (dist = \"normal\")", true);
      if (!sd) return {};
      u.sd = *sd;
      u.lower = PlainNumber(*inline_table, "min", context, false)
                    .value_or(range.lower);
      u.upper = PlainNumber(*inline_table, "max", context, false)
                    .value_or(range.upper);
    } else if (*dist == "uniform") {
      u.kind = Uncertainty::Kind::kUniform;
      std::optional<double> lower = PlainNumber(
          *inline_table, "min", context + " (dist = \"uniform\")", true);
      std::optional<double> upper = PlainNumber(
          *inline_table, "max", context + " (dist = \"uniform\")", true);
      if (!lower || !upper) return {};
      u.lower = *lower;
      u.upper = *upper;
    } else if (*dist == "discrete") {
      u.kind = Uncertainty::Kind::kDiscrete;
      const toml::node* values = inline_table->get("values");
      if (values == nullptr) {
        Missing(*inline_table, "values", context + " (dist = \"discrete\")",
                "an array of numbers");
        return {};
      }
      auto numbers = NumberArray(*values, "values");
      if (!numbers) return {};
      u.values = *numbers;
      if (const toml::node* weights = inline_table->get("weights")) {
        auto w = NumberArray(*weights, "weights");
        if (!w) return {};
        u.weights = *w;
      }
    } else {
      Add(Loc(*inline_table->get("dist")),
          fmt::format("unknown distribution \"{}\"; expected \"normal\", "
                      "\"uniform\" or \"discrete\"",
                      *dist));
      return {};
    }
    if (u.kind != Uncertainty::Kind::kNormal && has_sd) {
      Add(Loc(*inline_table->get("sd")),
          fmt::format("\"sd\" does not apply to dist = \"{}\"; expected it "
                      "only with \"normal\"",
                      *dist));
    }
    if (u.kind != Uncertainty::Kind::kDiscrete &&
        (has_values || inline_table->contains("weights"))) {
      Add(q.where,
          fmt::format(
              "\"values\" and \"weights\" do not apply to dist = \"{}\"; "
              "expected them only with \"discrete\"",
              *dist));
    }
    if (u.kind == Uncertainty::Kind::kDiscrete &&
        (inline_table->contains("min") || inline_table->contains("max"))) {
      Add(q.where,
          "\"min\" and \"max\" do not apply to dist = \"discrete\"; expected "
          "\"values\"");
    }
    q.uncertainty = std::move(u);
    return q;
  }

  void ReadHeader(const toml::table& root) {
    Scenario& s = parsed_.scenario;
    const toml::node* node = root.get("scenario");
    if (node == nullptr) {
      Add({file_, 1, 1},
          "the file has no [scenario] table; expected one with at least "
          "`name`");
      return;
    }
    const toml::table* table = node->as_table();
    if (table == nullptr) {
      Add(Loc(*node),
          fmt::format("\"scenario\" is {}; expected a table written [scenario]",
                      TypeName(*node)));
      return;
    }
    CheckKeys(*table,
              {"name", "description", "as_of", "source", "reference_class"},
              "[scenario]", Loc(*table));
    if (auto reference = Text(*table, "reference_class", "[scenario]", false)) {
      s.reference_class = *reference;
      s.reference_class_where = Loc(*table->get("reference_class"));
      if (reference->empty()) {
        Add(s.reference_class_where,
            "\"reference_class\" is empty; expected the path of a CSV of past "
            "deadlines, relative to the scenario file");
      }
    }
    s.name = Text(*table, "name", "[scenario]", true).value_or("");
    s.description =
        Text(*table, "description", "[scenario]", false).value_or("");
    s.source = Text(*table, "source", "[scenario]", false).value_or("");
    s.as_of = DateField(*table, "as_of");
  }

  void ReadActors(const toml::table& root) {
    Scenario& s = parsed_.scenario;
    if (!root.contains("actors")) {
      Add({file_, 1, 1},
          "the file has no [[actors]] tables; expected at least one");
    }
    for (const toml::table* table : TablesOf(root, "actors")) {
      CheckKeys(
          *table,
          {"id", "name", "side", "capability", "veto", "description", "source"},
          "[[actors]]", Loc(*table));
      Actor actor;
      actor.where = Loc(*table);
      std::optional<std::string> id = Text(*table, "id", "[[actors]]", true);
      actor.id = id.value_or("");
      actor.name = Text(*table, "name", "[[actors]]", false).value_or(actor.id);
      actor.side = Text(*table, "side", "[[actors]]", false).value_or("");
      actor.description =
          Text(*table, "description", "[[actors]]", false).value_or("");
      actor.source = Text(*table, "source", "[[actors]]", false).value_or("");
      actor.veto = Bool(*table, "veto").value_or(false);
      std::optional<Quantity> capability =
          QuantityField(*table, "capability", "[[actors]]", true, {0, kInf});
      if (!id || !capability) {
        broken_actors_.insert(actor.id);
        continue;
      }
      actor.capability = *capability;
      s.actors.push_back(std::move(actor));
    }
  }

  void ReadIssues(const toml::table& root) {
    Scenario& s = parsed_.scenario;
    if (!root.contains("issues")) {
      Add({file_, 1, 1},
          "the file has no [[issues]] tables; expected at least one");
    }
    for (const toml::table* table : TablesOf(root, "issues")) {
      CheckKeys(*table,
                {"id", "name", "description", "unit", "min", "max",
                 "status_quo", "deadline", "opened", "measures", "rule",
                 "source"},
                "[[issues]]", Loc(*table));
      Issue issue;
      issue.where = Loc(*table);
      std::optional<std::string> id = Text(*table, "id", "[[issues]]", true);
      issue.id = id.value_or("");
      issue.name = Text(*table, "name", "[[issues]]", false).value_or(issue.id);
      issue.description =
          Text(*table, "description", "[[issues]]", false).value_or("");
      issue.unit = Text(*table, "unit", "[[issues]]", false).value_or("");
      issue.source = Text(*table, "source", "[[issues]]", false).value_or("");
      std::optional<double> min =
          PlainNumber(*table, "min", "[[issues]]", true);
      std::optional<double> max =
          PlainNumber(*table, "max", "[[issues]]", true);
      issue.deadline = DateField(*table, "deadline");
      issue.opened = DateField(*table, "opened");
      if (const toml::node* opened = table->get("opened"))
        issue.opened_where = Loc(*opened);
      if (const toml::node* measures = table->get("measures")) {
        issue.measures_where = Loc(*measures);
        if (const auto* count = measures->as_integer()) {
          // Out-of-range counts are kept (clamped into int) so that
          // CheckScenario reports them with the rule they break.
          issue.measures = static_cast<int>(
              std::clamp<int64_t>(count->get(), -1'000'000'000, 1'000'000'000));
        } else {
          Add(issue.measures_where,
              fmt::format("\"measures\" is {}; expected an integer >= 1",
                          TypeName(*measures)));
        }
      }
      if (auto rule = Text(*table, "rule", "[[issues]]", false)) {
        if (auto parsed = ParseDecisionRule(*rule)) {
          issue.rule = *parsed;
        } else {
          Add(Loc(*table->get("rule")),
              fmt::format("unknown decision rule \"{}\"; expected "
                          "\"unanimity\", \"parity\", "
                          "\"qmv\" or \"majority\"",
                          *rule));
        }
      }
      if (!id || !min || !max) {
        broken_issues_.insert(issue.id);
        continue;
      }
      issue.min = *min;
      issue.max = *max;
      issue.status_quo = QuantityField(*table, "status_quo", "[[issues]]",
                                       false, {issue.min, issue.max});
      s.issues.push_back(std::move(issue));
    }
  }

  // Resolves an actor or issue id, reporting unknown ones with a hint.
  int Resolve(const toml::table& table, std::string_view key,
              std::string_view what, bool is_actor) {
    std::optional<std::string> id = Text(table, key, what, true);
    if (!id) return -1;
    const Scenario& s = parsed_.scenario;
    int index = is_actor ? s.FindActor(*id) : s.FindIssue(*id);
    if (index >= 0) return index;
    // An id whose own table was broken was reported there already.
    if ((is_actor ? broken_actors_ : broken_issues_).contains(*id)) return -1;
    std::vector<std::string> ids;
    if (is_actor) {
      for (const Actor& actor : s.actors) ids.push_back(actor.id);
    } else {
      for (const Issue& issue : s.issues) ids.push_back(issue.id);
    }
    std::string hint = ClosestMatch(*id, ids);
    Add(Loc(*table.get(key)),
        fmt::format(
            "unknown {} \"{}\"{}; expected one of the {} ids: {}",
            is_actor ? "actor" : "issue", *id,
            hint.empty() ? "" : fmt::format(" (did you mean \"{}\"?)", hint),
            is_actor ? "[[actors]]" : "[[issues]]", JoinIds(ids)));
    return -1;
  }

  // A [[packages]] or [[dossiers]] table: id, name, source and the issues
  // it lists, as indices. nullopt when something was reported.
  struct IssueGroup {
    std::string id, name, source;
    std::vector<int> issues;
    SourceLocation where;
  };
  std::optional<IssueGroup> ReadIssueGroup(const toml::table& table,
                                           const std::string& label) {
    Scenario& s = parsed_.scenario;
    CheckKeys(table, {"id", "name", "issues", "source"}, label, Loc(table));
    IssueGroup group;
    group.where = Loc(table);
    std::optional<std::string> id = Text(table, "id", label, true);
    group.id = id.value_or("");
    group.name = Text(table, "name", label, false).value_or(group.id);
    group.source = Text(table, "source", label, false).value_or("");
    const toml::node* issues = table.get("issues");
    if (issues == nullptr) {
      Missing(table, "issues", label, "an array of issue ids");
      return std::nullopt;
    }
    const toml::array* array = issues->as_array();
    if (array == nullptr) {
      Add(Loc(*issues),
          fmt::format("\"issues\" is {}; expected an array of issue ids",
                      TypeName(*issues)));
      return std::nullopt;
    }
    bool ok = id.has_value();
    for (const toml::node& element : *array) {
      const auto* text = element.as_string();
      if (text == nullptr) {
        Add(Loc(element),
            fmt::format("an element of \"issues\" is {}; expected an issue id",
                        TypeName(element)));
        ok = false;
        continue;
      }
      int index = s.FindIssue(text->get());
      if (index < 0) {
        if (!broken_issues_.contains(text->get())) {
          std::vector<std::string> ids;
          for (const Issue& issue : s.issues) ids.push_back(issue.id);
          std::string hint = ClosestMatch(text->get(), ids);
          Add(Loc(element),
              fmt::format("unknown issue \"{}\" in {}{}; expected "
                          "one of the [[issues]] ids: {}",
                          text->get(), label,
                          hint.empty()
                              ? ""
                              : fmt::format(" (did you mean \"{}\"?)", hint),
                          JoinIds(ids)));
        }
        ok = false;
        continue;
      }
      group.issues.push_back(index);
    }
    if (!ok) return std::nullopt;
    return group;
  }

  void ReadPackages(const toml::table& root) {
    for (const toml::table* table : TablesOf(root, "packages")) {
      std::optional<IssueGroup> group = ReadIssueGroup(*table, "[[packages]]");
      if (!group) continue;
      Package package;
      package.id = std::move(group->id);
      package.name = std::move(group->name);
      package.source = std::move(group->source);
      package.issues = std::move(group->issues);
      package.where = group->where;
      parsed_.scenario.packages.push_back(std::move(package));
    }
  }

  void ReadDossiers(const toml::table& root) {
    for (const toml::table* table : TablesOf(root, "dossiers")) {
      std::optional<IssueGroup> group = ReadIssueGroup(*table, "[[dossiers]]");
      if (!group) continue;
      Dossier dossier;
      dossier.id = std::move(group->id);
      dossier.name = std::move(group->name);
      dossier.source = std::move(group->source);
      dossier.issues = std::move(group->issues);
      dossier.where = group->where;
      parsed_.scenario.dossiers.push_back(std::move(dossier));
    }
  }

  void ReadPositions(const toml::table& root) {
    Scenario& s = parsed_.scenario;
    for (const toml::table* table : TablesOf(root, "positions")) {
      CheckKeys(
          *table,
          {"actor", "issue", "position", "salience", "capability", "source"},
          "[[positions]]", Loc(*table));
      Stance stance;
      stance.where = Loc(*table);
      stance.actor = Resolve(*table, "actor", "[[positions]]", true);
      stance.issue = Resolve(*table, "issue", "[[positions]]", false);
      stance.source =
          Text(*table, "source", "[[positions]]", false).value_or("");
      Range scale{-kInf, kInf};
      if (stance.issue >= 0) {
        const Issue& issue = s.issues[static_cast<size_t>(stance.issue)];
        scale = {issue.min, issue.max};
      }
      std::optional<Quantity> position =
          QuantityField(*table, "position", "[[positions]]", true, scale);
      std::optional<Quantity> salience =
          QuantityField(*table, "salience", "[[positions]]", true, {0, 1});
      stance.capability = QuantityField(*table, "capability", "[[positions]]",
                                        false, {0, kInf});
      if (stance.actor < 0 || stance.issue < 0 || !position || !salience)
        continue;
      stance.position = *position;
      stance.salience = *salience;
      s.stances.push_back(std::move(stance));
    }
  }

  // The event log (docs/scenario-format.md, "Events"), sorted by date.
  void ReadEvents(const toml::table& root) {
    Scenario& s = parsed_.scenario;
    for (const toml::table* table : TablesOf(root, "events")) {
      CheckKeys(*table,
                {"date", "issue", "kind", "new_deadline", "value", "count",
                 "note", "source"},
                "[[events]]", Loc(*table));
      TimelineEvent event;
      event.where = Loc(*table);
      bool ok = true;
      if (!table->contains("date")) {
        Missing(*table, "date", "[[events]]", "a date written YYYY-MM-DD");
        ok = false;
      } else if (auto date = DateField(*table, "date")) {
        event.date = *date;
      } else {
        ok = false;
      }
      if (table->contains("issue")) {
        event.issue = Resolve(*table, "issue", "[[events]]", false);
        ok = ok && event.issue >= 0;
      }
      if (auto kind = Text(*table, "kind", "[[events]]", true)) {
        if (auto parsed = ParseTimelineEventKind(*kind)) {
          event.kind = *parsed;
        } else {
          std::vector<std::string> kinds;
          for (int k = 0; k <= static_cast<int>(TimelineEventKind::kShock); ++k)
            kinds.emplace_back(
                TimelineEventKindName(static_cast<TimelineEventKind>(k)));
          std::string hint = ClosestMatch(*kind, kinds);
          Add(Loc(*table->get("kind")),
              fmt::format("unknown event kind \"{}\"{}; expected one of {}",
                          *kind,
                          hint.empty()
                              ? ""
                              : fmt::format(" (did you mean \"{}\"?)", hint),
                          TimelineEventKindNames()));
          ok = false;
        }
      } else {
        ok = false;
      }
      event.new_deadline = DateField(*table, "new_deadline");
      if (table->contains("new_deadline") && !event.new_deadline) ok = false;
      if (table->contains("value")) {
        event.value = PlainNumber(*table, "value", "[[events]]", false);
        ok = ok && event.value.has_value();
      }
      if (const toml::node* count = table->get("count")) {
        const auto* integer = count->as_integer();
        if (integer == nullptr || integer->get() < 1) {
          Add(Loc(*count),
              fmt::format("\"count\" is {}; expected an integer >= 1",
                          integer ? std::to_string(integer->get())
                                  : TypeName(*count)));
          ok = false;
        } else {
          event.count = static_cast<int>(
              std::min<int64_t>(integer->get(), 1'000'000'000));
        }
      }
      event.note = Text(*table, "note", "[[events]]", false).value_or("");
      event.source = Text(*table, "source", "[[events]]", false).value_or("");
      if (ok) s.events.push_back(std::move(event));
    }
    std::stable_sort(
        s.events.begin(), s.events.end(),
        [](const TimelineEvent& a, const TimelineEvent& b) {
          return a.date < b.date;
        });
  }

  std::string_view text_;
  const std::string& file_;
  Parsed parsed_;
  std::set<std::string> broken_actors_;
  std::set<std::string> broken_issues_;
};

}  // namespace

Parsed ParseToml(std::string_view text, const std::string& file) {
  return TomlReader(text, file).Run();
}

}  // namespace unionstate::internal
