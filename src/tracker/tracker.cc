#include "unionstate/tracker.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "unionstate/calendar.h"

namespace unionstate {
namespace {

// Every issue's status on `date`.
std::vector<ProgrammeStatus> StatusOn(const Scenario& scenario,
                                      const Date& date) {
  std::vector<ProgrammeStatus> out(scenario.issues.size());
  for (size_t i = 0; i < scenario.issues.size(); ++i) {
    const Issue& issue = scenario.issues[i];
    ProgrammeStatus& p = out[i];
    p.issue = static_cast<int>(i);
    p.deadline = issue.deadline;
    p.measures = issue.measures;
    if (issue.opened && !(date < *issue.opened))
      p.state = ProgrammeState::kNegotiating;
  }
  for (const TimelineEvent& e : scenario.events) {
    if (date < e.date) break;  // sorted by date
    if (e.issue < 0) continue;
    ProgrammeStatus& p = out[static_cast<size_t>(e.issue)];
    p.last_event = e.date;
    if (e.new_deadline) p.deadline = e.new_deadline;
    switch (e.kind) {
      case TimelineEventKind::kProposed:
      case TimelineEventKind::kNegotiated:
        p.state = ProgrammeState::kNegotiating;
        break;
      case TimelineEventKind::kAgreed:
      case TimelineEventKind::kSigned:
        p.state = ProgrammeState::kAgreed;
        break;
      case TimelineEventKind::kMeasureAdopted:
        p.measures_done += e.count;
        p.state = p.measures && p.measures_done >= *p.measures
                      ? ProgrammeState::kImplemented
                      : ProgrammeState::kImplementing;
        break;
      case TimelineEventKind::kImplemented:
        p.state = ProgrammeState::kImplemented;
        if (p.measures) p.measures_done = *p.measures;
        break;
      case TimelineEventKind::kPostponed:
        p.state = ProgrammeState::kPostponed;
        break;
      case TimelineEventKind::kDropped:
        p.state = ProgrammeState::kDropped;
        break;
      case TimelineEventKind::kDeadlineMoved:
      case TimelineEventKind::kShock:
        break;
    }
  }
  for (ProgrammeStatus& p : out) {
    if (p.measures) p.measures_done = std::min(p.measures_done, *p.measures);
    p.delivered = p.state == ProgrammeState::kImplemented ||
                  (!p.measures && p.state == ProgrammeState::kAgreed);
    if (p.deadline && *p.deadline < date && !p.delivered &&
        p.state != ProgrammeState::kDropped) {
      p.days_late = static_cast<int>(DaysBetween(*p.deadline, date));
    }
  }
  return out;
}

}  // namespace

std::string_view ProgrammeStateName(ProgrammeState state) {
  switch (state) {
    case ProgrammeState::kNotStarted:
      return "not_started";
    case ProgrammeState::kNegotiating:
      return "negotiating";
    case ProgrammeState::kAgreed:
      return "agreed";
    case ProgrammeState::kImplementing:
      return "implementing";
    case ProgrammeState::kImplemented:
      return "implemented";
    case ProgrammeState::kPostponed:
      return "postponed";
    case ProgrammeState::kDropped:
      return "dropped";
  }
  return "not_started";
}

Result<TrackReport> TrackProgrammes(const Scenario& scenario,
                                    const TrackOptions& options) {
  std::optional<Date> as_of = options.as_of ? options.as_of : scenario.as_of;
  if (!as_of) {
    return InvalidArgument(
        "the scenario has no as_of date; expected --as-of YYYY-MM-DD");
  }
  if (options.since && *as_of < *options.since) {
    return InvalidArgument(fmt::format(
        "--since {} is after the date reported on, {}; expected an earlier "
        "date",
        options.since->ToString(), as_of->ToString()));
  }
  TrackReport report;
  report.as_of = *as_of;
  report.since = options.since;
  report.events_known_to = scenario.as_of;
  report.programmes = StatusOn(scenario, *as_of);
  for (const ProgrammeStatus& p : report.programmes) {
    if (p.measures) {
      report.measures_total += *p.measures;
      report.measures_done += p.measures_done;
    }
    if (p.state != ProgrammeState::kDropped) {
      ++report.programmes_counted;
      report.programmes_delivered += p.delivered ? 1 : 0;
    }
  }
  if (report.measures_total > 0) {
    report.measures_share =
        static_cast<double>(report.measures_done) / report.measures_total;
  }
  if (report.programmes_counted > 0) {
    report.programmes_share = static_cast<double>(report.programmes_delivered) /
                              report.programmes_counted;
  }
  if (options.since) {
    for (const TimelineEvent& e : scenario.events) {
      if (*options.since < e.date && !(*as_of < e.date))
        report.changes.push_back(e);
    }
    std::vector<ProgrammeStatus> before = StatusOn(scenario, *options.since);
    for (size_t i = 0; i < before.size(); ++i) {
      if (before[i].state != report.programmes[i].state) {
        report.state_changes.push_back(
            {static_cast<int>(i), before[i].state, report.programmes[i].state});
      }
    }
  }
  return report;
}

namespace {

using json = nlohmann::ordered_json;

std::string IssueId(const Scenario& scenario, int issue) {
  return issue < 0 ? std::string()
                   : scenario.issues[static_cast<size_t>(issue)].id;
}

}  // namespace

std::string TrackReportToJson(const Scenario& scenario,
                              const TrackReport& report) {
  json out;
  out["scenario"] = scenario.name;
  out["as_of"] = report.as_of.ToString();
  out["since"] = report.since ? json(report.since->ToString()) : json(nullptr);
  out["events_known_to"] = report.events_known_to
                               ? json(report.events_known_to->ToString())
                               : json(nullptr);
  json programmes = json::array();
  for (const ProgrammeStatus& p : report.programmes) {
    const Issue& issue = scenario.issues[static_cast<size_t>(p.issue)];
    json entry;
    entry["id"] = issue.id;
    entry["name"] = issue.name;
    entry["state"] = ProgrammeStateName(p.state);
    entry["delivered"] = p.delivered;
    entry["deadline"] =
        p.deadline ? json(p.deadline->ToString()) : json(nullptr);
    entry["days_late"] = p.days_late ? json(*p.days_late) : json(nullptr);
    entry["measures"] = p.measures ? json(*p.measures) : json(nullptr);
    entry["measures_done"] = p.measures_done;
    entry["last_event"] =
        p.last_event ? json(p.last_event->ToString()) : json(nullptr);
    programmes.push_back(std::move(entry));
  }
  out["programmes"] = std::move(programmes);
  json index;
  index["measures_done"] = report.measures_done;
  index["measures_total"] = report.measures_total;
  index["measures_share"] =
      report.measures_share ? json(*report.measures_share) : json(nullptr);
  index["programmes_delivered"] = report.programmes_delivered;
  index["programmes_counted"] = report.programmes_counted;
  index["programmes_share"] =
      report.programmes_share ? json(*report.programmes_share) : json(nullptr);
  out["implementation_index"] = std::move(index);
  if (report.since) {
    json changes = json::array();
    for (const TimelineEvent& e : report.changes) {
      json c;
      c["date"] = e.date.ToString();
      c["issue"] =
          e.issue < 0 ? json(nullptr) : json(IssueId(scenario, e.issue));
      c["kind"] = TimelineEventKindName(e.kind);
      if (e.new_deadline) c["new_deadline"] = e.new_deadline->ToString();
      if (e.value) c["value"] = *e.value;
      if (e.kind == TimelineEventKind::kMeasureAdopted) c["count"] = e.count;
      c["note"] = e.note;
      c["source"] = e.source;
      changes.push_back(std::move(c));
    }
    out["changes"] = std::move(changes);
    json states = json::array();
    for (const StateChange& c : report.state_changes) {
      states.push_back({{"id", IssueId(scenario, c.issue)},
                        {"from", ProgrammeStateName(c.from)},
                        {"to", ProgrammeStateName(c.to)}});
    }
    out["state_changes"] = std::move(states);
  }
  return out.dump(2) + "\n";
}

std::string TrackReportToTable(const Scenario& scenario,
                               const TrackReport& report) {
  std::string out = fmt::format("Scenario: {}\nAs of:    {}", scenario.name,
                                report.as_of.ToString());
  if (report.events_known_to && *report.events_known_to < report.as_of) {
    out += fmt::format(" (events known up to {})",
                       report.events_known_to->ToString());
  }
  out += "\n\n";
  size_t width = 5;
  for (const Issue& issue : scenario.issues)
    width = std::max(width, issue.id.size());
  out +=
      fmt::format("{:<{}}  {:<12}  {:<10}  {:>9}  {:>8}  {}\n", "issue", width,
                  "state", "deadline", "days late", "measures", "last event");
  for (const ProgrammeStatus& p : report.programmes) {
    out += fmt::format(
        "{:<{}}  {:<12}  {:<10}  {:>9}  {:>8}  {}\n",
        IssueId(scenario, p.issue), width, ProgrammeStateName(p.state),
        p.deadline ? p.deadline->ToString() : "-",
        p.days_late ? std::to_string(*p.days_late) : "-",
        p.measures ? fmt::format("{}/{}", p.measures_done, *p.measures) : "-",
        p.last_event ? p.last_event->ToString() : "-");
  }
  out += fmt::format(
      "\nImplementation index: measures {}, programmes {}\n",
      report.measures_share
          ? fmt::format("{}/{} ({:.1f}%)", report.measures_done,
                        report.measures_total, 100 * *report.measures_share)
          : std::string("- (no issue gives measures)"),
      report.programmes_share
          ? fmt::format("{}/{} delivered ({:.1f}%)",
                        report.programmes_delivered, report.programmes_counted,
                        100 * *report.programmes_share)
          : std::string("-"));
  if (report.since) {
    out += fmt::format("\nChanged since {}:\n", report.since->ToString());
    for (const StateChange& c : report.state_changes) {
      out += fmt::format("  {}: {} -> {}\n", IssueId(scenario, c.issue),
                         ProgrammeStateName(c.from), ProgrammeStateName(c.to));
    }
    for (const TimelineEvent& e : report.changes) {
      out += fmt::format("  {} {} {}{}\n", e.date.ToString(),
                         e.issue < 0 ? "(all)" : IssueId(scenario, e.issue),
                         TimelineEventKindName(e.kind),
                         e.note.empty() ? "" : ": " + e.note);
    }
    if (report.changes.empty()) out += "  (no events)\n";
  }
  return out;
}

}  // namespace unionstate
