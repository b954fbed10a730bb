#ifndef UNIONSTATE_OUTPUT_H_
#define UNIONSTATE_OUTPUT_H_

// Writing forecasts for machines (JSON, the documented contract of
// docs/output-format.md) and for people (a plain-text table).

#include <functional>
#include <string>
#include <string_view>

#include "unionstate/ensemble.h"
#include "unionstate/forecast.h"
#include "unionstate/scenario.h"

namespace unionstate {

struct TimeForecast;  // time_forecast.h
struct EnsembleTime;  // time_forecast.h

// The forecast as one JSON document, ending in a newline. REQUIRES:
// `forecast` was produced from `scenario`.
std::string ForecastToJson(const Scenario& scenario, const Forecast& forecast);

// A table per issue (outcome, agreement, blockers) and, for dynamic models,
// the positions of the last round.
std::string ForecastToTable(const Scenario& scenario, const Forecast& forecast);

// The same with time figures (time_forecast.h; `unionstate run --horizon`):
// each issue of the JSON gains `deadline`, `p_agreed_by_deadline` and a
// `time` object, and the document a top-level `time` member
// (docs/output-format.md, "Time"); the table gains a time table. A null
// `time` gives exactly the output above.
std::string ForecastToJson(const Scenario& scenario, const Forecast& forecast,
                           const TimeForecast* time);

// Takes the next piece of a document written as it is produced; false
// (a failed write) stops the writing.
using JsonWrite = std::function<bool(std::string_view piece)>;

// The same document (with time figures when `time` is not null), byte for
// byte, handed to `write` in pieces of about 64 KB as it is produced rather
// than held whole: `unionstate run` streams it to standard output this
// way. False when `write` refused a piece (nothing is handed on after it).
bool WriteForecastJson(const Scenario& scenario, const Forecast& forecast,
                       const TimeForecast* time, const JsonWrite& write);
std::string ForecastToTable(const Scenario& scenario, const Forecast& forecast,
                            const TimeForecast* time);

// What an ensemble was, beside its summary.
struct EnsembleReport {
  std::string scenario = {};
  std::string model = {};  // the full specification
  std::uint64_t seed = 0;
  std::string perturbation = {};  // "" for none
  std::int64_t runs_requested = 0;
  bool interrupted = false;
  EnsembleSummary summary = {};
};

// The ensemble summary as JSON (docs/output-format.md, "Ensembles").
std::string EnsembleToJson(const Scenario& scenario,
                           const EnsembleReport& report);

// Per issue the quantiles, agreement and likeliest blockers, and the inputs
// each outcome is most sensitive to.
std::string EnsembleToTable(const Scenario& scenario,
                            const EnsembleReport& report);

// Ensembles with time figures (`unionstate ensemble --horizon`): the
// ensemble JSON with a `time` member added (docs/output-format.md,
// "Ensembles"), and a table of the time figures' quantiles for people.
std::string AddEnsembleTimeToJson(const std::string& ensemble_json,
                                  const Scenario& scenario,
                                  const EnsembleTime& time);
std::string EnsembleTimeToTable(const Scenario& scenario,
                                const EnsembleTime& time);

}  // namespace unionstate

#endif  // UNIONSTATE_OUTPUT_H_
