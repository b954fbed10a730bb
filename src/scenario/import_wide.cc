// The wide tables analysts keep in spreadsheets (docs/scenario-format.md,
// "Wide tables"): an actors table with one row per actor and a position and
// a salience column per issue, and an issues table with one row per issue.

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "common/number.h"
#include "scenario/csv.h"
#include "scenario/parsers.h"

namespace unionstate::internal {
namespace {

constexpr std::string_view kPositionSuffix = "_position";
constexpr std::string_view kSalienceSuffix = "_salience";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// ',' unless the header line has none and ';' or a tab instead (what a
// spreadsheet writes in locales with a decimal comma).
char DelimiterOf(std::string_view text) {
  std::string_view header = FirstLine(text);
  if (header.find(',') != std::string_view::npos) return ',';
  if (header.find(';') != std::string_view::npos) return ';';
  if (header.find('\t') != std::string_view::npos) return '\t';
  return ',';
}

// One table: its header's columns by lower-case name, and its rows.
class Table {
 public:
  Table(std::string_view text, std::string file, std::string what,
        std::vector<Diagnostic>& diagnostics)
      : file_(std::move(file)),
        what_(std::move(what)),
        diagnostics_(diagnostics) {
    rows_ = ReadDelimited(text, DelimiterOf(text), '"');
    if (rows_.empty()) {
      Add({file_, 1, 1},
          fmt::format("the {} table is empty; expected a header "
                      "line and one row per {}",
                      what_, what_ == "actors" ? "actor" : "issue"));
      return;
    }
    const CsvRow& header = rows_.front();
    for (size_t c = 0; c < header.fields.size(); ++c) {
      const CsvField& field = header.fields[c];
      std::string name = Lower(field.text);
      if (name.empty()) {
        Add({file_, field.line, field.column},
            fmt::format("column {} of the header has no name; expected a "
                        "column name",
                        c + 1));
        continue;
      }
      if (!columns_.emplace(name, c).second) {
        Add({file_, field.line, field.column},
            fmt::format("column \"{}\" appears twice in the header; expected "
                        "each column once",
                        field.text));
      }
      names_.push_back(name);
    }
  }

  bool empty() const { return rows_.size() < 2; }
  size_t size() const { return rows_.size(); }
  const CsvRow& row(size_t r) const { return rows_[r]; }
  const CsvRow& header() const { return rows_.front(); }
  const std::vector<std::string>& names() const { return names_; }
  const std::string& file() const { return file_; }

  std::optional<size_t> Column(std::string_view name) const {
    auto it = columns_.find(std::string(name));
    if (it == columns_.end()) return {};
    return it->second;
  }

  // Reports a required column that is missing.
  bool Require(std::string_view name) {
    if (Column(name)) return true;
    if (!rows_.empty()) {
      Add({file_, header().line, 1},
          fmt::format("the {} table has no column \"{}\"; expected it in the "
                      "header",
                      what_, name));
    }
    return false;
  }

  // The cell of row `r` in column `c`; an empty field when the row is short.
  CsvField Cell(size_t r, std::optional<size_t> c) const {
    const CsvRow& rw = rows_[r];
    if (!c) return {"", rw.line, 1};
    if (*c < rw.fields.size()) return rw.fields[*c];
    const int column =
        rw.fields.empty()
            ? 1
            : rw.fields.back().column +
                  static_cast<int>(rw.fields.back().text.size()) + 1;
    return {"", rw.line, column};
  }

  SourceLocation Where(const CsvField& cell) const {
    return {file_, cell.line, cell.column};
  }

  void Add(SourceLocation where, std::string message) {
    diagnostics_.push_back({std::move(where), std::move(message)});
  }

  // A number in the cell, or a diagnostic naming the column.
  std::optional<double> Number(size_t r, std::string_view column,
                               const char* expected) {
    const CsvField cell = Cell(r, Column(column));
    std::optional<double> value = ParseNumber(cell.text);
    if (!value) {
      Add(Where(cell),
          fmt::format("column \"{}\": {} is not a number; expected {}", column,
                      cell.text.empty() ? "the empty cell"
                                        : fmt::format("\"{}\"", cell.text),
                      expected));
    }
    return value;
  }

  std::string Text(size_t r, std::string_view column) const {
    return Cell(r, Column(column)).text;
  }

