// The DEU III table (Arregui & Perarnaud 2021) as shipped by
// blksv/predictioneers_game: tab-separated, "-quoted; columns p<actor> and
// s<actor> (0..100) for 30 actors, rp (reference point) and out (outcome);
// an optional second line with a capability per actor in the position
// columns (docs/scenario-format.md, "deu").

#include <fmt/format.h>

#include <map>

#include "common/number.h"
#include "scenario/csv.h"
#include "scenario/parsers.h"

namespace unionstate::internal {
namespace {

const std::map<std::string, std::string>& ActorNames() {
  static const auto* names =
      new std::map<std::string, std::string>{{"com", "European Commission"},
                                             {"ep", "European Parliament"},
                                             {"at", "Austria"},
                                             {"be", "Belgium"},
                                             {"bu", "Bulgaria"},
                                             {"cr", "Croatia"},
                                             {"cy", "Cyprus"},
                                             {"cz", "Czech Republic"},
                                             {"dk", "Denmark"},
                                             {"ee", "Estonia"},
                                             {"fi", "Finland"},
                                             {"fr", "France"},
                                             {"de", "Germany"},
                                             {"el", "Greece"},
                                             {"hu", "Hungary"},
                                             {"ie", "Ireland"},
                                             {"it", "Italy"},
                                             {"lv", "Latvia"},
                                             {"lt", "Lithuania"},
                                             {"lu", "Luxembourg"},
                                             {"mt", "Malta"},
                                             {"nl", "Netherlands"},
                                             {"pl", "Poland"},
                                             {"pt", "Portugal"},
                                             {"ro", "Romania"},
                                             {"si", "Slovenia"},
                                             {"sk", "Slovakia"},
                                             {"es", "Spain"},
                                             {"se", "Sweden"},
                                             {"uk", "United Kingdom"}};
  return *names;
}

}  // namespace

Parsed ParseDeu(std::string_view text, const std::string& file) {
  Parsed parsed;
  Scenario& s = parsed.scenario;
  s.file = file;
  s.name = FileStem(file);
  s.description =
      "DEU III: legislative decision-making in the European Union "
      "(Arregui & Perarnaud 2021, doi:10.34810/data53)";
  auto add = [&](int line, int column, std::string message) {
    parsed.diagnostics.push_back({{file, line, column}, std::move(message)});
  };
  std::vector<CsvRow> rows = ReadDelimited(text, '\t', '"');
  if (rows.empty()) {
    add(1, 1, "the file is empty; expected the DEU header line");
    return parsed;
  }
  const CsvRow& header = rows[0];
  std::map<std::string, size_t> column;
  for (size_t k = 0; k < header.fields.size(); ++k)
    column[header.fields[k].text] = k;
  for (const char* required : {"isnr", "prname", "rp", "out"}) {
    if (!column.contains(required)) {
      add(header.line, 1,
          fmt::format("the header has no column \"{}\"; expected the DEU III "
                      "columns (isnr, prname, p<actor>, s<actor>, rp, out)",
                      required));
    }
  }
  if (!parsed.diagnostics.empty()) return parsed;

  // Actors: every p<id> column with a matching s<id> column, in file order.
  std::vector<std::pair<size_t, size_t>> actor_columns;  // (position, salience)
  for (size_t k = 0; k < header.fields.size(); ++k) {
    const std::string& name = header.fields[k].text;
    if (name.size() < 2 || name[0] != 'p' || name == "prnr" ||
        name == "prname" || name == "proc" || name == "proccde" ||
        name == "prnrnmc") {
      continue;
    }
    auto salience = column.find("s" + name.substr(1));
    if (salience == column.end()) continue;
    Actor actor;
    actor.id = name.substr(1);
    auto known = ActorNames().find(actor.id);
    actor.name = known == ActorNames().end() ? actor.id : known->second;
    actor.capability.value = 1;
    actor.where = {file, header.line, header.fields[k].column};
    actor.capability.where = actor.where;
    s.actors.push_back(actor);
    actor_columns.emplace_back(k, salience->second);
  }

  auto cell = [](const CsvRow& row, size_t k) -> const CsvField* {
    return k < row.fields.size() ? &row.fields[k] : nullptr;
  };
  size_t first_issue_row = 1;
  // blksv's capability line: no issue id, numbers in the position columns.
  if (rows.size() > 1) {
    const CsvField* id = cell(rows[1], column["isnr"]);
    if (id == nullptr || id->text.empty()) {
      first_issue_row = 2;
      s.source =
          "capabilities: the GDP line added by blksv/predictioneers_game";
      for (size_t a = 0; a < actor_columns.size(); ++a) {
        const CsvField* c = cell(rows[1], actor_columns[a].first);
        std::optional<double> x = c ? ParseNumber(c->text) : std::nullopt;
        if (!x) {
          add(rows[1].line, c ? c->column : 1,
              fmt::format("the capability of actor \"{}\" is not a number; "
                          "expected a number "
                          "in the capability line",
                          s.actors[a].id));
          continue;
        }
        s.actors[a].capability = {*x, "", {file, c->line, c->column}, {}};
      }
    }
  }

  auto optional_number = [&](const CsvRow& row, size_t k, std::string_view what,
                             bool& ok) -> std::optional<double> {
    const CsvField* c = cell(row, k);
    if (c == nullptr || c->text.empty()) return {};
    std::optional<double> x = ParseNumber(c->text);
    if (!x) {
      add(c->line, c->column,
          fmt::format(
              "{} \"{}\" is not a number; expected a number or an empty cell",
              what, c->text));
      ok = false;
    }
    return x;
  };

  std::map<std::string, size_t> dossier_of;  // proposal -> index
  for (size_t r = first_issue_row; r < rows.size(); ++r) {
    const CsvRow& row = rows[r];
    if (row.fields.size() != header.fields.size()) {
      add(row.line, 1,
          fmt::format("the row has {} fields; expected {} as in the header",
                      row.fields.size(), header.fields.size()));
      continue;
    }
    bool ok = true;
    Issue issue;
    issue.id = row.fields[column["isnr"]].text;
    issue.name = row.fields[column["prname"]].text;
    issue.where = {file, row.line, 1};
    issue.min = 0;
    issue.max = 100;
    if (column.contains("counvte")) {
      const std::string& vote = row.fields[column["counvte"]].text;
      issue.rule = vote.starts_with("Unan") ? DecisionRule::kUnanimity
                                            : DecisionRule::kQualifiedMajority;
    }
    if (column.contains("prnr")) {
      issue.description =
          fmt::format("proposal {}", row.fields[column["prnr"]].text);
    }
    if (auto rp =
            optional_number(row, column["rp"], "the reference point", ok)) {
      const CsvField& c = row.fields[column["rp"]];
      issue.status_quo = Quantity{*rp, "", {file, c.line, c.column}, {}};
    }
    issue.observed = optional_number(row, column["out"], "the outcome", ok);
    int index = static_cast<int>(s.issues.size());
    std::vector<Stance> stances;
    for (size_t a = 0; a < actor_columns.size(); ++a) {
      std::optional<double> position =
          optional_number(row, actor_columns[a].first, "position", ok);
      std::optional<double> salience =
          optional_number(row, actor_columns[a].second, "salience", ok);
      if (!position) continue;  // no position: the actor takes no part
      const CsvField& p = row.fields[actor_columns[a].first];
      const CsvField& q = row.fields[actor_columns[a].second];
      Stance stance;
      stance.actor = static_cast<int>(a);
      stance.issue = index;
      stance.where = {file, p.line, p.column};
      stance.position = {*position, "", {file, p.line, p.column}, {}};
      // DEU saliences are 0..100; a missing one counts as 0.
      stance.salience = {
          salience.value_or(0) / 100, "", {file, q.line, q.column}, {}};
      stances.push_back(stance);
    }
    if (!ok) continue;
    s.issues.push_back(issue);
    s.stances.insert(s.stances.end(), stances.begin(), stances.end());
    // One dossier per proposal: its issues are bargained together, those of
    // other proposals separately (docs/scenario-format.md, "Dossiers").
    if (column.contains("prnr")) {
      const CsvField& proposal = row.fields[column["prnr"]];
      if (!proposal.text.empty()) {
        auto [it, added] =
            dossier_of.try_emplace(proposal.text, s.dossiers.size());
        if (added) {
          Dossier dossier;
          dossier.id = proposal.text;
          dossier.name = issue.name;
          dossier.where = {file, proposal.line, proposal.column};
          s.dossiers.push_back(std::move(dossier));
        }
        s.dossiers[it->second].issues.push_back(index);
      }
    }
  }
  return parsed;
}

}  // namespace unionstate::internal
