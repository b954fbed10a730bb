#ifndef UNIONSTATE_SCENARIO_H_
#define UNIONSTATE_SCENARIO_H_

// A negotiation as data: who takes part, what is decided, who wants what and
// how much they care. A Scenario is a plain value; models read it and never
// change it. docs/scenario-format.md specifies the TOML form analysts write;
// scenario_io.h loads it (and the tables of other tools) into this struct.
//
// Vocabulary (the field's, kept so scenarios stay interchangeable):
//   actor       someone who takes part: a state, a ministry, a company.
//   side        the state or camp an actor belongs to ("russia", "belarus").
//   capability  how much an actor can bring to bear (power, clout), >= 0.
//   issue       one decision on a one-dimensional scale [min, max] in `unit`.
//   position    the outcome an actor wants on an issue, inside the scale.
//   salience    how much the issue matters to the actor, in [0, 1].
//   status quo  the outcome if no agreement is reached (disagreement point).
//   rule        who can block a decision on the issue (DecisionRule).
//
// Every number an analyst writes is a Quantity and may carry the source it
// was taken from; a table's `source` covers the values in it that have none.

#include <compare>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "unionstate/status.h"

namespace unionstate {

// A calendar date (proleptic Gregorian), as TOML writes it: 2019-12-07.
struct Date {
  int year = 0;
  int month = 0;  // 1..12
  int day = 0;    // 1..31

  // "YYYY-MM-DD".
  std::string ToString() const;
  // Parses "YYYY-MM-DD"; nullopt unless it is a real date.
  static std::optional<Date> Parse(std::string_view text);
  // True when year, month and day form a real date.
  bool IsValid() const;

  auto operator<=>(const Date&) const = default;
};

// How an input is uncertain (docs/scenario-format.md, "Uncertainty"). A
// Quantity without one is known exactly. Draws come from ensemble.h.
struct Uncertainty {
  enum class Kind {
    kNormal,    // N(mean = the Quantity's value, sd), cut to [lower, upper]
    kUniform,   // U(lower, upper)
    kDiscrete,  // one of `values`, with `weights` (equal when empty)
  };
  Kind kind = Kind::kNormal;
  double sd = 0;
  double lower = 0;  // kNormal: truncation bounds; kUniform: the range
  double upper = 0;
  std::vector<double> values;   // kDiscrete only
  std::vector<double> weights;  // kDiscrete only; same length, or empty
  SourceLocation where;
};

// An optional value kept on the heap: the size of a pointer, where
// std::optional holds room for the value whether there is one or not. Reads
// as std::optional does (has_value, bool, *, ->, = value, = std::nullopt);
// copies copy the value.
template <class T>
class Boxed {
 public:
  Boxed() = default;
  Boxed(std::nullopt_t) {}  // NOLINT: as std::optional converts
  Boxed(T value)            // NOLINT: as std::optional converts
      : value_(std::make_unique<T>(std::move(value))) {}
  Boxed(const Boxed& other)
      : value_(other.value_ ? std::make_unique<T>(*other.value_) : nullptr) {}
  Boxed(Boxed&&) noexcept = default;
  Boxed& operator=(const Boxed& other) {
    if (this != &other) {
      value_ = other.value_ ? std::make_unique<T>(*other.value_) : nullptr;
    }
    return *this;
  }
  Boxed& operator=(Boxed&&) noexcept = default;
  Boxed& operator=(T value) {
    value_ = std::make_unique<T>(std::move(value));
    return *this;
  }
  Boxed& operator=(std::nullopt_t) {
    value_.reset();
    return *this;
  }

  bool has_value() const { return value_ != nullptr; }
  explicit operator bool() const { return has_value(); }
  // REQUIRES: has_value().
  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }
  T* operator->() { return value_.get(); }
  const T* operator->() const { return value_.get(); }
  void reset() { value_.reset(); }

 private:
  std::unique_ptr<T> value_;
};

// A number an analyst wrote, with where it came from.
struct Quantity {
  double value = 0;
  std::string source;  // citation; empty: the enclosing table's source
  SourceLocation where;
  // Most numbers have none: boxed, a Quantity is 88 bytes rather than 208,
  // and a scenario's stances (three quantities each) half the memory,
  // whose first touch is a page fault (bench/README.md).
  Boxed<Uncertainty> uncertainty;
};