 private:
  std::string file_;
  std::string what_;
  std::vector<Diagnostic>& diagnostics_;
  std::vector<CsvRow> rows_;
  std::map<std::string, size_t> columns_;
  std::vector<std::string> names_;
};

std::optional<bool> ParseFlag(std::string_view text) {
  std::string lower = Lower(text);
  if (lower.empty() || lower == "false" || lower == "no" || lower == "0")
    return false;
  if (lower == "true" || lower == "yes" || lower == "1") return true;
  return {};
}

void ReadIssues(Table& table, Scenario& s) {
  static const std::vector<std::string> kKnown = {
      "id",         "name",     "unit", "min",         "max",
      "status_quo", "deadline", "rule", "description", "source"};
  for (size_t c = 0; c < table.names().size(); ++c) {
    const std::string& name = table.names()[c];
    if (std::find(kKnown.begin(), kKnown.end(), name) != kKnown.end()) continue;
    std::string hint = ClosestMatch(name, kKnown);
    table.Add(
        table.Where(table.header().fields[c]),
        fmt::format("unknown column \"{}\" in the issues table; "
                    "expected {}",
                    table.header().fields[c].text,
                    hint.empty() ? "id, name, unit, min, max, status_quo, "
                                   "deadline, rule, description or source"
                                 : fmt::format("\"{}\"", hint)));
  }
  // Each Require reports its own missing column, so all three run.
  const bool has_id = table.Require("id");
  const bool has_min = table.Require("min");
  const bool has_max = table.Require("max");
  const bool complete = has_id && has_min && has_max;
  if (!complete) return;
  for (size_t r = 1; r < table.size(); ++r) {
    const CsvField id = table.Cell(r, table.Column("id"));
    Issue issue;
    issue.id = id.text;
    issue.where = {table.file(), table.row(r).line, 1};
    if (issue.id.empty()) {
      table.Add(table.Where(id),
                "column \"id\": the issue id is empty; expected an id");
    }
    issue.name = table.Text(r, "name");
    if (issue.name.empty()) issue.name = issue.id;
    issue.unit = table.Text(r, "unit");
    issue.description = table.Text(r, "description");
    issue.source = table.Text(r, "source");
    std::optional<double> min = table.Number(r, "min", "a number");
    std::optional<double> max = table.Number(r, "max", "a number");
    issue.min = min.value_or(0);
    issue.max = max.value_or(0);
    if (table.Column("status_quo")) {
      const CsvField cell = table.Cell(r, table.Column("status_quo"));
      if (!cell.text.empty()) {
        std::optional<double> value =
            table.Number(r, "status_quo", "a number on the issue's scale");
        if (value)
          issue.status_quo = Quantity{*value, "", table.Where(cell), {}};
      }
    }
    if (table.Column("deadline")) {
      const CsvField cell = table.Cell(r, table.Column("deadline"));
      if (!cell.text.empty()) {
        issue.deadline = Date::Parse(cell.text);
        if (!issue.deadline) {
          table.Add(table.Where(cell),
                    fmt::format("column \"deadline\": \"{}\" is not a date; "
                                "expected YYYY-MM-DD",
                                cell.text));
        }
      }
    }
    if (table.Column("rule")) {
      const CsvField cell = table.Cell(r, table.Column("rule"));
      if (!cell.text.empty()) {
        std::optional<DecisionRule> rule = ParseDecisionRule(Lower(cell.text));
        if (rule) {
          issue.rule = *rule;
        } else {
          table.Add(table.Where(cell),
                    fmt::format("column \"rule\": unknown decision rule "
                                "\"{}\"; expected unanimity, parity, qmv or "
                                "majority",
                                cell.text));
        }
      }
    }
    s.issues.push_back(std::move(issue));
  }
}

void ReadActors(Table& table, Scenario& s) {
  static const std::vector<std::string> kKnown = {
      "id", "name", "side", "capability", "veto", "description", "source"};
  std::vector<std::string> issue_ids;
  for (const Issue& issue : s.issues) issue_ids.push_back(issue.id);
  // Per issue: its position and salience columns.
  std::vector<std::optional<size_t>> position_column(s.issues.size());
  std::vector<std::optional<size_t>> salience_column(s.issues.size());
  for (size_t c = 0; c < table.names().size(); ++c) {
    const std::string& name = table.names()[c];
    const CsvField& field = table.header().fields[c];
    if (std::find(kKnown.begin(), kKnown.end(), name) != kKnown.end()) continue;
    const bool is_position = name.ends_with(kPositionSuffix);
    const bool is_salience = name.ends_with(kSalienceSuffix);
    if (!is_position && !is_salience) {
      std::string hint = ClosestMatch(name, kKnown);
      table.Add(
          table.Where(field),
          fmt::format("unknown column \"{}\" in the actors table; expected {}",
                      field.text,
                      hint.empty() ? "id, name, side, capability, veto, "
                                     "description, source, or ISSUE_position "
                                     "and ISSUE_salience for an issue of the "
                                     "issues table"
                                   : fmt::format("\"{}\"", hint)));
      continue;
    }
    // Issue ids keep their case: take it from the header as written.
    std::string issue_id = field.text.substr(
        0, field.text.size() -
               (is_position ? kPositionSuffix : kSalienceSuffix).size());
    int issue = s.FindIssue(issue_id);
    if (issue < 0) {
      std::string hint = ClosestMatch(issue_id, issue_ids);
      table.Add(table.Where(field),
                fmt::format("column \"{}\" names the issue \"{}\", which the "
                            "issues table does not have; expected {}",
                            field.text, issue_id,
                            hint.empty() ? "an issue id of the issues table"
                                         : fmt::format("\"{}\"", hint)));
      continue;
    }
    (is_position ? position_column
                 : salience_column)[static_cast<size_t>(issue)] = c;
  }
  for (size_t i = 0; i < s.issues.size(); ++i) {
    const std::string& id = s.issues[i].id;
    if (position_column[i].has_value() != salience_column[i].has_value()) {
      table.Add(
          {table.file(), table.header().line, 1},
          fmt::format(
              "the actors table has a column \"{}{}\" but no "
              "\"{}{}\"; expected both for issue \"{}\"",
              id, position_column[i] ? kPositionSuffix : kSalienceSuffix, id,
              position_column[i] ? kSalienceSuffix : kPositionSuffix, id));
      position_column[i].reset();
      salience_column[i].reset();
    }
  }
  // Each Require reports its own missing column, so both run.
  const bool has_id = table.Require("id");
  const bool has_capability = table.Require("capability");
  if (!has_id || !has_capability) return;
  for (size_t r = 1; r < table.size(); ++r) {
    const CsvField id = table.Cell(r, table.Column("id"));
    Actor actor;
    actor.id = id.text;
    actor.where = {table.file(), table.row(r).line, 1};
    if (actor.id.empty()) {
      table.Add(table.Where(id),
                "column \"id\": the actor id is empty; expected an id");
    }
    actor.name = table.Text(r, "name");
    if (actor.name.empty()) actor.name = actor.id;
    actor.side = table.Text(r, "side");
    actor.description = table.Text(r, "description");
    actor.source = table.Text(r, "source");
    const CsvField capability = table.Cell(r, table.Column("capability"));
    std::optional<double> value =
        table.Number(r, "capability", "a number >= 0");
    actor.capability = {value.value_or(0), "", table.Where(capability), {}};
    const CsvField veto = table.Cell(r, table.Column("veto"));
    std::optional<bool> flag = ParseFlag(veto.text);
    if (!flag) {
      table.Add(table.Where(veto),
                fmt::format("column \"veto\": \"{}\" is not a flag; expected "
                            "true or false (yes/no, 1/0; empty: false)",
                            veto.text));
    }
    actor.veto = flag.value_or(false);
    const int a = static_cast<int>(s.actors.size());
    s.actors.push_back(std::move(actor));
    for (size_t i = 0; i < s.issues.size(); ++i) {
      if (!position_column[i]) continue;
      const CsvField position = table.Cell(r, position_column[i]);
      const CsvField salience = table.Cell(r, salience_column[i]);
      if (position.text.empty() && salience.text.empty()) continue;
      const std::string& issue_id = s.issues[i].id;
      if (position.text.empty() || salience.text.empty()) {
        const CsvField& filled = position.text.empty() ? salience : position;
        table.Add(table.Where(filled),
                  fmt::format("actor \"{}\" has a {} but no {} on issue "
                              "\"{}\"; expected both cells filled, or both "
                              "empty when the actor takes no part",
                              s.actors.back().id,
                              position.text.empty() ? "salience" : "position",
                              position.text.empty() ? "position" : "salience",
                              issue_id));
        continue;
      }
      std::optional<double> p =
          table.Number(r, table.names()[*position_column[i]],
                       "a number on the issue's scale");
      std::optional<double> w = table.Number(
          r, table.names()[*salience_column[i]], "a number in [0, 1]");
      if (!p || !w) continue;
      Stance stance;
      stance.actor = a;
      stance.issue = static_cast<int>(i);
      stance.position = {*p, "", table.Where(position), {}};
      stance.salience = {*w, "", table.Where(salience), {}};
      stance.where = table.Where(position);
      s.stances.push_back(std::move(stance));
    }
  }
}

}  // namespace

Parsed ParseWide(std::string_view actors_text, const std::string& actors_file,
                 std::string_view issues_text, const std::string& issues_file,
                 std::string_view name) {
  Parsed parsed;
  Scenario& s = parsed.scenario;
  s.file = actors_file;
  s.name = name.empty() ? WideScenarioName(actors_file) : std::string(name);
  Table issues(issues_text, issues_file, "issues", parsed.diagnostics);
  if (!issues.names().empty()) ReadIssues(issues, s);
  if (s.issues.empty() && parsed.diagnostics.empty()) {
    parsed.diagnostics.push_back(
        {{issues_file, 1, 1},
         "the issues table has no rows; expected one row per issue"});
  }
  Table actors(actors_text, actors_file, "actors", parsed.diagnostics);
  if (!actors.names().empty()) ReadActors(actors, s);
  if (s.actors.empty() && !actors.names().empty()) {
    parsed.diagnostics.push_back(
        {{actors_file, actors.header().line, 1},
         "the actors table has no rows; expected one row per actor"});
  }
  return parsed;
}

std::string WideColumnAt(std::string_view text, int line, int column) {
  std::vector<CsvRow> rows = ReadDelimited(text, DelimiterOf(text), '"');
  if (rows.empty()) return {};
  for (const CsvRow& row : rows) {
    if (row.line != line) continue;
    // The field that starts at or before `column`, and its header.
    size_t index = 0;
    bool found = false;
    for (size_t f = 0; f < row.fields.size(); ++f) {
      if (row.fields[f].column <= column) {
        index = f;
        found = true;
      }
    }
    if (!found || index >= rows.front().fields.size()) return {};
    return rows.front().fields[index].text;
  }
  return {};
}

bool LooksLikeWideActors(std::string_view text) {
  std::string_view header = FirstLine(text);
  std::vector<CsvRow> rows = ReadDelimited(header, DelimiterOf(header), '"');
  if (rows.empty() || rows[0].fields.empty()) return false;
  if (Lower(rows[0].fields[0].text) != "id") return false;
  for (const CsvField& field : rows[0].fields) {
    std::string lower = Lower(field.text);
    if (lower.ends_with(kPositionSuffix) || lower == "capability") return true;
  }
  return false;
}

bool LooksLikeWideIssues(std::string_view text) {
  std::string_view header = FirstLine(text);
  std::vector<CsvRow> rows = ReadDelimited(header, DelimiterOf(header), '"');
  if (rows.empty() || rows[0].fields.empty()) return false;
  if (Lower(rows[0].fields[0].text) != "id") return false;
  bool min = false, max = false;
  for (const CsvField& field : rows[0].fields) {
    min = min || Lower(field.text) == "min";
    max = max || Lower(field.text) == "max";
  }
  return min && max;
}

std::string WideIssuesPath(const std::string& actors_path) {
  const size_t slash = actors_path.find_last_of('/');
  const std::string folder =
      slash == std::string::npos ? "" : actors_path.substr(0, slash + 1);
  std::string base =
      slash == std::string::npos ? actors_path : actors_path.substr(slash + 1);
  const size_t at = base.rfind("actors");
  if (at == std::string::npos) return folder + "issues.csv";
  base.replace(at, 6, "issues");
  return folder + base;
}

std::string WideScenarioName(const std::string& actors_path) {
  const size_t slash = actors_path.find_last_of('/');
  std::string base =
      slash == std::string::npos ? actors_path : actors_path.substr(slash + 1);
  std::string stem = FileStem(base);
  if (Lower(stem) == "actors") {
    // actors.csv in a folder: the folder names the scenario.
    if (slash == std::string::npos || slash == 0) return "scenario";
    return FileStem(actors_path.substr(0, slash));
  }
  for (std::string_view suffix : {"-actors", "_actors", ".actors"}) {
    if (stem.ends_with(suffix)) stem.resize(stem.size() - suffix.size());
  }
  return stem.empty() ? "scenario" : stem;
}

}  // namespace unionstate::internal
