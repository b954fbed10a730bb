#ifndef UNIONSTATE_OUTPUT_H_
#define UNIONSTATE_OUTPUT_H_

// Writing forecasts for machines (JSON, the documented contract of
// docs/output-format.md) and for people (a plain-text table).

#include <string>

#include "unionstate/forecast.h"
#include "unionstate/scenario.h"

namespace unionstate {

// The forecast as one JSON document, ending in a newline. REQUIRES:
// `forecast` was produced from `scenario`.
std::string ForecastToJson(const Scenario& scenario, const Forecast& forecast);

// A table per issue (outcome, agreement, blockers) and, for dynamic models,
// the positions of the last round.
std::string ForecastToTable(const Scenario& scenario, const Forecast& forecast);

}  // namespace unionstate

#endif  // UNIONSTATE_OUTPUT_H_
