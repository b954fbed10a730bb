#ifndef UNIONSTATE_REPORT_TIME_JSON_H_
#define UNIONSTATE_REPORT_TIME_JSON_H_

// The JSON and table pieces of time forecasts (docs/output-format.md,
// "Time"), shared by json_output.cc and table_output.cc.

#include <nlohmann/json.hpp>
#include <string>

#include "unionstate/scenario.h"
#include "unionstate/time_forecast.h"

namespace unionstate::internal {

// Adds deadline, p_agreed_by_deadline and `time` to an issue's JSON entry.
void AddIssueTimeJson(nlohmann::ordered_json& entry, const TimeForecast& time,
                      int issue);

// The top-level `time` member: as_of, horizon, reference class, baseline,
// coefficients.
nlohmann::ordered_json TimeJson(const TimeForecast& time);

// A table of the time figures per issue, with the baseline above it.
std::string TimeTable(const Scenario& scenario, const TimeForecast& time);

}  // namespace unionstate::internal

#endif  // UNIONSTATE_REPORT_TIME_JSON_H_
