#ifndef UNIONSTATE_MODELS_CONVERGENCE_H_
#define UNIONSTATE_MODELS_CONVERGENCE_H_

// Detects, after the fact, whether the rounds of an iterative model came to
// rest on each issue, cycled, or ran out while still moving (issue 18: bdm
// flipped two actors between 100 and 0 for ever, and the forecast depended
// on whether `rounds` was odd or even, silently).
//
// The state of issue i in round r is the column of positions
// rounds[r].positions[a * issues + i] over every actor a, together with the
// model's outcome for the round (the issue_values entry named
// `outcome_values`). Two states are equal when every entry differs by at
// most 1e-9 of the scale (NaN equals NaN). With R the last round:
//   - the smallest period p with S[R-j] == S[R-j-p] for j = 0..p-1 is found;
//   - p == 1: converged, at the earliest round from which nothing moved;
//   - p >= 2: a cycle, from the earliest round the repetition holds, with
//     the least and greatest outcome over one period;
//   - none: converged at R when the model says its own stop rule ended the
//     play (`stopped_by_rule`), unsettled otherwise.

#include <string_view>

#include "unionstate/forecast.h"
#include "unionstate/scenario.h"

namespace unionstate::internal {

// Fills forecast->issues[k].convergence for every issue that any actor takes
// a position on. REQUIRES: forecast->rounds[r].issue_values holds an entry
// named `outcome_values` in every round, and positions sized actors*issues.
void DetectConvergence(const Scenario& scenario,
                       std::string_view outcome_values, bool stopped_by_rule,
                       Forecast* forecast);

}  // namespace unionstate::internal

#endif  // UNIONSTATE_MODELS_CONVERGENCE_H_
