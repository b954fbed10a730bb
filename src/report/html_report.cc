#include <fmt/format.h>

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <variant>

#include "common/check.h"
#include "report/report_data.h"
#include "report/store_reader.h"
#include "unionstate/calendar.h"
#include "unionstate/ensemble.h"
#include "unionstate/env.h"
#include "unionstate/report.h"
#include "unionstate/scenario_io.h"
#include "unionstate/store.h"
#include "unionstate/time_forecast.h"

#ifndef UNIONSTATE_WEB_DIR
#error "the build defines UNIONSTATE_WEB_DIR (the source tree's web/ folder)"
#endif

namespace unionstate {
namespace {

// The files a report inlines, relative to the web folder, in page order.
constexpr const char* kLibraries[] = {
    "node_modules/vega/build/vega.min.js",
    "node_modules/vega-lite/build/vega-lite.min.js",
    "node_modules/vega-embed/build/vega-embed.min.js",
};

Result<std::string> ReadAsset(const std::string& dir, const std::string& name) {
  const std::string path = dir + "/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return IoError({path, 0, 0},
                   "cannot read this file the report inlines; run `npm ci` in "
                   "web/ (scripts/install-deps.sh does) or point "
                   "UNIONSTATE_WEB_DIR at a web folder that has it");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Text placed inside <script>: a "</script" (any case) or "<!--" would end
// or disturb the element, so "<" before them is escaped as JavaScript
// allows in strings, regexes and JSON ("\x3c" / "\u003c").
std::string ScriptSafe(const std::string& text, bool json) {
  std::string out;
  out.reserve(text.size());
  for (size_t k = 0; k < text.size(); ++k) {
    if (text[k] == '<' && k + 1 < text.size() &&
        (text[k + 1] == '/' || text[k + 1] == '!')) {
      out += json ? "\\u003c" : "\\x3c";
    } else {
      out += text[k];
    }
  }
  return out;
}

std::string HtmlEscape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

void ReplaceOnce(std::string& text, const std::string& key,
                 const std::string& value) {
  const size_t at = text.find(key);
  if (at != std::string::npos) text.replace(at, key.size(), value);
}

Result<std::string> Page(const report::Json& document,
                         const ReportOptions& options) {
  const std::string dir =
      options.web_dir.empty() ? WebDirectory() : options.web_dir;
  Result<std::string> page = ReadAsset(dir, "report/report.html");
  if (!page) return page;
  Result<std::string> style = ReadAsset(dir, "report/report.css");
  if (!style) return style;
  std::string scripts;
  for (const char* lib : kLibraries) {
    Result<std::string> js = ReadAsset(dir, lib);
    if (!js) return js;
    scripts += "<script>" + ScriptSafe(*js, false) + "</script>\n";
  }
  Result<std::string> own = ReadAsset(dir, "report/report.js");
  if (!own) return own;
  const std::string data =
      "<script type=\"application/json\" id=\"report-data\">" +
      ScriptSafe(document.dump(), true) + "</script>\n";
  scripts += data + "<script>" + ScriptSafe(*own, false) + "</script>\n";
  std::string html = std::move(*page);
  ReplaceOnce(html, "{{TITLE}}",
              HtmlEscape(document.value("title", std::string("unionstate"))));
  ReplaceOnce(html, "{{STYLE}}", *style);
  ReplaceOnce(html, "{{SCRIPTS}}", scripts);
  return html;
}

Date HorizonFor(const Scenario& scenario, const ReportOptions& options) {
  return options.horizon ? *options.horizon : DefaultHorizon(scenario);
}

// The time forecast of each forecast, for a scenario with an as_of (none
// otherwise).
Result<std::vector<TimeForecast>> TimeForecasts(
    const Scenario& scenario, std::span<const Forecast> forecasts,
    const ReportOptions& options) {
  std::vector<TimeForecast> out;
  if (!scenario.as_of) return out;
  Result<std::optional<ReferenceClass>> reference =
      LoadReferenceClass(Env::Default(), scenario);
  if (!reference) return std::unexpected(reference.error());
  for (const Forecast& f : forecasts) {
    Result<TimeForecast> t = ForecastTime(
        scenario, f, *reference, {.horizon = HorizonFor(scenario, options)});
    if (!t) return std::unexpected(t.error());
    out.push_back(std::move(*t));
  }
  return out;
}

// P(agreed by date) across a stored ensemble's runs, or a note saying why
// there is none.
std::variant<EnsembleCurves, std::string> StoredCurves(
    const report::StoredEnsemble& e, const ReportOptions& options) {
  EnsembleHeader header;
  header.scenario_file = e.scenario_file;
  header.scenario_text = e.scenario_text;
  header.input_format = e.input_format;
  Result<Scenario> scenario = StoredScenario(header);
  if (!scenario) {
    return std::string(
        "The stored scenario text does not parse again, so the runs cannot "
        "be dated.");
  }
  if (!scenario->as_of || scenario->reference_class.empty()) {
    return std::string(
        "The scenario has no as_of date or no reference class, so there is "
        "no baseline to date agreement from (docs/time.md).");
  }
  if (e.time_runs.empty()) return std::string("No run is stored.");
  Result<Perturbation> perturbation = ParsePerturbation(e.perturbation);
  if (!perturbation) return std::string("The stored --perturb does not parse.");
  const EnsemblePlan plan = PlanEnsemble(*scenario, *perturbation);
  bool same = plan.inputs.size() == e.inputs.size();
  for (size_t k = 0; same && k < e.inputs.size(); ++k)
    same = plan.inputs[k].name == e.inputs[k];
  std::uint64_t seed = 0;
  const auto [end, error] =
      std::from_chars(e.seed.data(), e.seed.data() + e.seed.size(), seed);
  if (!same || error != std::errc() || end != e.seed.data() + e.seed.size()) {
    return std::string(
        "The stored scenario and perturbation do not give back the "
        "ensemble's inputs, so the runs' draws cannot be recovered.");
  }
  Result<std::optional<ReferenceClass>> reference =
      LoadReferenceClass(Env::Default(), *scenario);
  if (!reference) {
    return "The reference class cannot be read: " +
           (reference.error().diagnostics().empty()
                ? std::string("unreadable")
                : reference.error().diagnostics()[0].message);
  }
  Result<EnsembleCurves> curves = EnsembleAgreementCurves(
      *scenario, plan, seed, e.time_runs, *reference,
      {.horizon = HorizonFor(*scenario, options)}, report::kTimeStepMonths);
  if (!curves)
    return curves.error().diagnostics().empty()
               ? std::string("No time figures.")
               : curves.error().diagnostics()[0].message;
  if (curves->issues.empty()) return curves->baseline.note;
  return std::move(*curves);
}

}  // namespace

Date DefaultHorizon(const Scenario& scenario) {
  US_CHECK(scenario.as_of.has_value(), "DefaultHorizon needs an as_of");
  Date horizon = AddMonths(*scenario.as_of, 60);
  for (const Issue& issue : scenario.issues) {
    if (issue.deadline)
      horizon = std::max(horizon, AddMonths(*issue.deadline, 12));
  }
  return horizon;
}

std::string WebDirectory() {
  const char* env = std::getenv("UNIONSTATE_WEB_DIR");
  if (env != nullptr && *env != '\0') return env;
  return UNIONSTATE_WEB_DIR;
}

Result<std::string> ScenarioReportHtml(const Scenario& scenario,
                                       std::span<const Forecast> forecasts,
                                       std::span<const Evaluation> evaluations,
                                       const ReportOptions& options) {
  Result<std::vector<TimeForecast>> times =
      TimeForecasts(scenario, forecasts, options);
  if (!times) return std::unexpected(times.error());
  return Page(report::ScenarioReport(scenario, forecasts, evaluations, *times),
              options);
}

std::string ScenarioReportJson(const Scenario& scenario,
                               std::span<const Forecast> forecasts) {
  return report::ScenarioReport(scenario, forecasts, {}).dump();
}

Result<std::string> StoreReportHtml(const std::string& path,
                                    const ReportOptions& options) {
  Result<std::vector<report::StoredEnsemble>> stored = report::ReadStore(path);
  if (!stored) return std::unexpected(stored.error());
  if (stored->empty()) {
    return InvalidInput({path, 0, 0},
                        "holds no ensemble; expected a results database "
                        "written by `unionstate ensemble --store`");
  }
  report::Json sections = report::Json::array();
  // The scenario at a glance, from the text stored with the first ensemble.
  const report::StoredEnsemble& first = stored->front();
  Result<Scenario> scenario =
      ParseScenario(first.scenario_text, first.scenario_file);
  if (scenario) sections.push_back(report::GlanceSection(*scenario));
  for (const report::StoredEnsemble& e : *stored) {
    std::variant<EnsembleCurves, std::string> curves = StoredCurves(e, options);
    if (const auto* c = std::get_if<EnsembleCurves>(&curves)) {
      sections.push_back(report::EnsembleSection(e, c));
    } else {
      sections.push_back(
          report::EnsembleSection(e, nullptr, std::get<std::string>(curves)));
    }
  }
  report::Json document = {
      {"title", first.scenario_name},
      {"subtitle", fmt::format("{} ensemble{} from {}", stored->size(),
                               stored->size() == 1 ? "" : "s", path)},
      {"sections", std::move(sections)}};
  return Page(document, options);
}

}  // namespace unionstate
