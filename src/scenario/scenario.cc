#include "unionstate/scenario.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>

#include "common/check.h"

namespace unionstate {

std::string Date::ToString() const {
  return fmt::format("{:04d}-{:02d}-{:02d}", year, month, day);
}

bool Date::IsValid() const {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  int days = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  return day <= days;
}

std::optional<Date> Date::Parse(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return {};
  Date date;
  auto field = [&](size_t at, size_t length, int& out) {
    auto [end, error] =
        std::from_chars(text.data() + at, text.data() + at + length, out);
    return error == std::errc() && end == text.data() + at + length;
  };
  if (!field(0, 4, date.year) || !field(5, 2, date.month) ||
      !field(8, 2, date.day) || !date.IsValid()) {
    return {};
  }
  return date;
}

std::string_view DecisionRuleName(DecisionRule rule) {
  switch (rule) {
    case DecisionRule::kUnanimity:
      return "unanimity";
    case DecisionRule::kParity:
      return "parity";
    case DecisionRule::kQualifiedMajority:
      return "qmv";
    case DecisionRule::kMajority:
      return "majority";
  }
  return "unanimity";
}

std::optional<DecisionRule> ParseDecisionRule(std::string_view name) {
  for (DecisionRule rule :
       {DecisionRule::kUnanimity, DecisionRule::kParity,
        DecisionRule::kQualifiedMajority, DecisionRule::kMajority}) {
    if (DecisionRuleName(rule) == name) return rule;
  }
  return {};
}

namespace {

constexpr std::string_view kTimelineEventKindNames[] = {
    "proposed",    "negotiated", "agreed",    "signed",
    "measure_adopted", "implemented", "postponed", "deadline_moved",
    "dropped",     "shock"};

}  // namespace

std::string_view TimelineEventKindName(TimelineEventKind kind) {
  return kTimelineEventKindNames[static_cast<size_t>(kind)];
}

std::optional<TimelineEventKind> ParseTimelineEventKind(
    std::string_view name) {
  for (size_t k = 0; k < std::size(kTimelineEventKindNames); ++k) {
    if (kTimelineEventKindNames[k] == name)
      return static_cast<TimelineEventKind>(k);
  }
  return {};
}

std::string TimelineEventKindNames() {
  std::string out;
  for (std::string_view name : kTimelineEventKindNames)
    out += fmt::format("{}{}", out.empty() ? "" : ", ", name);
  return out;
}

int Scenario::FindActor(std::string_view id) const {
  for (size_t a = 0; a < actors.size(); ++a) {
    if (actors[a].id == id) return static_cast<int>(a);
  }
  return -1;
}

int Scenario::FindIssue(std::string_view id) const {
  for (size_t i = 0; i < issues.size(); ++i) {
    if (issues[i].id == id) return static_cast<int>(i);
  }
  return -1;
}

const Stance* Scenario::FindStance(int actor, int issue) const {
  US_CHECK(stance_index.size() == actors.size() * issues.size(),
           "FindStance on a scenario that did not go through "
           "ValidateScenario");
  US_CHECK(actor >= 0 && actor < static_cast<int>(actors.size()) &&
               issue >= 0 && issue < static_cast<int>(issues.size()),
           "actor or issue index out of range");
  int index = stance_index[static_cast<size_t>(actor) * issues.size() +
                           static_cast<size_t>(issue)];
  return index < 0 ? nullptr : &stances[static_cast<size_t>(index)];
}

double Scenario::CapabilityOf(const Stance& stance) const {
  if (stance.capability) return stance.capability->value;
  return actors[static_cast<size_t>(stance.actor)].capability.value;
}

std::vector<std::string> Scenario::Sides() const {
  std::vector<std::string> sides;
  for (const Actor& actor : actors) {
    if (actor.side.empty()) continue;
    bool seen = false;
    for (const std::string& side : sides) seen = seen || side == actor.side;
    if (!seen) sides.push_back(actor.side);
  }
  return sides;
}

std::vector<std::vector<int>> Scenario::Negotiations() const {
  std::vector<std::vector<int>> out;
  std::vector<bool> listed(issues.size(), false);
  for (const Dossier& dossier : dossiers) {
    std::vector<int> group = dossier.issues;
    std::sort(group.begin(), group.end());
    for (int i : group) listed[static_cast<size_t>(i)] = true;
    out.push_back(std::move(group));
  }
  std::vector<int> rest;
  for (size_t i = 0; i < issues.size(); ++i) {
    if (!listed[i]) rest.push_back(static_cast<int>(i));
  }
  if (!rest.empty()) out.push_back(std::move(rest));
  return out;
}

Scenario Scenario::Restricted(const std::vector<int>& kept) const {
  Scenario out;
  out.name = name;
  out.description = description;
  out.as_of = as_of;
  out.source = source;
  out.file = file;
  out.actors = actors;
  out.ideal_adjustments = ideal_adjustments;
  std::vector<int> to(issues.size(), -1);
  for (size_t k = 0; k < kept.size(); ++k) {
    to[static_cast<size_t>(kept[k])] = static_cast<int>(k);
    out.issues.push_back(issues[static_cast<size_t>(kept[k])]);
  }
  for (const Stance& stance : stances) {
    const int i = to[static_cast<size_t>(stance.issue)];
    if (i < 0) continue;
    out.stances.push_back(stance);
    out.stances.back().issue = i;
  }
  // Groups inside the kept issues, renumbered; others left out.
  auto inside = [&](const std::vector<int>& members, std::vector<int>* mapped) {
    for (int i : members) {
      if (to[static_cast<size_t>(i)] < 0) return false;
      mapped->push_back(to[static_cast<size_t>(i)]);
    }
    return true;
  };
  for (const Package& package : packages) {
    Package copy = package;
    copy.issues.clear();
    if (inside(package.issues, &copy.issues)) out.packages.push_back(copy);
  }
  for (const Dossier& dossier : dossiers) {
    Dossier copy = dossier;
    copy.issues.clear();
    if (inside(dossier.issues, &copy.issues)) out.dossiers.push_back(copy);
  }
  Result<Scenario> valid = ValidateScenario(std::move(out));
  US_CHECK(valid.has_value(),
           "a part of a valid scenario is valid: Restricted takes one of "
           "Negotiations()");
  return std::move(*valid);
}

namespace {

// Writes numbers the shortest way that reads back the same.
std::string Num(double x) { return fmt::format("{}", x); }

class Checker {
 public:
  explicit Checker(const Scenario& scenario) : s_(scenario) {}