// Who can block a decision on an issue.
enum class DecisionRule {
  kUnanimity,          // every actor holds a veto
  kParity,             // each side holds a veto (the 1999 Union State treaty)
  kQualifiedMajority,  // no single actor can block (e.g. EU Council QMV)
  kMajority,           // no single actor can block
};

// "unanimity", "parity", "qmv", "majority".
std::string_view DecisionRuleName(DecisionRule rule);
std::optional<DecisionRule> ParseDecisionRule(std::string_view name);

struct Actor {
  std::string id;    // unique, used to refer to the actor
  std::string name;  // for people
  std::string side;  // the state or camp; may be empty
  Quantity capability;
  // True when this actor can block any decision on its own (a head of state
  // under parity, say). Under kUnanimity every actor can.
  bool veto = false;
  std::string description;
  std::string source;
  SourceLocation where;
};

struct Issue {
  std::string id;
  std::string name;
  std::string description;
  std::string unit;  // e.g. "USD per 1000 m3", "integration depth 0-100"
  double min = 0;
  double max = 100;
  std::optional<Quantity> status_quo;
  std::optional<Date> deadline;
  // When bargaining on the issue began; when both are given, opened <=
  // deadline. Time forecasts (time_forecast.h) count elapsed time from it.
  std::optional<Date> opened;
  // How many implementation measures the programme lists, >= 1, when known.
  std::optional<int> measures;
  SourceLocation opened_where;    // where `opened` was written
  SourceLocation measures_where;  // where `measures` was written
  DecisionRule rule = DecisionRule::kUnanimity;
  // What actually happened, when the input carries it (the DEU table's
  // outcome column). Models never read it; evaluation does.
  std::optional<double> observed;
  std::string source;
  SourceLocation where;
};

// One actor's stance on one issue.
struct Stance {
  int actor = -1;  // index into Scenario::actors
  int issue = -1;  // index into Scenario::issues
  Quantity position;
  Quantity salience;
  // Overrides the actor's capability on this issue only (decide's per-issue
  // power; procedure-dependent weights).
  std::optional<Quantity> capability;
  std::string source;
  SourceLocation where;
};

// Issues that are bargained jointly, so a side can concede on one to gain on
// another (the parity model; the energy bargain tied to integration).
struct Package {
  std::string id;
  std::string name;
  std::vector<int> issues;  // indices into Scenario::issues
  std::string source;
  SourceLocation where;
};

// A separate negotiation: the issues bargained together (an EU proposal, one
// treaty). Multi-issue models (exchange, smp) trade and bargain inside a
// dossier only, never across two; a package links issues of one dossier.
// Issues no dossier lists form one negotiation together, so a scenario
// without dossiers is one negotiation, as before (docs/scenario-format.md,
// "Dossiers").
struct Dossier {
  std::string id;
  std::string name;
  std::vector<int> issues;  // indices into Scenario::issues
  std::string source;
  SourceLocation where;
};

// How an actor's ideal point follows positions from one round to the next
// (KTAB's accommodation matrix, "IdealAdjustment" in its XML): after each
// round, actor's ideal becomes sum_r rate(actor, r) * position(r) plus
// (1 - sum_r rate(actor, r)) times its old ideal. Without entries an actor's
// rate toward itself is 1 (its ideal is its position); the rates of one
// actor sum to at most 1. Used by the smp model.
struct IdealAdjustment {
  int actor = -1;      // index into Scenario::actors: whose ideal moves
  int reference = -1;  // index into Scenario::actors: toward whose position
  double rate = 0;     // in [0, 1]
  SourceLocation where;
};

// What can happen to an issue (or to the whole negotiation) on a date, in
// the event log `[[events]]` (docs/scenario-format.md, "Events").
enum class TimelineEventKind {
  kProposed,
  kNegotiated,
  kAgreed,
  kSigned,
  kMeasureAdopted,
  kImplemented,
  kPostponed,
  kDeadlineMoved,
  kDropped,
  kShock,
};

// "proposed", "negotiated", "agreed", "signed", "measure_adopted",
// "implemented", "postponed", "deadline_moved", "dropped", "shock".
std::string_view TimelineEventKindName(TimelineEventKind kind);
std::optional<TimelineEventKind> ParseTimelineEventKind(std::string_view name);
// Every kind's name, in the order above (for messages that list them).
std::string TimelineEventKindNames();

