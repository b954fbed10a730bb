#ifndef UNIONSTATE_SCENARIO_PARSERS_H_
#define UNIONSTATE_SCENARIO_PARSERS_H_

// One parser per input format (scenario_io.h lists them). Each returns a
// scenario that has not been through ValidateScenario yet, or every mistake
// it found; ParseScenario validates and merges.

#include <string>
#include <string_view>
#include <vector>

#include "unionstate/scenario.h"
#include "unionstate/status.h"

namespace unionstate::internal {

// A parser's result: the scenario as far as it could be read, and the
// mistakes met on the way. The scenario is only used when there are none.
struct Parsed {
  Scenario scenario;
  std::vector<Diagnostic> diagnostics;
};

Parsed ParseToml(std::string_view text, const std::string& file);
Parsed ParseBdmCsv(std::string_view text, const std::string& file);
Parsed ParseKtabCsv(std::string_view text, const std::string& file);
Parsed ParseKtabXml(std::string_view text, const std::string& file);
Parsed ParseDecide(std::string_view text, const std::string& file);
Parsed ParseDeu(std::string_view text, const std::string& file);
// The wide tables: an actors table and an issues table (import_wide.cc).
// `name` names the scenario; empty: WideScenarioName(actors_file).
Parsed ParseWide(std::string_view actors_text, const std::string& actors_file,
                 std::string_view issues_text, const std::string& issues_file,
                 std::string_view name);
// True when the header of `text` is that of a wide actors table (first
// column id, a capability or ISSUE_position column) / issues table (first
// column id, min and max columns).
bool LooksLikeWideActors(std::string_view text);
// The header of the column holding the cell at `line`:`column` of a wide
// table, or "" for the header line or a place outside the table.
std::string WideColumnAt(std::string_view text, int line, int column);
bool LooksLikeWideIssues(std::string_view text);
// The issues table that goes with an actors table: the last "actors" in the
// file name replaced by "issues" (x-actors.csv -> x-issues.csv), or
// issues.csv in the same folder when the name has no "actors".
std::string WideIssuesPath(const std::string& actors_path);
// The scenario name of wide tables: the folder of actors.csv, or the file
// stem without "-actors".
std::string WideScenarioName(const std::string& actors_path);

// Validates what a parser produced: every parse diagnostic plus the located
// semantic ones, or the validated scenario.
Result<Scenario> Finish(Parsed parsed);

// A KTAB dimension name as an issue id: "Policy Position" -> "policy".
std::string KtabDimensionId(std::string_view header);

// The file name without folders and extension: the default scenario name of
// imported tables.
std::string FileStem(const std::string& file);

// The entry of `candidates` closest to `word` by edit distance, when it is
// close enough to be a likely typo; empty otherwise.
std::string ClosestMatch(std::string_view word,
                         const std::vector<std::string>& candidates);

}  // namespace unionstate::internal

#endif  // UNIONSTATE_SCENARIO_PARSERS_H_