  std::vector<Diagnostic> Run() {
    if (s_.name.empty())
      Add(Top(),
          "the scenario has no name; expected a non-empty `name` in "
          "[scenario]");
    if (s_.as_of && !s_.as_of->IsValid()) {
      Add(Top(), "as_of is not a real date; expected YYYY-MM-DD");
    }
    if (s_.actors.empty())
      Add(Top(),
          "the scenario has no actors; expected at least one [[actors]] table");
    if (s_.issues.empty())
      Add(Top(),
          "the scenario has no issues; expected at least one [[issues]] table");
    CheckCounts();
    CheckActors();
    CheckIssues();
    CheckStances();
    CheckPackages();
    CheckDossiers();
    CheckIdealAdjustments();
    CheckEvents();
    return std::move(diagnostics_);
  }

 private:
  SourceLocation Top() const { return {s_.file, 0, 0}; }

  void Add(const SourceLocation& where, std::string message) {
    diagnostics_.push_back({where, std::move(message)});
  }

  void CheckId(const std::string& id, const SourceLocation& where,
               std::string_view what,
               std::map<std::string, SourceLocation>& seen) {
    if (id.empty()) {
      Add(where,
          fmt::format("{} has an empty id; expected a non-empty text", what));
      return;
    }
    auto [it, inserted] = seen.emplace(id, where);
    if (!inserted) {
      Add(where, fmt::format("duplicate {} id \"{}\" (first defined at {}); "
                             "expected each id once",
                             what, id, it->second.ToString()));
    }
  }

