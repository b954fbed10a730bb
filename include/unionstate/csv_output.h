#ifndef UNIONSTATE_CSV_OUTPUT_H_
#define UNIONSTATE_CSV_OUTPUT_H_

// Results as CSV long tables for spreadsheets and pandas (`--format csv`):
// one header line, one row per observation, columns documented in
// docs/output-format.md ("CSV"). Numbers are written in the shortest form
// that reads back as the same double, so a table read back gives the
// numbers of the JSON bit for bit; an empty cell is a missing value. Text
// holding a comma, a quote or a line break is quoted ("..." with "" for a
// quote). The Python module's DataFrames have the same columns.

#include <string>

#include "unionstate/evaluate.h"
#include "unionstate/forecast.h"
#include "unionstate/output.h"
#include "unionstate/scenario.h"

namespace unionstate {

// One row per issue: issue,name,unit,min,max,status_quo,outcome,agreement,
// blocking (blocking: the blockers' ids joined by ';').
// REQUIRES: `forecast` was produced from `scenario`.
std::string ForecastOutcomesToCsv(const Scenario& scenario,
                                  const Forecast& forecast);

// One row per round, actor and issue the actor takes part in:
// round,actor,side,issue,position.
std::string ForecastRoundsToCsv(const Scenario& scenario,
                                const Forecast& forecast);

// One row per issue: issue,runs,mean,sd,q05,q25,q50,q75,q95,p_agreement,
// blocking,src_r2 (blocking: "id=share" pairs joined by ';', largest first).
std::string EnsembleSummaryToCsv(const EnsembleReport& report);

// One row per scored issue: issue,unit,forecast,observed,error,
// error_percent,agreement_forecast,agreement_observed,source.
std::string EvaluationToCsv(const Evaluation& evaluation);

// A CSV field: `text` quoted when it holds a comma, quote or line break.
std::string CsvField(std::string_view text);
// The shortest decimal that reads back as `x`; empty for NaN.
std::string CsvNumber(double x);

}  // namespace unionstate

#endif  // UNIONSTATE_CSV_OUTPUT_H_
