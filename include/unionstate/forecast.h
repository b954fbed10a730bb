#ifndef UNIONSTATE_FORECAST_H_
#define UNIONSTATE_FORECAST_H_

// What one model run says: per issue the forecast outcome, whether it is an
// agreement, and who blocks; per round every actor's position and whatever
// else the model reports (risk exponents, offers, exchanges, win
// probabilities). docs/output-format.md is the JSON form of this struct and a
// documented contract.
//
// Matrices indexed by actor and issue are flat, row-major by actor:
// values[a * issues + i]. NaN marks "no value" (an actor with no position on
// an issue); the JSON leaves such entries out.

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "unionstate/parameters.h"

namespace unionstate {

// Whether the rounds of an iterative model (bdm, smp, exchange) came to rest
// on an issue (docs/output-format.md, "Convergence"). The state compared from
// round to round is every actor's position on the issue and the model's
// per-round outcome, equal within 1e-9 of the issue's scale.
struct Convergence {
  enum class Status {
    kNotIterated,  // a model without rounds, or none played (no JSON field)
    kConverged,    // from `round` on nothing moved, or the model's own stop
                   // rule ended the play at `round`
    kCycle,        // from `round` on the same `period` (>= 2) states repeat:
                   // the outcome depends on where the rounds stopped
    kUnsettled,    // still moving at the last round, and no repetition
  };
  Status status = Status::kNotIterated;
  int round = 0;   // kConverged: where it came to rest; kCycle: the cycle's
                   // first round; kUnsettled: the last round played
  int period = 0;  // kCycle only
  // kCycle only: the least and greatest outcome over one period, the range
  // the forecast swings across.
  double low = 0;
  double high = 0;
};

// "converged", "cycle", "unsettled" ("" for kNotIterated).
const char* ConvergenceStatusName(Convergence::Status status);

struct IssueForecast {
  int issue = -1;      // index into Scenario::issues
  double outcome = 0;  // on the issue's own scale
  // True when the forecast moves the issue away from its status quo (or, for
  // an issue without a status quo, when the model reaches an outcome at all).
  bool agreement = false;
  // Ids of the actors or sides whose veto keeps the status quo in place;
  // empty when nobody blocks.
  std::vector<std::string> blocking;
  Convergence convergence;
};

// A named value per (actor, issue), per actor or per issue, for one round.
struct ActorIssueValues {
  std::string name;            // JSON key, e.g. "risk_exponent"
  std::vector<double> values;  // actors * issues, NaN = none
};
struct ActorValues {
  std::string name;            // e.g. "win_probability"
  std::vector<double> values;  // one per actor
};
struct IssueValues {
  std::string name;            // e.g. "weighted_mean"
  std::vector<double> values;  // one per issue
};

// Something that happened in a round: an offer, an exchange. Fields are
// written to JSON in order; each model documents its kinds and fields.
struct Event {
  using Value = std::variant<double, std::int64_t, std::string, bool>;
  std::string kind;
  std::vector<std::pair<std::string, Value>> fields;
};

struct Round {
  int round = 0;                  // 0 is the input
  std::vector<double> positions;  // actors * issues, NaN = no stance
  std::vector<ActorIssueValues> actor_issue_values;
  std::vector<ActorValues> actor_values;
  std::vector<IssueValues> issue_values;
  std::vector<Event> events;
};

struct Forecast {
  std::string scenario;  // Scenario::name
  std::string model;     // short name
  Parameters parameters;
  std::uint64_t seed = 0;
  std::vector<IssueForecast> issues;  // one per scenario issue, in order
  std::vector<Round> rounds;          // at least round 0
};

}  // namespace unionstate

#endif  // UNIONSTATE_FORECAST_H_