  // A quantity that must lie in [lower, upper]; `what` names it.
  // `expected()` says what was expected; it is called only for a message
  // (formatting it for every valid quantity was most of the checks' cost).
  template <class Expected>
  void CheckRange(const Quantity& q, double lower, double upper,
                  std::string_view what, const Expected& expected) {
    if (!std::isfinite(q.value) || q.value < lower || q.value > upper) {
      Add(q.where,
          fmt::format("{} {} is outside {}; expected {}", what, Num(q.value),
                      fmt::format("[{}, {}]", Num(lower), Num(upper)),
                      expected()));
    }
    if (q.uncertainty) CheckUncertainty(q, lower, upper, what);
  }

  void CheckUncertainty(const Quantity& q, double lower, double upper,
                        std::string_view what) {
    const Uncertainty& u = *q.uncertainty;
    auto outside = [&](double x) {
      return !std::isfinite(x) || x < lower || x > upper;
    };
    // Formatted only for a message: most quantities have nothing wrong.
    auto range = [&] {
      return fmt::format("[{}, {}]", Num(lower), Num(upper));
    };
    switch (u.kind) {
      case Uncertainty::Kind::kNormal:
        if (!(u.sd > 0) || !std::isfinite(u.sd)) {
          Add(u.where, fmt::format("the normal distribution of {} has sd {}; "
                                   "expected a positive number",
                                   what, Num(u.sd)));
        }
        if (!(u.lower < u.upper) || outside(u.lower) || outside(u.upper)) {
          Add(u.where, fmt::format("the normal distribution of {} is cut to "
                                   "[{}, {}]; expected min < max inside {}",
                                   what, Num(u.lower), Num(u.upper), range()));
        } else if (q.value < u.lower || q.value > u.upper) {
          Add(u.where,
              fmt::format("the mean {} of {} lies outside its cut [{}, {}]; "
                          "expected a mean inside the cut",
                          Num(q.value), what, Num(u.lower), Num(u.upper)));
        }
        break;
      case Uncertainty::Kind::kUniform:
        if (!(u.lower < u.upper) || outside(u.lower) || outside(u.upper)) {
          Add(u.where, fmt::format("the uniform range of {} is [{}, {}]; "
                                   "expected min < max inside {}",
                                   what, Num(u.lower), Num(u.upper), range()));
        }
        break;
      case Uncertainty::Kind::kDiscrete: {
        if (u.values.empty()) {
          Add(u.where, fmt::format("the discrete set of {} is empty; expected "
                                   "at least one value",
                                   what));
        }
        for (double v : u.values) {
          if (outside(v)) {
            Add(u.where, fmt::format("the discrete set of {} holds {}, outside "
                                     "{}; expected values inside the range",
                                     what, Num(v), range()));
          }
        }
        if (!u.weights.empty()) {
          double total = 0;
          bool bad = u.weights.size() != u.values.size();
          for (double w : u.weights) {
            bad = bad || !(w >= 0) || !(w <= ScenarioLimits::kMaxWeight);
            total += w;
          }
          if (bad || !(total > 0)) {
            Add(u.where,
                fmt::format(
                    "the weights of the discrete set of {} are wrong; expected "
                    "one weight from 0 to {} per value, not all zero",
                    what, Num(ScenarioLimits::kMaxWeight)));
          }
        }
        break;
      }
    }
  }

  // The counts that size the index and the models' matrices.
  void CheckCounts() {
    using L = ScenarioLimits;
    const size_t actors = s_.actors.size();
    const size_t issues = s_.issues.size();
    if (actors > L::kMaxActors) {
      Add(Top(), fmt::format("the scenario has {} actors; expected at most {}",
                             actors, L::kMaxActors));
    }
    if (issues > L::kMaxIssues) {
      Add(Top(), fmt::format("the scenario has {} issues; expected at most {}",
                             issues, L::kMaxIssues));
    }
    // Both factors are bounded (or reported above), so the product is exact.
    if (actors <= L::kMaxActors && issues <= L::kMaxIssues &&
        actors * issues > L::kMaxCells) {
      Add(Top(), fmt::format("the scenario has {} actors and {} issues, {} "
                             "pairs; expected at most {} actor-issue pairs",
                             actors, issues, actors * issues, L::kMaxCells));
    }
  }

