#ifndef UNIONSTATE_REPORT_REPORT_DATA_H_
#define UNIONSTATE_REPORT_REPORT_DATA_H_

// The data and Vega-Lite specifications behind the HTML report and the
// dashboard (internal: the public entry points are in unionstate/report.h).
//
// A report is a JSON document:
//   {"title", "subtitle", "sections": [section, ...]}
// and a section is
//   {"id", "title", "intro", "blocks": [block, ...]}
// where a block is either a chart with its data
//   {"kind": "chart", "id", "title", "caption", "spec": {Vega-Lite, with its
//    rows in spec.data.values}, "columns": [[field, heading], ...]}
// or a plain table
//   {"kind": "table", "id", "title", "caption", "columns": [[field,
//    heading], ...], "rows": [{field: value}, ...]}.
// web/report.js draws every chart next to its rows as a table (and offers
// them as CSV); the C++ side emits only data and specifications.

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "report/store_reader.h"
#include "unionstate/evaluate.h"
#include "unionstate/forecast.h"
#include "unionstate/scenario.h"
#include "unionstate/time_forecast.h"

namespace unionstate::report {

using Json = nlohmann::ordered_json;

// Months between the points of the charts of agreement over time: the
// curves are smooth (drawn with monotone interpolation) and half a year
// keeps the report small; `run --horizon` gives every month.
inline constexpr int kTimeStepMonths = 6;

// Actors and issues of the scenario as two tables.
Json GlanceSection(const Scenario& scenario);

// Strip plots of every issue (positions, status quo, each forecast), the
// per-issue forecasts with their "why", and the per-model sections: rounds
// and convergence (models with rounds), win-sets (parity), trades
// (exchange). REQUIRES: every forecast was produced from `scenario`.
std::vector<Json> ForecastSections(const Scenario& scenario,
                                   std::span<const Forecast> forecasts);

// Forecast against observed, errors per issue and agreement calls, one
// evaluation per model.
Json EvaluationSection(std::span<const Evaluation> evaluations);

// One stored ensemble: outcome distributions, P(agreement), P(agreement by
// date) when `curves` has issues (else `time_note`, when not empty, says
// why there is none), blockers and the sensitivity tornado.
Json EnsembleSection(const StoredEnsemble& ensemble,
                     const EnsembleCurves* curves = nullptr,
                     const std::string& time_note = "");

// P(agreement by date) per issue and model, one time forecast per forecast
// (same order, made with one horizon); a note instead of the chart when
// the baseline is kNone.
Json TimeSection(const Scenario& scenario, std::span<const Forecast> forecasts,
                 std::span<const TimeForecast> times);

// The whole document for a scenario and its forecasts (and evaluations
// when there are observations, agreement over time when `times` holds one
// time forecast per forecast).
Json ScenarioReport(const Scenario& scenario,
                    std::span<const Forecast> forecasts,
                    std::span<const Evaluation> evaluations,
                    std::span<const TimeForecast> times = {});

}  // namespace unionstate::report

#endif  // UNIONSTATE_REPORT_REPORT_DATA_H_
