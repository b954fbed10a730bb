#include "unionstate/explain.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "common/check.h"

namespace unionstate {
namespace {

std::string Number(double x) { return fmt::format("{:.4g}", x); }
std::string Signed(double x) { return fmt::format("{:+.4g}", x); }

double PositionAt(const Round& round, size_t actor, size_t issue,
                  size_t issues) {
  return round.positions[actor * issues + issue];
}

const IssueValues* FindIssueValues(const Round& round,
                                   const std::string& name) {
  for (const IssueValues& v : round.issue_values) {
    if (v.name == name) return &v;
  }
  return nullptr;
}

// A veto holder's ideal point on the issue, with its id.
struct VetoHolder {
  std::string id;
  double position = 0;
};

std::vector<VetoHolder> VetoHolders(const Scenario& scenario,
                                    const Forecast& forecast, size_t i) {
  const Issue& issue = scenario.issues[i];
  std::vector<VetoHolder> holders;
  for (size_t a = 0; a < scenario.actors.size(); ++a) {
    const Stance* stance =
        scenario.FindStance(static_cast<int>(a), static_cast<int>(i));
    if (stance == nullptr) continue;
    if (scenario.actors[a].veto || issue.rule == DecisionRule::kUnanimity) {
      holders.push_back({scenario.actors[a].id, stance->position.value});
    }
  }
  if (issue.rule == DecisionRule::kParity && !forecast.rounds.empty()) {
    for (const std::string& side : scenario.Sides()) {
      const IssueValues* v =
          FindIssueValues(forecast.rounds.front(), "position_" + side);
      if (v != nullptr && i < v->values.size() && !std::isnan(v->values[i])) {
        holders.push_back({side, v->values[i]});
      }
    }
  }
  return holders;
}

// The actor at the capability x salience weighted median of `positions`
// (the first whose cumulative weight reaches half), or nullopt when nobody
// has weight.
std::optional<size_t> WeightedMedianActor(
    const Scenario& scenario, size_t i, const std::vector<double>& positions) {
  struct Entry {
    double position;
    double weight;
    size_t actor;
  };
  std::vector<Entry> entries;
  double total = 0;
  for (size_t a = 0; a < scenario.actors.size(); ++a) {
    const Stance* stance =
        scenario.FindStance(static_cast<int>(a), static_cast<int>(i));
    if (stance == nullptr || std::isnan(positions[a])) continue;
    double w = scenario.CapabilityOf(*stance) * stance->salience.value;
    if (!(w > 0)) continue;
    entries.push_back({positions[a], w, a});
    total += w;
  }
  if (entries.empty()) return std::nullopt;
  std::stable_sort(
      entries.begin(), entries.end(),
      [](const Entry& x, const Entry& y) { return x.position < y.position; });
  double cumulative = 0;
  for (const Entry& e : entries) {
    cumulative += e.weight;
    if (cumulative >= total / 2) return e.actor;
  }
  return entries.back().actor;
}

std::string Ids(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) out += (out.empty() ? "" : ", ") + id;
  return out;
}

IssueExplanation ExplainIssue(const Scenario& scenario,
                              const Forecast& forecast,
                              const IssueForecast& f) {
  US_CHECK(
      f.issue >= 0 && static_cast<size_t>(f.issue) < scenario.issues.size(),
      "forecast issue outside the scenario");
  const size_t i = static_cast<size_t>(f.issue);
  const size_t n = scenario.issues.size();
  const size_t actors = scenario.actors.size();
  const Issue& issue = scenario.issues[i];
  const double tolerance = 1e-6 * (issue.max - issue.min);

  IssueExplanation out;
  out.issue = f.issue;
  out.blocking = f.blocking;
  out.rounds = forecast.rounds.empty()
                   ? 0
                   : static_cast<int>(forecast.rounds.size()) - 1;

  std::vector<double> first(actors, std::nan("")), last(actors, std::nan(""));
  if (!forecast.rounds.empty()) {
    for (size_t a = 0; a < actors; ++a) {
      first[a] = PositionAt(forecast.rounds.front(), a, i, n);
      last[a] = PositionAt(forecast.rounds.back(), a, i, n);
    }
  }

  // 1. Blocking or pivotal.
  std::string part1;
  if (!f.blocking.empty()) {
    part1 = "blocked by " + Ids(f.blocking);
  } else {
    const bool moved =
        issue.status_quo &&
        std::abs(f.outcome - issue.status_quo->value) > tolerance;
    if (moved) {
      const double sq = issue.status_quo->value;
      for (const VetoHolder& h : VetoHolders(scenario, forecast, i)) {
        const double gap = std::abs(std::abs(f.outcome - h.position) -
                                    std::abs(sq - h.position));
        if (gap <= tolerance) {
          out.pivotal = h.id;
          out.pivotal_reason = "veto";
          part1 = fmt::format("held at {}'s limit (veto)", h.id);
          break;
        }
      }
    }
    if (out.pivotal.empty()) {
      std::optional<size_t> median = WeightedMedianActor(scenario, i, last);
      if (median) {
        out.pivotal = scenario.actors[*median].id;
        out.pivotal_reason = "weighted median";
        part1 = fmt::format("pivotal: {} (weighted median)", out.pivotal);
      } else {
        part1 = "no actor weighs on it";
      }
    }
  }

  // 2. Movers, or losses for one-shot models.
  std::string part2;
  std::vector<ActorMove> candidates;
  if (out.rounds > 0) {
    for (size_t a = 0; a < actors; ++a) {
      if (std::isnan(first[a]) || std::isnan(last[a])) continue;
      const double d = last[a] - first[a];
      if (std::abs(d) > tolerance) {
        candidates.push_back({scenario.actors[a].id, d});
      }
    }
  } else {
    out.movers_are_losses = true;
    for (size_t a = 0; a < actors; ++a) {
      const Stance* stance =
          scenario.FindStance(static_cast<int>(a), static_cast<int>(i));
      if (stance == nullptr) continue;
      const double loss =
          stance->salience.value * std::abs(stance->position.value - f.outcome);
      if (loss > tolerance) candidates.push_back({scenario.actors[a].id, loss});
    }
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const ActorMove& x, const ActorMove& y) {
                     return std::abs(x.amount) > std::abs(y.amount);
                   });
  if (candidates.size() > 2) candidates.resize(2);
  out.movers = candidates;
  if (out.movers_are_losses) {
    part2 = out.movers.empty()
                ? "nobody gives anything up"
                : fmt::format("gives up most: {} ({})", out.movers[0].actor,
                              Number(out.movers[0].amount));
  } else if (out.movers.empty()) {
    part2 = "no net move";
  } else {
    part2 = "moved most: ";
    for (size_t k = 0; k < out.movers.size(); ++k) {
      part2 += fmt::format("{}{} ({})", k == 0 ? "" : ", ", out.movers[k].actor,
                           Signed(out.movers[k].amount));
    }
  }