  void CheckCapability(const Quantity& capability) {
    CheckRange(capability, 0, ScenarioLimits::kMaxWeight, "capability", [] {
      return fmt::format("a number from 0 to {}",
                         Num(ScenarioLimits::kMaxWeight));
    });
  }

  void CheckActors() {
    std::map<std::string, SourceLocation> seen;
    for (const Actor& actor : s_.actors) {
      CheckId(actor.id, actor.where, "actor", seen);
      CheckCapability(actor.capability);
    }
  }

  // A scale every model can compute with: finite, ordered, within
  // +-kMaxMagnitude and wide enough for its positions to differ.
  bool ScaleOk(const Issue& issue) const {
    using L = ScenarioLimits;
    if (!std::isfinite(issue.min) || !std::isfinite(issue.max) ||
        !(issue.min < issue.max)) {
      return false;
    }
    const double magnitude = std::max(std::abs(issue.min), std::abs(issue.max));
    return magnitude <= L::kMaxMagnitude &&
           issue.max - issue.min >=
               L::kMinRelativeWidth * std::max(1.0, magnitude);
  }

  void CheckIssues() {
    std::map<std::string, SourceLocation> seen;
    for (const Issue& issue : s_.issues) {
      CheckId(issue.id, issue.where, "issue", seen);
      if (!std::isfinite(issue.min) || !std::isfinite(issue.max) ||
          !(issue.min < issue.max)) {
        Add(issue.where, fmt::format("issue \"{}\" has the scale [{}, {}]; "
                                     "expected finite min < max",
                                     issue.id, Num(issue.min), Num(issue.max)));
        continue;
      }
      if (!ScaleOk(issue)) {
        Add(issue.where,
            fmt::format("issue \"{}\" has the scale [{}, {}]; expected min "
                        "and max within +-{} and max - min at least {} times "
                        "the larger of 1, |min| and |max|",
                        issue.id, Num(issue.min), Num(issue.max),
                        Num(ScenarioLimits::kMaxMagnitude),
                        Num(ScenarioLimits::kMinRelativeWidth)));
        continue;
      }
      if (issue.status_quo) {
        CheckRange(*issue.status_quo, issue.min, issue.max, "status quo", [&] {
          return fmt::format("a value on the scale of issue \"{}\"", issue.id);
        });
      }
      if (issue.deadline && !issue.deadline->IsValid()) {
        Add(issue.where, "deadline is not a real date; expected YYYY-MM-DD");
      }
      if (issue.opened && issue.deadline && *issue.deadline < *issue.opened) {
        Add(issue.opened_where.line > 0 ? issue.opened_where : issue.where,
            fmt::format("issue \"{}\" opened {} after its deadline {}; "
                        "expected opened <= deadline",
                        issue.id, issue.opened->ToString(),
                        issue.deadline->ToString()));
      }
      if (issue.opened && s_.as_of && *s_.as_of < *issue.opened) {
        Add(issue.opened_where.line > 0 ? issue.opened_where : issue.where,
            fmt::format("issue \"{}\" opened {}, after as_of {}; expected "
                        "no date after as_of",
                        issue.id, issue.opened->ToString(),
                        s_.as_of->ToString()));
      }
      if (issue.measures && *issue.measures < 1) {
        Add(issue.measures_where.line > 0 ? issue.measures_where
                                          : issue.where,
            fmt::format("issue \"{}\" has measures = {}; expected an "
                        "integer >= 1",
                        issue.id, *issue.measures));
      }
    }
  }

