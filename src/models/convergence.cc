#include "models/convergence.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "common/check.h"

namespace unionstate {

const char* ConvergenceStatusName(Convergence::Status status) {
  switch (status) {
    case Convergence::Status::kNotIterated:
      return "";
    case Convergence::Status::kConverged:
      return "converged";
    case Convergence::Status::kCycle:
      return "cycle";
    case Convergence::Status::kUnsettled:
      return "unsettled";
  }
  return "";
}

namespace internal {
namespace {

// The outcome of every round for issue `i`.
std::vector<double> OutcomesOf(const Forecast& forecast, std::string_view name,
                               size_t i) {
  std::vector<double> out;
  for (const Round& round : forecast.rounds) {
    auto it =
        std::find_if(round.issue_values.begin(), round.issue_values.end(),
                     [&](const IssueValues& v) { return v.name == name; });
    US_CHECK(it != round.issue_values.end() && i < it->values.size(),
             "every round carries the model's outcome");
    out.push_back(it->values[i]);
  }
  return out;
}

}  // namespace

void DetectConvergence(const Scenario& scenario,
                       std::string_view outcome_values, bool stopped_by_rule,
                       Forecast* forecast) {
  const size_t n_issues = scenario.issues.size();
  const size_t n_actors = scenario.actors.size();
  const size_t rounds = forecast->rounds.size();
  if (rounds < 2) return;  // nothing played
  const int last = static_cast<int>(rounds) - 1;
  for (size_t i = 0; i < n_issues; ++i) {
    bool anyone = false;
    for (size_t a = 0; a < n_actors && !anyone; ++a) {
      anyone = !std::isnan(forecast->rounds[0].positions[a * n_issues + i]);
    }
    if (!anyone) continue;
    const Issue& issue = scenario.issues[i];
    const double tolerance = 1e-9 * (issue.max - issue.min);
    const std::vector<double> outcome =
        OutcomesOf(*forecast, outcome_values, i);
    auto same = [&](int r, int s) {
      auto close = [&](double x, double y) {
        if (std::isnan(x) || std::isnan(y))
          return std::isnan(x) && std::isnan(y);
        return std::abs(x - y) <= tolerance;
      };
      if (!close(outcome[static_cast<size_t>(r)],
                 outcome[static_cast<size_t>(s)]))
        return false;
      const std::vector<double>& p =
          forecast->rounds[static_cast<size_t>(r)].positions;
      const std::vector<double>& q =
          forecast->rounds[static_cast<size_t>(s)].positions;
      for (size_t a = 0; a < n_actors; ++a) {
        if (!close(p[a * n_issues + i], q[a * n_issues + i])) return false;
      }
      return true;
    };
    // The smallest period whose last repetition is complete.
    int period = 0;
    for (int p = 1; 2 * p - 1 <= last && period == 0; ++p) {
      bool repeats = true;
      for (int j = 0; j < p && repeats; ++j)
        repeats = same(last - j, last - j - p);
      if (repeats) period = p;
    }
    Convergence& c = forecast->issues[i].convergence;
    if (period == 0) {
      c.status = stopped_by_rule ? Convergence::Status::kConverged
                                 : Convergence::Status::kUnsettled;
      c.round = last;
      continue;
    }
    int start = last - period;  // S[t] == S[t + period] for all t >= start
    while (start > 0 && same(start - 1, start - 1 + period)) --start;
    c.round = start;
    if (period == 1) {
      c.status = Convergence::Status::kConverged;
      continue;
    }
    c.status = Convergence::Status::kCycle;
    c.period = period;
    c.low = c.high = outcome[static_cast<size_t>(start)];
    for (int r = start; r < start + period; ++r) {
      c.low = std::min(c.low, outcome[static_cast<size_t>(r)]);
      c.high = std::max(c.high, outcome[static_cast<size_t>(r)]);
    }
  }
}

}  // namespace internal
}  // namespace unionstate
