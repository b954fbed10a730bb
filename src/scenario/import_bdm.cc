// The BDM / Scholz CSV: one issue, a header such as
// Actor,Capability,Position,Salience (docs/scenario-format.md, "bdm").

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "common/number.h"
#include "scenario/csv.h"
#include "scenario/parsers.h"

namespace unionstate::internal {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool OneOf(std::string_view header,
           std::initializer_list<std::string_view> names) {
  std::string lower = Lower(header);
  return std::find(names.begin(), names.end(), lower) != names.end();
}

}  // namespace

Parsed ParseBdmCsv(std::string_view text, const std::string& file) {
  Parsed parsed;
  Scenario& s = parsed.scenario;
  s.file = file;
  s.name = FileStem(file);
  auto add = [&](int line, int column, std::string message) {
    parsed.diagnostics.push_back({{file, line, column}, std::move(message)});
  };
  std::vector<CsvRow> rows = ReadDelimited(text, ',', '"');
  if (rows.empty()) {
    add(1, 1,
        "the file is empty; expected a header "
        "Actor,Capability,Position,Salience");
    return parsed;
  }
  const CsvRow& header = rows[0];
  const char* expected_header =
      "expected the header Actor,Capability,Position,Salience (or "
      "Stakeholder,Resources|Clout,"
      "Position,Salience)";
  if (header.fields.size() != 4 ||
      !OneOf(header.fields[0].text, {"actor", "stakeholder"}) ||
      !OneOf(header.fields[1].text,
             {"capability", "resources", "clout", "power", "influence"}) ||
      !OneOf(header.fields[2].text, {"position"}) ||
      !OneOf(header.fields[3].text, {"salience"})) {
    add(header.line, 1,
        fmt::format("the header is not a BDM table; {}", expected_header));
    return parsed;
  }

  Issue issue;
  issue.id = "issue";
  issue.name = s.name;
  issue.where = {file, header.line, 1};
  issue.source = file;
  s.issues.push_back(issue);

  double max_salience = 0;
  for (size_t r = 1; r < rows.size(); ++r) {
    const CsvRow& row = rows[r];
    if (row.fields.size() != 4) {
      add(row.line, 1,
          fmt::format("the row has {} fields; expected 4 (actor, capability, "
                      "position, salience)",
                      row.fields.size()));
      continue;
    }
    std::optional<double> values[3];
    static constexpr const char* kNames[] = {"capability", "position",
                                             "salience"};
    bool ok = !row.fields[0].text.empty();
    if (!ok)
      add(row.line, row.fields[0].column,
          "the actor name is empty; expected a name");
    for (int k = 0; k < 3; ++k) {
      const CsvField& field = row.fields[static_cast<size_t>(k) + 1];
      values[k] = ParseNumber(field.text);
      if (!values[k]) {
        add(field.line, field.column,
            fmt::format("{} \"{}\" is not a number; expected a number",
                        kNames[k], field.text));
        ok = false;
      }
    }
    if (!ok) continue;
    Actor actor;
    actor.id = row.fields[0].text;
    actor.name = actor.id;
    actor.where = {file, row.line, 1};
    actor.capability = {
        *values[0], "", {file, row.line, row.fields[1].column}, {}};
    s.actors.push_back(actor);
    Stance stance;
    stance.actor = static_cast<int>(s.actors.size()) - 1;
    stance.issue = 0;
    stance.where = actor.where;
    stance.position = {
        *values[1], "", {file, row.line, row.fields[2].column}, {}};
    stance.salience = {
        *values[2], "", {file, row.line, row.fields[3].column}, {}};
    max_salience = std::max(max_salience, *values[2]);
    s.stances.push_back(stance);
  }
  // Saliences written 0..100 (dmasad's BDM_DecisionModel_Replication) are
  // scaled to 0..1; values above 100 stay and fail validation.
  if (max_salience > 1 && max_salience <= 100) {
    for (Stance& stance : s.stances) stance.salience.value /= 100;
  }
  if (!s.stances.empty()) {
    auto [lo, hi] =
        std::minmax_element(s.stances.begin(), s.stances.end(),
                            [](const Stance& a, const Stance& b) {
                              return a.position.value < b.position.value;
                            });
    s.issues[0].min = lo->position.value;
    s.issues[0].max = hi->position.value;
    if (!(s.issues[0].min < s.issues[0].max)) {
      s.issues[0].min -= 1;
      s.issues[0].max += 1;
    }
  }
  return parsed;
}

}  // namespace unionstate::internal