  void CheckStances() {
    std::map<std::pair<int, int>, SourceLocation> seen;
    int n_actors = static_cast<int>(s_.actors.size());
    int n_issues = static_cast<int>(s_.issues.size());
    for (const Stance& stance : s_.stances) {
      if (stance.actor < 0 || stance.actor >= n_actors || stance.issue < 0 ||
          stance.issue >= n_issues) {
        Add(stance.where,
            "position refers to an actor or issue that does not exist");
        continue;
      }
      const Actor& actor = s_.actors[static_cast<size_t>(stance.actor)];
      const Issue& issue = s_.issues[static_cast<size_t>(stance.issue)];
      auto [it, inserted] =
          seen.emplace(std::pair(stance.actor, stance.issue), stance.where);
      if (!inserted) {
        Add(stance.where,
            fmt::format("duplicate position of actor \"{}\" on issue \"{}\" "
                        "(first at {}); expected one per actor and issue",
                        actor.id, issue.id, it->second.ToString()));
      }
      if (ScaleOk(issue)) {
        CheckRange(stance.position, issue.min, issue.max, "position", [&] {
          return fmt::format(
              "a value on the scale of issue \"{}\" ({} to {}{}{})", issue.id,
              Num(issue.min), Num(issue.max), issue.unit.empty() ? "" : " ",
              issue.unit);
        });
      }
      CheckRange(stance.salience, 0, 1, "salience",
                 [] { return std::string("a number from 0 to 1"); });
      if (stance.capability) CheckCapability(*stance.capability);
    }
  }

  void CheckPackages() {
    std::map<std::string, SourceLocation> seen;
    int n_issues = static_cast<int>(s_.issues.size());
    for (const Package& package : s_.packages) {
      CheckId(package.id, package.where, "package", seen);
      if (package.issues.size() < 2) {
        Add(package.where,
            fmt::format(
                "package \"{}\" links {} issue(s); expected at least two",
                package.id, package.issues.size()));
      }
      std::set<int> members;
      for (int issue : package.issues) {
        if (issue < 0 || issue >= n_issues) {
          Add(package.where, "package refers to an issue that does not exist");
        } else if (!members.insert(issue).second) {
          Add(package.where,
              fmt::format("package \"{}\" lists issue \"{}\" twice; expected "
                          "each issue once",
                          package.id,
                          s_.issues[static_cast<size_t>(issue)].id));
        }
      }
    }
  }

  // Ids unique, real issues, each issue in at most one dossier, and no
  // package linking issues of two negotiations.
  void CheckDossiers() {
    std::map<std::string, SourceLocation> seen;
    const int n_issues = static_cast<int>(s_.issues.size());
    std::vector<int> dossier_of(s_.issues.size(), -1);
    for (size_t d = 0; d < s_.dossiers.size(); ++d) {
      const Dossier& dossier = s_.dossiers[d];
      CheckId(dossier.id, dossier.where, "dossier", seen);
      if (dossier.issues.empty()) {
        Add(dossier.where,
            fmt::format("dossier \"{}\" lists no issue; expected at least one",
                        dossier.id));
      }
      for (int issue : dossier.issues) {
        if (issue < 0 || issue >= n_issues) {
          Add(dossier.where, "dossier refers to an issue that does not exist");
          continue;
        }
        int& owner = dossier_of[static_cast<size_t>(issue)];
        if (owner >= 0) {
          Add(dossier.where,
              fmt::format("issue \"{}\" is in dossier \"{}\" and in \"{}\"; "
                          "expected each issue in at most one dossier",
                          s_.issues[static_cast<size_t>(issue)].id,
                          s_.dossiers[static_cast<size_t>(owner)].id,
                          dossier.id));
          continue;
        }
        owner = static_cast<int>(d);
      }
    }
    if (s_.dossiers.empty()) return;
    for (const Package& package : s_.packages) {
      std::set<int> negotiations;  // -1: the issues no dossier lists
      for (int issue : package.issues) {
        if (issue >= 0 && issue < n_issues)
          negotiations.insert(dossier_of[static_cast<size_t>(issue)]);
      }
      if (negotiations.size() > 1) {
        Add(package.where,
            fmt::format("package \"{}\" links issues of different dossiers; "
                        "expected the issues of one dossier (a package is "
                        "bargained inside one negotiation)",
                        package.id));
      }
    }
  }

