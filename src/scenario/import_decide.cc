// decide-exchange-model's record format (foarsitter/decide-exchange-model,
// data/input/*.csv): one record per line, tab- or ';'-separated, fields
// optionally quoted with '. #A actor, #P issue, #M scale anchor of an issue
// (its min and max are the anchors' extremes; 0..100 without anchors),
// #D actor issue position salience power; #/, #0 and #O are comments and a
// description (docs/scenario-format.md, "decide").

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "common/number.h"
#include "scenario/csv.h"
#include "scenario/parsers.h"

namespace unionstate::internal {

Parsed ParseDecide(std::string_view text, const std::string& file) {
  Parsed parsed;
  Scenario& s = parsed.scenario;
  s.file = file;
  s.name = FileStem(file);
  auto add = [&](int line, int column, std::string message) {
    parsed.diagnostics.push_back({{file, line, column}, std::move(message)});
  };
  std::string_view first = FirstLine(text);
  char delimiter = first.find('\t') != std::string_view::npos ? '\t' : ';';
  std::vector<CsvRow> rows = ReadDelimited(text, delimiter, '\'');

  struct Scale {
    double min = HUGE_VAL;
    double max = -HUGE_VAL;
  };
  std::map<std::string, Scale> scales;
  struct Data {
    CsvRow row;
  };
  std::vector<CsvRow> data;

  for (const CsvRow& row : rows) {
    const std::string& kind = row.fields[0].text;
    auto need = [&](size_t n, std::string_view what) {
      if (row.fields.size() >= n && !row.fields[1].text.empty()) return true;
      add(row.line, 1,
          fmt::format("the {} record has too few fields; expected {}", kind,
                      what));
      return false;
    };
    if (kind == "#A") {
      if (!need(2, "#A, id, name, comment")) continue;
      Actor actor;
      actor.id = row.fields[1].text;
      actor.name = row.fields.size() > 2 && !row.fields[2].text.empty()
                       ? row.fields[2].text
                       : actor.id;
      if (row.fields.size() > 3) actor.description = row.fields[3].text;
      actor.capability.value = 1;
      actor.where = {file, row.line, 1};
      actor.capability.where = actor.where;
      s.actors.push_back(actor);
    } else if (kind == "#P") {
      if (!need(2, "#P, id, name, description")) continue;
      Issue issue;
      issue.id = row.fields[1].text;
      issue.name = row.fields.size() > 2 && !row.fields[2].text.empty()
                       ? row.fields[2].text
                       : issue.id;
      if (row.fields.size() > 3) issue.description = row.fields[3].text;
      issue.where = {file, row.line, 1};
      s.issues.push_back(issue);
    } else if (kind == "#M") {
      if (!need(3, "#M, issue, position, meaning")) continue;
      std::optional<double> x = ParseNumber(row.fields[2].text);
      if (!x) {
        add(row.line, row.fields[2].column,
            fmt::format(
                "the scale anchor \"{}\" is not a number; expected a number",
                row.fields[2].text));
        continue;
      }
      Scale& scale = scales[row.fields[1].text];
      scale.min = std::min(scale.min, *x);
      scale.max = std::max(scale.max, *x);
    } else if (kind == "#D") {
      if (!need(6, "#D, actor, issue, position, salience, power")) continue;
      data.push_back(row);
    } else if (kind == "#O") {
      if (row.fields.size() > 1) s.description = row.fields[1].text;
    } else if (kind == "#/" || kind == "#0") {
      continue;
    } else {
      add(row.line, 1,
          fmt::format(
              "unknown record \"{}\"; expected #A, #P, #M, #D, #O, #/ or #0",
              kind));
    }
  }

  for (Issue& issue : s.issues) {
    auto it = scales.find(issue.id);
    if (it != scales.end()) {
      issue.min = it->second.min;
      issue.max = it->second.max;
    }
  }

  std::vector<bool> has_power(s.actors.size(), false);
  for (const CsvRow& row : data) {
    int actor = s.FindActor(row.fields[1].text);
    int issue = s.FindIssue(row.fields[2].text);
    if (actor < 0) {
      add(row.line, row.fields[1].column,
          fmt::format(
              "unknown actor \"{}\"; expected an id declared by an #A record",
              row.fields[1].text));
    }
    if (issue < 0) {
      add(row.line, row.fields[2].column,
          fmt::format(
              "unknown issue \"{}\"; expected an id declared by a #P record",
              row.fields[2].text));
    }
    std::optional<double> numbers[3];
    bool ok = actor >= 0 && issue >= 0;
    static constexpr const char* kNames[] = {"position", "salience", "power"};
    for (size_t k = 0; k < 3; ++k) {
      const CsvField& field = row.fields[3 + k];
      numbers[k] = ParseNumber(field.text);
      if (!numbers[k]) {
        add(field.line, field.column,
            fmt::format("{} \"{}\" is not a number; expected a number",
                        kNames[k], field.text));
        ok = false;
      }
    }
    if (!ok) continue;
    Stance stance;
    stance.actor = actor;
    stance.issue = issue;
    stance.where = {file, row.line, 1};
    stance.position = {
        *numbers[0], "", {file, row.line, row.fields[3].column}, {}};
    stance.salience = {
        *numbers[1], "", {file, row.line, row.fields[4].column}, {}};
    Quantity power{*numbers[2], "", {file, row.line, row.fields[5].column}, {}};
    // decide's power belongs to a (actor, issue) pair: the actor's first one
    // becomes its capability, others override it where they differ.
    Actor& owner = s.actors[static_cast<size_t>(actor)];
    if (!has_power[static_cast<size_t>(actor)]) {
      owner.capability = power;
      has_power[static_cast<size_t>(actor)] = true;
    } else if (power.value != owner.capability.value) {
      stance.capability = power;
    }
    s.stances.push_back(stance);
  }
  return parsed;
}

}  // namespace unionstate::internal
