// `unionstate track`: the programme tracker (tracker.h) on a scenario.

#include "cli/commands.h"
#include "cli/common.h"
#include "unionstate/tracker.h"

namespace unionstate::cli {

int Track(const TrackCommand& command) {
  TrackOptions options;
  // Bad dates are reported before the scenario is read.
  if (!command.as_of.empty()) {
    Result<Date> as_of = ParseDateOption("--as-of", command.as_of);
    if (!as_of) return Report(as_of.error());
    options.as_of = *as_of;
  }
  if (!command.since.empty()) {
    Result<Date> since = ParseDateOption("--since", command.since);
    if (!since) return Report(since.error());
    options.since = *since;
  }
  Result<Scenario> scenario = LoadFromCommand(command.scenario, "");
  if (!scenario) return Report(scenario.error());
  Result<TrackReport> report = TrackProgrammes(*scenario, options);
  if (!report) return Report(report.error());
  return Emit(command.format == "table" ? TrackReportToTable(*scenario, *report)
                                        : TrackReportToJson(*scenario, *report),
              "");
}

}  // namespace unionstate::cli
