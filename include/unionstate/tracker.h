#ifndef UNIONSTATE_TRACKER_H_
#define UNIONSTATE_TRACKER_H_

// The programme tracker: where each issue (a programme, a price, a treaty)
// stands on a date, read from the scenario's dated event log `[[events]]`
// (docs/scenario-format.md, "Events"), its deadline and how late it is, the
// implementation index, and what changed since an earlier date.
// `unionstate track` prints it (docs/cli.md).
//
// An issue's state on date D is the result of its events dated on or before
// D, in date order (the log is sorted; one day's events in file order):
//
//   event kind              state afterwards
//   (none)                  not_started, or negotiating once `opened` <= D
//   proposed, negotiated    negotiating
//   agreed, signed          agreed
//   measure_adopted         implementing, or implemented once every one of
//                           the issue's `measures` is adopted
//   implemented             implemented
//   postponed               postponed (a later event moves it on)
//   dropped                 dropped
//   deadline_moved, shock   unchanged (deadline_moved and postponed with a
//                           new_deadline replace the deadline)
//
// An issue is delivered when implemented, or, for an issue without
// `measures`, when agreed. It is late when its (latest) deadline is before D
// and it is neither delivered nor dropped; `days_late` counts from the
// deadline to D.
//
// Implementation index: the share of measures adopted, over the issues that
// give `measures`, and the share of issues delivered, over the issues not
// dropped.
//
// The log only knows what happened up to the scenario's as_of; a later D
// reports the states as last known (TrackReport::events_known_to says so).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "unionstate/scenario.h"
#include "unionstate/status.h"

namespace unionstate {

enum class ProgrammeState {
  kNotStarted,
  kNegotiating,
  kAgreed,
  kImplementing,
  kImplemented,
  kPostponed,
  kDropped,
};

// "not_started", "negotiating", "agreed", "implementing", "implemented",
// "postponed", "dropped".
std::string_view ProgrammeStateName(ProgrammeState state);

struct ProgrammeStatus {
  int issue = -1;  // index into Scenario::issues
  ProgrammeState state = ProgrammeState::kNotStarted;
  std::optional<Date> deadline;  // the latest, after moves up to the date
  std::optional<int> days_late;  // late issues only
  bool delivered = false;
  std::optional<int> measures;     // the issue's `measures`
  int measures_done = 0;           // adopted by the date, at most measures
  std::optional<Date> last_event;  // the date of its last event by then
};

// One issue whose state differs between `since` and the report's date.
struct StateChange {
  int issue = -1;
  ProgrammeState from = ProgrammeState::kNotStarted;
  ProgrammeState to = ProgrammeState::kNotStarted;
};

struct TrackReport {
  Date as_of;                               // the date reported on
  std::optional<Date> since;                // the earlier date, when asked
  std::optional<Date> events_known_to;      // the scenario's as_of
  std::vector<ProgrammeStatus> programmes;  // one per issue, in order
  int measures_total = 0;                   // over issues with `measures`
  int measures_done = 0;
  std::optional<double> measures_share;  // done / total; none without any
  int programmes_counted = 0;            // issues not dropped
  int programmes_delivered = 0;
  std::optional<double> programmes_share;  // delivered / counted
  std::vector<TimelineEvent> changes;      // events in (since, as_of]
  std::vector<StateChange> state_changes;  // states that differ
};

struct TrackOptions {
  std::optional<Date> as_of;  // default: the scenario's as_of
  std::optional<Date> since;  // REQUIRES: not after as_of
};

// The report. Fails with kInvalidArgument when there is no date to report
// on (neither options.as_of nor the scenario's as_of) or since > as_of.
Result<TrackReport> TrackProgrammes(const Scenario& scenario,
                                    const TrackOptions& options);

// JSON (docs/cli.md, "track") and a table for people.
std::string TrackReportToJson(const Scenario& scenario,
                              const TrackReport& report);
std::string TrackReportToTable(const Scenario& scenario,
                               const TrackReport& report);

}  // namespace unionstate

#endif  // UNIONSTATE_TRACKER_H_
