#include "models/issue_stances.h"

#include <cmath>

namespace unionstate::internal {

std::vector<IssueStance> StancesOn(const Scenario& scenario, int issue) {
  std::vector<IssueStance> out;
  for (size_t a = 0; a < scenario.actors.size(); ++a) {
    const Stance* stance = scenario.FindStance(static_cast<int>(a), issue);
    if (stance == nullptr) continue;
    out.push_back({static_cast<int>(a), stance->position.value,
                   stance->salience.value, scenario.CapabilityOf(*stance)});
  }
  return out;
}

bool MovesFromStatusQuo(const Issue& issue, double outcome) {
  if (!issue.status_quo) return true;
  return std::abs(outcome - issue.status_quo->value) >
         1e-9 * (issue.max - issue.min);
}

bool IsWeightless(const Scenario& scenario, int issue) {
  for (size_t a = 0; a < scenario.actors.size(); ++a) {
    const Stance* stance = scenario.FindStance(static_cast<int>(a), issue);
    if (stance != nullptr && stance->salience.value > 0) return false;
  }
  return true;
}

void SettleWeightlessIssues(const Scenario& scenario, Forecast* forecast) {
  for (IssueForecast& out : forecast->issues) {
    if (!IsWeightless(scenario, out.issue)) continue;
    const Issue& issue = scenario.issues[static_cast<size_t>(out.issue)];
    out.outcome = issue.status_quo ? issue.status_quo->value
                                   : (issue.min + issue.max) / 2;
    out.agreement = false;
    out.blocking.clear();
    out.convergence = Convergence{};
  }
}

}  // namespace unionstate::internal
