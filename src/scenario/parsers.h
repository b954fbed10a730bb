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
