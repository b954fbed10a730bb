#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "report/report_data.h"
#include "report/store_reader.h"
#include "unionstate/report.h"
#include "unionstate/scenario_io.h"

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

}  // namespace

std::string WebDirectory() {
  const char* env = std::getenv("UNIONSTATE_WEB_DIR");
  if (env != nullptr && *env != '\0') return env;
  return UNIONSTATE_WEB_DIR;
}

Result<std::string> ScenarioReportHtml(const Scenario& scenario,
                                       std::span<const Forecast> forecasts,
                                       std::span<const Evaluation> evaluations,
                                       const ReportOptions& options) {
  return Page(report::ScenarioReport(scenario, forecasts, evaluations),
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
    sections.push_back(report::EnsembleSection(e));
  }
  report::Json document = {
      {"title", first.scenario_name},
      {"subtitle", fmt::format("{} ensemble{} from {}", stored->size(),
                               stored->size() == 1 ? "" : "s", path)},
      {"sections", std::move(sections)}};
  return Page(document, options);
}

}  // namespace unionstate