// One dated entry of the event log. Loaders keep the log sorted by date
// (stably, so entries of one day keep the order they were written in).
struct TimelineEvent {
  Date date;
  int issue = -1;  // index into Scenario::issues; -1: the whole negotiation
  TimelineEventKind kind = TimelineEventKind::kNegotiated;
  std::optional<Date> new_deadline;  // deadline_moved, postponed
  std::optional<double> value;       // a new value on the issue's scale
  int count = 1;                     // measure_adopted: measures adopted, >= 1
  std::string note;
  std::string source;
  SourceLocation where;
};

struct Scenario {
  std::string name;
  std::string description;
  std::optional<Date> as_of;  // nothing in the scenario may postdate it
  std::string source;
  std::string file;  // where it was loaded from ("" when built in code)

  std::vector<Actor> actors;
  std::vector<Issue> issues;
  std::vector<Stance> stances;  // at most one per (actor, issue)
  std::vector<Package> packages;
  std::vector<IdealAdjustment> ideal_adjustments;
  std::vector<Dossier> dossiers;  // each issue in at most one
  std::vector<TimelineEvent> events;  // sorted by date

  // The reference class of past deadlines time forecasts estimate their
  // baseline from (`[scenario] reference_class`, a CSV path relative to the
  // scenario file; time_forecast.h reads it). Empty: none.
  std::string reference_class;
  SourceLocation reference_class_where;

  // Index of the actor / issue with this id, or -1.
  int FindActor(std::string_view id) const;
  int FindIssue(std::string_view id) const;

  // The stance of `actor` on `issue`, or null when the actor takes no
  // position on it. REQUIRES: the scenario came out of ValidateScenario.
  const Stance* FindStance(int actor, int issue) const;

  // The capability that counts for this stance: its own, else its actor's.
  double CapabilityOf(const Stance& stance) const;

  // The separate negotiations: the issues of each dossier in dossier order,
  // then, if any are left, the issues no dossier lists; each group in issue
  // order. One group holding every issue when there are no dossiers.
  std::vector<std::vector<int>> Negotiations() const;

  // The scenario restricted to `issues` (indices, in the order given): every
  // actor, the stances, packages and dossiers on those issues, the ideal
  // adjustments. REQUIRES: this came out of ValidateScenario; `issues` is
  // one of Negotiations(). The result is validated (stance_index built).
  Scenario Restricted(const std::vector<int>& issues) const;

  // The distinct non-empty sides, in order of first appearance.
  std::vector<std::string> Sides() const;

  // Filled by ValidateScenario: stance_index[a * issues.size() + i] is the
  // index into `stances` of actor a's stance on issue i, or -1.
  std::vector<int> stance_index;
};

// The limits every scenario keeps (docs/scenario-format.md, "Limits").
// They keep each model's arithmetic finite and its memory bounded: a file
// that validates cannot drive a model into NaN, overflow or a failed check.
struct ScenarioLimits {
  // Counts. Importers check the counts a file announces against these
  // before anything is sized by them.
  static constexpr std::size_t kMaxActors = 10'000;
  static constexpr std::size_t kMaxIssues = 10'000;
  // actors x issues: the lookup index and the models' actor-by-issue
  // matrices are dense.
  static constexpr std::size_t kMaxCells = 1'000'000;
  // |min| and |max| of a scale; positions and status quo lie inside it.
  static constexpr double kMaxMagnitude = 1e12;
  // max - min >= kMinRelativeWidth * max(1, |min|, |max|): positions on
  // the scale stay distinguishable, and squared widths stay normal numbers.
  static constexpr double kMinRelativeWidth = 1e-9;
  // Capabilities (an actor's, a position's own) and discrete weights.
  static constexpr double kMaxWeight = 1e12;
};

// Every rule of docs/scenario-format.md that a parsed scenario can break:
// ids present and unique, scales with min < max, values inside their ranges
// (position and status quo inside [min, max], salience in [0, 1], capability
// >= 0 and finite), at most one stance per actor and issue, dates real and
// not after as_of, opened <= deadline, measures >= 1, events on real issues
// with values on the issue's scale and counts >= 1, no event after as_of (the
// no-look-ahead rule), and the ScenarioLimits. One Diagnostic per mistake,
// located where the value was
// written. Empty when the scenario is sound.
std::vector<Diagnostic> CheckScenario(const Scenario& scenario);

// CheckScenario, then builds the lookup index. Fails with kInvalidInput and
// every diagnostic.
Result<Scenario> ValidateScenario(Scenario scenario);

}  // namespace unionstate

#endif  // UNIONSTATE_SCENARIO_H_