  // Rates in [0, 1], real actors, each pair once, and every actor's rates
  // (its own defaulting to 1 when not given) summing to at most 1.
  void CheckIdealAdjustments() {
    const int n = static_cast<int>(s_.actors.size());
    std::map<std::pair<int, int>, double> rate;
    for (const IdealAdjustment& a : s_.ideal_adjustments) {
      if (a.actor < 0 || a.actor >= n || a.reference < 0 || a.reference >= n) {
        Add(a.where, "ideal adjustment refers to an actor that does not exist");
        continue;
      }
      if (!(a.rate >= 0 && a.rate <= 1)) {
        Add(a.where, fmt::format("ideal adjustment rate is {}; expected a "
                                 "number from 0 to 1",
                                 Num(a.rate)));
        continue;
      }
      if (!rate.emplace(std::pair(a.actor, a.reference), a.rate).second) {
        Add(a.where,
            fmt::format("ideal adjustment of \"{}\" toward \"{}\" is given "
                        "twice; expected each pair once",
                        s_.actors[static_cast<size_t>(a.actor)].id,
                        s_.actors[static_cast<size_t>(a.reference)].id));
      }
    }
    for (int i = 0; i < n; ++i) {
      double total = 0;
      const SourceLocation* where = nullptr;
      bool any = false;
      for (const IdealAdjustment& a : s_.ideal_adjustments) {
        if (a.actor == i) {
          any = true;
          where = &a.where;
        }
      }
      if (!any) continue;
      auto own = rate.find(std::pair(i, i));
      total = own == rate.end() ? 1.0 : 0.0;
      for (const auto& [pair, r] : rate) {
        if (pair.first == i) total += r;
      }
      if (total > 1 + 1e-10) {
        Add(*where,
            fmt::format("the ideal adjustments of actor \"{}\" sum to {} "
                        "(its own rate is 1 unless given); expected at most 1",
                        s_.actors[static_cast<size_t>(i)].id, Num(total)));
      }
    }
  }

  // Events name real issues, carry values on the issue's scale and counts
  // >= 1, and never postdate as_of (no look-ahead).
  void CheckEvents() {
    const int n_issues = static_cast<int>(s_.issues.size());
    for (const TimelineEvent& e : s_.events) {
      if (!e.date.IsValid()) {
        Add(e.where, "event date is not a real date; expected YYYY-MM-DD");
        continue;
      }
      if (s_.as_of && *s_.as_of < e.date) {
        Add(e.where,
            fmt::format("event dated {} is after the scenario's as_of {}; "
                        "expected no event after as_of (no look-ahead)",
                        e.date.ToString(), s_.as_of->ToString()));
      }
      if (e.issue >= n_issues || e.issue < -1) {
        Add(e.where, "event refers to an issue that does not exist");
        continue;
      }
      if (e.count < 1) {
        Add(e.where, fmt::format("event count is {}; expected an integer >= 1",
                                 e.count));
      }
      if (e.value) {
        if (e.issue < 0) {
          Add(e.where,
              "event has a value but no issue; expected `issue` with it");
        } else {
          const Issue& issue = s_.issues[static_cast<size_t>(e.issue)];
          if (!std::isfinite(*e.value) || *e.value < issue.min ||
              *e.value > issue.max) {
            Add(e.where,
                fmt::format("event value {} is outside the scale [{}, {}] of "
                            "issue \"{}\"; expected a value on the scale",
                            Num(*e.value), Num(issue.min), Num(issue.max),
                            issue.id));
          }
        }
      }
    }
  }

  const Scenario& s_;
  std::vector<Diagnostic> diagnostics_;
};

}  // namespace

std::vector<Diagnostic> CheckScenario(const Scenario& scenario) {
  return Checker(scenario).Run();
}

Result<Scenario> ValidateScenario(Scenario scenario) {
  std::vector<Diagnostic> diagnostics = CheckScenario(scenario);
  if (!diagnostics.empty()) {
    return std::unexpected(
        Error(ErrorKind::kInvalidInput, std::move(diagnostics)));
  }
  scenario.stance_index.assign(scenario.actors.size() * scenario.issues.size(),
                               -1);
  for (size_t k = 0; k < scenario.stances.size(); ++k) {
    const Stance& stance = scenario.stances[k];
    scenario.stance_index[static_cast<size_t>(stance.actor) *
                              scenario.issues.size() +
                          static_cast<size_t>(stance.issue)] =
        static_cast<int>(k);
  }
  return scenario;
}

}  // namespace unionstate