  // 3. Convergence: the forecast's own (models/convergence.h), so the
  // table, the report and the JSON say the same thing.
  out.convergence = f.convergence;
  std::string part3;
  if (out.rounds == 0) {
    part3 = "one-shot";
  } else {
    // How far the last round moved anyone on the issue (for the words only).
    const size_t r = forecast.rounds.size() - 1;
    for (size_t a = 0; a < actors; ++a) {
      const double x = PositionAt(forecast.rounds[r], a, i, n);
      const double y = PositionAt(forecast.rounds[r - 1], a, i, n);
      if (std::isnan(x) || std::isnan(y)) continue;
      out.last_change = std::max(out.last_change, std::abs(x - y));
    }
    const Convergence& c = f.convergence;
    switch (c.status) {
      case Convergence::Status::kNotIterated:
        part3 = "not iterated";
        break;
      case Convergence::Status::kConverged:
        // Resting since round r < n; or converged at the last round itself,
        // which only the model's own stop rule gives (smp's movement rule).
        if (c.round == out.rounds) {
          part3 = fmt::format(
              "stopped by the model's own rule at round {} (last move {})",
              c.round, Number(out.last_change));
        } else if (c.round == 0) {
          part3 = fmt::format("never moved in {} rounds", out.rounds);
        } else {
          part3 = fmt::format("settled by round {} of {}", c.round, out.rounds);
        }
        break;
      case Convergence::Status::kCycle:
        part3 = fmt::format(
            "cycling (period {}) from round {}, outcome between {} and {}",
            c.period, c.round, Number(c.low), Number(c.high));
        break;
      case Convergence::Status::kUnsettled:
        part3 = fmt::format("still moving at round {} (by {})", out.rounds,
                            Number(out.last_change));
        break;
    }
  }
  out.text = part1 + "; " + part2 + "; " + part3;
  return out;
}

}  // namespace

const char* ConvergenceWord(const Convergence& convergence) {
  return convergence.status == Convergence::Status::kNotIterated
             ? "one-shot"
             : ConvergenceStatusName(convergence.status);
}

std::vector<IssueExplanation> ExplainForecast(const Scenario& scenario,
                                              const Forecast& forecast) {
  std::vector<IssueExplanation> out;
  out.reserve(forecast.issues.size());
  for (const IssueForecast& f : forecast.issues) {
    out.push_back(ExplainIssue(scenario, forecast, f));
  }
  return out;
}

}  // namespace unionstate
