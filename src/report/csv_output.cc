#include "unionstate/csv_output.h"

#include <fmt/format.h>

#include <cmath>

namespace unionstate {
namespace {

std::string Flag(bool b) { return b ? "true" : "false"; }

template <class Range>
std::string Joined(const Range& parts) {
  std::string out;
  for (const auto& part : parts) out += (out.empty() ? "" : ";") + part;
  return out;
}

}  // namespace

std::string CsvField(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos)
    return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string CsvNumber(double x) {
  if (std::isnan(x)) return "";
  // fmt's "{}" is the shortest representation that round-trips.
  return fmt::format("{}", x);
}

std::string ForecastOutcomesToCsv(const Scenario& scenario,
                                  const Forecast& forecast) {
  std::string out =
      "issue,name,unit,min,max,status_quo,outcome,agreement,blocking\n";
  for (const IssueForecast& f : forecast.issues) {
    const Issue& issue = scenario.issues[static_cast<size_t>(f.issue)];
    out += fmt::format(
        "{},{},{},{},{},{},{},{},{}\n", CsvField(issue.id),
        CsvField(issue.name), CsvField(issue.unit), CsvNumber(issue.min),
        CsvNumber(issue.max),
        issue.status_quo ? CsvNumber(issue.status_quo->value) : "",
        CsvNumber(f.outcome), Flag(f.agreement), CsvField(Joined(f.blocking)));
  }
  return out;
}

std::string ForecastRoundsToCsv(const Scenario& scenario,
                                const Forecast& forecast) {
  std::string out = "round,actor,side,issue,position\n";
  const size_t issues = scenario.issues.size();
  for (const Round& round : forecast.rounds) {
    for (size_t a = 0; a < scenario.actors.size(); ++a) {
      for (size_t i = 0; i < issues; ++i) {
        const double x = round.positions[a * issues + i];
        if (std::isnan(x)) continue;
        out += fmt::format("{},{},{},{},{}\n", round.round,
                           CsvField(scenario.actors[a].id),
                           CsvField(scenario.actors[a].side),
                           CsvField(scenario.issues[i].id), CsvNumber(x));
      }
    }
  }
  return out;
}

std::string EnsembleSummaryToCsv(const EnsembleReport& report) {
  std::string out =
      "issue,runs,mean,sd,q05,q25,q50,q75,q95,p_agreement,blocking,src_r2\n";
  for (const IssueSummary& s : report.summary.issues) {
    std::vector<std::string> blocking;
    for (const auto& [who, share] : s.p_blocking)
      blocking.push_back(who + "=" + CsvNumber(share));
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{}\n",
                       CsvField(s.issue), report.summary.runs,
                       CsvNumber(s.mean), CsvNumber(s.sd), CsvNumber(s.q05),
                       CsvNumber(s.q25), CsvNumber(s.q50), CsvNumber(s.q75),
                       CsvNumber(s.q95), CsvNumber(s.p_agreement),
                       CsvField(Joined(blocking)), CsvNumber(s.src_r2));
  }
  return out;
}

std::string EvaluationToCsv(const Evaluation& evaluation) {
  std::string out =
      "issue,unit,forecast,observed,error,error_percent,agreement_forecast,"
      "agreement_observed,source\n";
  for (const IssueScore& s : evaluation.issues) {
    out += fmt::format("{},{},{},{},{},{},{},{},{}\n", CsvField(s.id),
                       CsvField(s.unit), CsvNumber(s.forecast),
                       CsvNumber(s.observed), CsvNumber(s.error),
                       CsvNumber(s.error_percent), Flag(s.agreement_forecast),
                       s.agreement_observed ? Flag(*s.agreement_observed) : "",
                       CsvField(s.source));
  }
  return out;
}

}  // namespace unionstate
