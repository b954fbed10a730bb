#include "models/negotiations.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "common/check.h"

namespace unionstate::internal {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The entry named `name` of `list`, appended (filled with NaN) if missing.
template <class Values>
Values& Named(std::vector<Values>& list, const std::string& name, size_t size) {
  for (Values& v : list) {
    if (v.name == name) return v;
  }
  list.push_back({name, std::vector<double>(size, kNaN)});
  return list.back();
}

// `s` without the actors that care about none of its issues (no stance with
// a salience above 0), unless fewer than two would be left; `kept` gets the
// index in `s` of every actor of the result.
Scenario TakingPart(const Scenario& s, std::vector<int>* kept) {
  std::vector<int> to(s.actors.size(), -1);
  kept->clear();
  for (const Stance& st : s.stances) {
    if (st.salience.value > 0) to[static_cast<size_t>(st.actor)] = 0;
  }
  for (size_t a = 0; a < s.actors.size(); ++a) {
    if (to[a] == 0) {
      to[a] = static_cast<int>(kept->size());
      kept->push_back(static_cast<int>(a));
    }
  }
  if (kept->size() < 2 || kept->size() == s.actors.size()) {
    kept->resize(s.actors.size());
    for (size_t a = 0; a < s.actors.size(); ++a)
      (*kept)[a] = static_cast<int>(a);
    return s;
  }
  Scenario out = s;
  out.actors.clear();
  for (int a : *kept) out.actors.push_back(s.actors[static_cast<size_t>(a)]);
  out.stances.clear();
  for (const Stance& st : s.stances) {
    const int a = to[static_cast<size_t>(st.actor)];
    if (a < 0) continue;
    out.stances.push_back(st);
    out.stances.back().actor = a;
  }
  out.ideal_adjustments.clear();
  for (const IdealAdjustment& adj : s.ideal_adjustments) {
    const int a = to[static_cast<size_t>(adj.actor)];
    const int r = to[static_cast<size_t>(adj.reference)];
    if (a < 0 || r < 0) continue;
    out.ideal_adjustments.push_back(adj);
    out.ideal_adjustments.back().actor = a;
    out.ideal_adjustments.back().reference = r;
  }
  out.stance_index.clear();
  Result<Scenario> valid = ValidateScenario(std::move(out));
  US_CHECK(valid.has_value(), "dropping actors keeps a scenario valid");
  return std::move(*valid);
}

}  // namespace

Result<Forecast> RunPerNegotiation(const Scenario& scenario,
                                   const RunOptions& options,
                                   const NegotiationRun& run) {
  const std::vector<std::vector<int>> groups = scenario.Negotiations();
  if (groups.size() <= 1) return run(scenario, options);
  const size_t n_actors = scenario.actors.size();
  const size_t n_issues = scenario.issues.size();
  std::vector<Forecast> parts;
  std::vector<std::vector<int>> actors_of;  // per part: full actor indices
  size_t rounds = 0;
  for (const std::vector<int>& group : groups) {
    std::vector<int> kept;
    Result<Forecast> part =
        run(TakingPart(scenario.Restricted(group), &kept), options);
    if (!part) return part;
    rounds = std::max(rounds, part->rounds.size());
    parts.push_back(std::move(*part));
    actors_of.push_back(std::move(kept));
  }
  Forecast out;
  out.scenario = scenario.name;
  out.model = parts[0].model;
  out.parameters = parts[0].parameters;
  out.seed = parts[0].seed;
  out.issues.resize(n_issues);
  out.rounds.resize(rounds);
  for (size_t r = 0; r < rounds; ++r) {
    out.rounds[r].round = static_cast<int>(r);
    out.rounds[r].positions.assign(n_actors * n_issues, kNaN);
  }
  for (size_t g = 0; g < groups.size(); ++g) {
    const std::vector<int>& group = groups[g];
    const std::vector<int>& actors = actors_of[g];
    const Forecast& part = parts[g];
    const size_t width = group.size();
    for (size_t k = 0; k < width; ++k) {
      IssueForecast issue = part.issues[k];
      issue.issue = group[k];
      out.issues[static_cast<size_t>(group[k])] = std::move(issue);
    }
    for (size_t r = 0; r < rounds; ++r) {
      const bool played = r < part.rounds.size();
      const Round& from = part.rounds[played ? r : part.rounds.size() - 1];
      Round& to = out.rounds[r];
      for (size_t b = 0; b < actors.size(); ++b) {
        const size_t a = static_cast<size_t>(actors[b]);
        for (size_t k = 0; k < width; ++k) {
          to.positions[a * n_issues + static_cast<size_t>(group[k])] =
              from.positions[b * width + k];
        }
      }
      for (const ActorIssueValues& v : from.actor_issue_values) {
        ActorIssueValues& merged =
            Named(to.actor_issue_values, v.name, n_actors * n_issues);
        for (size_t b = 0; b < actors.size(); ++b) {
          const size_t a = static_cast<size_t>(actors[b]);
          for (size_t k = 0; k < width; ++k) {
            merged.values[a * n_issues + static_cast<size_t>(group[k])] =
                v.values[b * width + k];
          }
        }
      }
      for (const IssueValues& v : from.issue_values) {
        IssueValues& merged = Named(to.issue_values, v.name, n_issues);
        for (size_t k = 0; k < width; ++k)
          merged.values[static_cast<size_t>(group[k])] = v.values[k];
      }
      if (played) {
        to.events.insert(to.events.end(), from.events.begin(),
                         from.events.end());
      }
    }
  }
  return out;
}

}  // namespace unionstate::internal
