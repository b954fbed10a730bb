#include "tests/support/invariants.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace unionstate::testing {

std::vector<std::string> ConformanceViolations(const Scenario& s,
                                               const Forecast& f) {
  std::vector<std::string> bad;
  auto on_scale = [](const Issue& issue, double x) {
    // The battery's 1e-9 of the width, plus a few units in the last place
    // of the scale's magnitude: at 1e12 doubles are 1.2e-4 apart, and a
    // weighted mean of positions at the bound may round one step past it.
    const double slack =
        1e-9 * (issue.max - issue.min) +
        1e-15 * std::max(std::abs(issue.min), std::abs(issue.max));
    return std::isfinite(x) && x >= issue.min - slack &&
           x <= issue.max + slack;
  };
  if (f.issues.size() != s.issues.size()) {
    bad.push_back(fmt::format("{} issue forecasts for {} issues",
                              f.issues.size(), s.issues.size()));
    return bad;
  }
  if (f.rounds.empty()) bad.push_back("no round 0");
  std::vector<std::string> sides = s.Sides();
  for (size_t i = 0; i < f.issues.size(); ++i) {
    const IssueForecast& out = f.issues[i];
    const Issue& issue = s.issues[i];
    if (out.issue != static_cast<int>(i))
      bad.push_back(fmt::format("forecast {} names issue {}", i, out.issue));
    if (!on_scale(issue, out.outcome))
      bad.push_back(fmt::format("issue {}: outcome {} off [{}, {}]", issue.id,
                                out.outcome, issue.min, issue.max));
    for (const std::string& id : out.blocking) {
      bool known = s.FindActor(id) >= 0;
      for (const std::string& side : sides) known = known || side == id;
      if (!known)
        bad.push_back(fmt::format("issue {}: unknown blocker {}", issue.id, id));
    }
    if (!out.blocking.empty() && out.agreement)
      bad.push_back(fmt::format("issue {}: blocked yet agreed", issue.id));
  }
  const size_t cells = s.actors.size() * s.issues.size();
  for (size_t r = 0; r < f.rounds.size(); ++r) {
    const Round& round = f.rounds[r];
    if (round.positions.size() != cells) {
      bad.push_back(fmt::format("round {}: {} positions for {} cells", r,
                                round.positions.size(), cells));
      continue;
    }
    for (size_t c = 0; c < cells; ++c) {
      const double x = round.positions[c];
      if (!std::isnan(x) && !on_scale(s.issues[c % s.issues.size()], x))
        bad.push_back(fmt::format("round {}: position {} off the scale", r, x));
    }
    for (const ActorValues& v : round.actor_values) {
      if (v.values.size() != s.actors.size()) {
        bad.push_back(fmt::format("round {}: {} has {} values", r, v.name,
                                  v.values.size()));
        continue;
      }
      if (!v.name.ends_with("probability")) continue;
      double total = 0;
      for (double p : v.values) {
        if (!(p >= 0 && p <= 1))
          bad.push_back(fmt::format("round {}: {} holds {}", r, v.name, p));
        total += p;
      }
      if (!(std::abs(total - 1) <= 1e-9))
        bad.push_back(fmt::format("round {}: {} sums to {}", r, v.name, total));
    }
  }
  if (!f.rounds.empty() && f.rounds[0].positions.size() == cells) {
    for (const Stance& st : s.stances) {
      const double x =
          f.rounds[0].positions[static_cast<size_t>(st.actor) *
                                    s.issues.size() +
                                static_cast<size_t>(st.issue)];
      if (x != st.position.value)
        bad.push_back(fmt::format("round 0 moves a position: {} for {}", x,
                                  st.position.value));
    }
  }
  return bad;
}

}  // namespace unionstate::testing
