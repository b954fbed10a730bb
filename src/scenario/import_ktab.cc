// KTAB's SMP CSV (examples/smp/doc/*.csv in KTAB): a line with scenario
// name, description, number of actors and of dimensions; a header; one row
// per actor with power and a (position, salience) pair per dimension, both
// on 0..100 (docs/scenario-format.md, "ktab").

#include <fmt/format.h>

#include <cctype>
#include <cmath>

#include "common/number.h"
#include "scenario/csv.h"
#include "scenario/parsers.h"

namespace unionstate::internal {

// "Policy Position" -> "policy"; "Pstn1" -> "pstn1".
std::string KtabDimensionId(std::string_view header) {
  std::string id;
  for (char c : header) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      id += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!id.empty() && id.back() != '_') {
      id += '_';
    }
  }
  while (!id.empty() && id.back() == '_') id.pop_back();
  if (id.ends_with("_position")) id.resize(id.size() - 9);
  return id.empty() ? "dimension" : id;
}

namespace {

// Drops the empty field a trailing delimiter leaves.
std::vector<CsvField> Fields(const CsvRow& row) {
  std::vector<CsvField> fields = row.fields;
  while (!fields.empty() && fields.back().text.empty()) fields.pop_back();
  return fields;
}

}  // namespace

Parsed ParseKtabCsv(std::string_view text, const std::string& file) {
  Parsed parsed;
  Scenario& s = parsed.scenario;
  s.file = file;
  auto add = [&](int line, int column, std::string message) {
    parsed.diagnostics.push_back({{file, line, column}, std::move(message)});
  };
  std::vector<CsvRow> rows = ReadDelimited(text, ',', '"');
  if (rows.size() < 2) {
    add(1, 1,
        "the file has fewer than two lines; expected a KTAB scenario line "
        "(name, description, actors, dimensions) and a header");
    return parsed;
  }
  // smpc reads fields 1, 3 and 4 of the first line and nothing after the
  // fourth: KTAB's own dummyData_6Dim.csv has a fifth ("0") and empty
  // fields up to the header's width, ignored here as there.
  std::vector<CsvField> first = Fields(rows[0]);
  std::optional<double> n_actors =
      first.size() >= 4 ? ParseNumber(first[2].text) : std::nullopt;
  std::optional<double> n_dims =
      first.size() >= 4 ? ParseNumber(first[3].text) : std::nullopt;
  if (!n_actors || !n_dims || *n_actors < 1 || *n_dims < 1 ||
      *n_actors != std::floor(*n_actors) || *n_dims != std::floor(*n_dims)) {
    add(rows[0].line, 1,
        "the first line is not a KTAB scenario line; expected "
        "name, description, number of actors, number of dimensions");
    return parsed;
  }
  // The counts size what follows: bounded before any use.
  const bool too_many_actors =
      *n_actors > static_cast<double>(ScenarioLimits::kMaxActors);
  if (too_many_actors ||
      *n_dims > static_cast<double>(ScenarioLimits::kMaxIssues)) {
    add(rows[0].line, first[too_many_actors ? 2 : 3].column,
        fmt::format("the first line announces {} actors and {} dimensions; "
                    "expected at most {} actors and {} dimensions",
                    first[2].text, first[3].text, ScenarioLimits::kMaxActors,
                    ScenarioLimits::kMaxIssues));
    return parsed;
  }
  s.name = first[0].text.empty() ? FileStem(file) : first[0].text;
  s.description = first[1].text;
  const size_t dims = static_cast<size_t>(*n_dims);

  std::vector<CsvField> header = Fields(rows[1]);
  if (header.size() != 3 + 2 * dims) {
    add(rows[1].line, 1,
        fmt::format(
            "the header has {} columns; expected {} (Actor, Description, Power "
            "and a "
            "position and salience column for each of the {} dimensions)",
            header.size(), 3 + 2 * dims, dims));
    return parsed;
  }
  for (size_t d = 0; d < dims; ++d) {
    Issue issue;
    issue.name = header[3 + 2 * d].text;
    issue.id = KtabDimensionId(issue.name);
    for (const Issue& other : s.issues) {
      if (other.id == issue.id) issue.id += fmt::format("_{}", d + 1);
    }
    issue.min = 0;
    issue.max = 100;
    issue.where = {file, rows[1].line, header[3 + 2 * d].column};
    s.issues.push_back(issue);
  }

  for (size_t r = 2; r < rows.size(); ++r) {
    std::vector<CsvField> row = Fields(rows[r]);
    if (row.size() != 3 + 2 * dims) {
      add(rows[r].line, 1,
          fmt::format("the row has {} fields; expected {}", row.size(),
                      3 + 2 * dims));
      continue;
    }
    bool ok = true;
    std::vector<double> numbers;
    for (size_t k = 2; k < row.size(); ++k) {
      std::optional<double> x = ParseNumber(row[k].text);
      if (!x) {
        add(row[k].line, row[k].column,
            fmt::format("\"{}\" is not a number; expected a number",
                        row[k].text));
        ok = false;
      }
      numbers.push_back(x.value_or(0));
    }
    if (row[0].text.empty()) {
      add(row[0].line, row[0].column,
          "the actor name is empty; expected a name");
      ok = false;
    }
    if (!ok) continue;
    Actor actor;
    actor.id = row[0].text;
    actor.name = row[1].text.empty() ? actor.id : row[1].text;
    actor.where = {file, rows[r].line, 1};
    actor.capability = {numbers[0], "", {file, row[2].line, row[2].column}, {}};
    s.actors.push_back(actor);
    for (size_t d = 0; d < dims; ++d) {
      Stance stance;
      stance.actor = static_cast<int>(s.actors.size()) - 1;
      stance.issue = static_cast<int>(d);
      stance.where = actor.where;
      const CsvField& p = row[3 + 2 * d];
      const CsvField& q = row[4 + 2 * d];
      stance.position = {numbers[1 + 2 * d], "", {file, p.line, p.column}, {}};
      // KTAB saliences are written 0..100.
      stance.salience = {
          numbers[2 + 2 * d] / 100, "", {file, q.line, q.column}, {}};
      s.stances.push_back(stance);
    }
  }
  if (parsed.diagnostics.empty() &&
      s.actors.size() != static_cast<size_t>(*n_actors)) {
    add(rows[0].line, first[2].column,
        fmt::format("the first line announces {} actors but the file has {}; "
                    "expected the "
                    "same number",
                    *n_actors, s.actors.size()));
  }
  return parsed;
}

}  // namespace unionstate::internal
