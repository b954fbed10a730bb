#ifndef UNIONSTATE_MODELS_ISSUE_STANCES_H_
#define UNIONSTATE_MODELS_ISSUE_STANCES_H_

// Helpers shared by the one-issue-at-a-time models.

#include <vector>

#include "unionstate/forecast.h"
#include "unionstate/scenario.h"

namespace unionstate::internal {

// One actor's stance on one issue with its effective capability.
struct IssueStance {
  int actor = -1;
  double position = 0;
  double salience = 0;
  double capability = 0;
};

// The stances on `issue`, in actor order.
std::vector<IssueStance> StancesOn(const Scenario& scenario, int issue);

// True when `outcome` differs from the issue's status quo by more than a
// rounding error (relative 1e-9 of the scale); true for issues without a
// status quo. This is what "agreement" means in a Forecast.
bool MovesFromStatusQuo(const Issue& issue, double outcome);

// True when nobody weighs in on `issue`: no actor takes a position on it
// with a salience above 0.
bool IsWeightless(const Scenario& scenario, int issue);

// What every model forecasts for a weightless issue (issue 18, item 3;
// docs/output-format.md, "Weightless issues"): nothing moves it, so the
// outcome is its status quo (the middle of its scale when it has none),
// with no agreement, nobody blocking and no convergence to report. Applied
// to every weightless issue of `forecast`; the rounds are left as the model
// played them. Every model calls this last.
void SettleWeightlessIssues(const Scenario& scenario, Forecast* forecast);

}  // namespace unionstate::internal

#endif  // UNIONSTATE_MODELS_ISSUE_STANCES_H_
