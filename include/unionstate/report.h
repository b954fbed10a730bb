#ifndef UNIONSTATE_REPORT_H_
#define UNIONSTATE_REPORT_H_

// Self-contained HTML reports (`unionstate report`, docs/report.md).
//
// A report is one HTML file that opens offline in any browser: the chart
// libraries (Vega, Vega-Lite, vega-embed), the page's script and style and
// all data are inlined, and nothing in it requests anything from a network.
// The library computes everything and emits the data with Vega-Lite
// specifications; web/report/report.js only draws them, each chart beside its
// data as a table that can be downloaded as CSV.
//
//   Result<std::string> html = ScenarioReportHtml(scenario, forecasts, {}, {});
//   Result<std::string> html = StoreReportHtml("results.db", {});
//
// The JavaScript comes from the web folder: web/report/ in the source tree
// for the page, and web/node_modules/ (installed by `npm ci` in web/, which
// scripts/install-deps.sh runs) for the libraries. WebDirectory() says where
// it is looked for.

#include <optional>
#include <span>
#include <string>

#include "unionstate/evaluate.h"
#include "unionstate/forecast.h"
#include "unionstate/scenario.h"
#include "unionstate/status.h"

namespace unionstate {

// The web folder: $UNIONSTATE_WEB_DIR when set, else the source tree's web/
// folder this library was built from.
std::string WebDirectory();

struct ReportOptions {
  std::string web_dir;  // empty: WebDirectory()
  // The last date of the charts of agreement over time (scenarios with an
  // as_of); nullopt: DefaultHorizon(scenario).
  std::optional<Date> horizon;
};

// The later of five years after the scenario's as_of and a year after its
// latest deadline. REQUIRES: scenario.as_of.
Date DefaultHorizon(const Scenario& scenario);

// A report of `scenario` with one forecast per model (in the order given)
// and, when `evaluations` is not empty, each model's score against observed
// outcomes; for a scenario with an as_of, each model's probability of
// agreement by date (docs/time.md) up to options.horizon. Fails with kIo,
// naming the file and `npm ci`, when the web folder lacks a file the page
// needs; as LoadReferenceClass does for an unreadable reference class; with
// kInvalidArgument for a horizon before as_of.
// REQUIRES: every forecast and evaluation was made from `scenario`.
Result<std::string> ScenarioReportHtml(const Scenario& scenario,
                                       std::span<const Forecast> forecasts,
                                       std::span<const Evaluation> evaluations,
                                       const ReportOptions& options);

// A report of every ensemble in the results database at `path`
// (docs/results-schema.md): outcome distributions and quantiles,
// P(agreement), P(agreement by date) recomputed from the first 1000
// stored runs when the stored scenario has an as_of and a reference class
// (up to options.horizon), blockers and a sensitivity tornado per ensemble,
// with the scenario at a glance when its stored text parses. kIo /
// kInvalidInput as for reading the database; kInvalidInput when it holds no
// ensemble.
Result<std::string> StoreReportHtml(const std::string& path,
                                    const ReportOptions& options);

// The report's data and specifications as JSON (src/report/report_data.h
// describes the document), without the page around it; the dashboard draws
// the same sections.
std::string ScenarioReportJson(const Scenario& scenario,
                               std::span<const Forecast> forecasts);

}  // namespace unionstate

#endif  // UNIONSTATE_REPORT_H_
