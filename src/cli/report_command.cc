// `unionstate report`: one self-contained HTML file from a scenario and its
// models, or from a results database (docs/report.md).

#include <fmt/format.h>

#include <cstdio>
#include <vector>

#include "cli/commands.h"
#include "cli/common.h"
#include "unionstate/env.h"
#include "unionstate/evaluate.h"
#include "unionstate/model.h"
#include "unionstate/report.h"

namespace unionstate::cli {
namespace {

// Splits "parity,nash(veto=false),bdm" at the commas outside parentheses
// and quotes.
std::vector<std::string> SplitModels(const std::string& list) {
  std::vector<std::string> out;
  std::string current;
  int depth = 0;
  bool quoted = false;
  for (char c : list) {
    if (c == '"') quoted = !quoted;
    if (!quoted && c == '(') ++depth;
    if (!quoted && c == ')') --depth;
    if (c == ',' && depth == 0 && !quoted) {
      out.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  out.push_back(current);
  for (std::string& s : out) {
    const size_t b = s.find_first_not_of(" \t");
    const size_t e = s.find_last_not_of(" \t");
    s = b == std::string::npos ? "" : s.substr(b, e - b + 1);
  }
  return out;
}

// True when the file starts with SQLite's 16-byte header.
bool IsSqliteFile(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  char head[16] = {};
  const size_t n = std::fread(head, 1, sizeof head, f);
  std::fclose(f);
  return n == sizeof head && std::string(head, 15) == "SQLite format 3";
}

}  // namespace

int WriteReport(const ReportCommand& command) {
  ReportOptions options;
  if (!command.horizon.empty()) {
    Result<Date> horizon = ParseDateOption("--horizon", command.horizon);
    if (!horizon) return Report(horizon.error());
    options.horizon = *horizon;
  }
  if (!command.input.empty() && IsSqliteFile(command.input)) {
    if (!command.models.empty() || !command.observed.empty()) {
      return Report(Error(ErrorKind::kInvalidArgument, {},
                          "--model and --observed apply to a scenario, but "
                          "the input is a results database; expected either "
                          "a scenario with them or a database without"));
    }
    Result<std::string> html = StoreReportHtml(command.input, options);
    if (!html) {
      return Report(
          html.error().kind() == ErrorKind::kIo
              ? Error(ErrorKind::kInvalidInput, html.error().diagnostics())
              : html.error());
    }
    return Emit(*html, command.output);
  }

  // Models are checked before the scenario is read.
  std::vector<std::unique_ptr<Model>> models;
  if (!command.models.empty()) {
    for (const std::string& spec : SplitModels(command.models)) {
      if (spec.empty()) {
        return Report(
            Error(ErrorKind::kInvalidArgument, {},
                  fmt::format("--model \"{}\" has an empty entry; expected "
                              "comma-separated model specifications such as "
                              "parity,nash,bdm",
                              command.models)));
      }
      Result<std::unique_ptr<Model>> m = LoadModel(spec);
      if (!m) return Report(m.error());
      models.push_back(std::move(*m));
    }
  }
  Result<Scenario> scenario =
      LoadFromCommand(command.input, command.input_format);
  if (!scenario) return Report(scenario.error());
  if (models.empty()) {
    const bool sides = scenario->Sides().size() >= 2;
    for (const RegisteredModel& r : RegisteredModels()) {
      if (r.info->needs_sides && !sides) continue;
      Result<std::unique_ptr<Model>> m = LoadModel(r.info->short_name);
      if (m) models.push_back(std::move(*m));
    }
  }
  std::vector<Forecast> forecasts;
  for (const auto& model : models) {
    Result<Forecast> f = model->Run(*scenario, {.seed = command.seed});
    if (!f) return Report(f.error());
    forecasts.push_back(std::move(*f));
  }
  std::vector<Evaluation> evaluations;
  if (!command.observed.empty()) {
    Result<ObservedOutcomes> observed =
        LoadObserved(Env::Default(), command.observed);
    if (!observed) {
      return Report(
          observed.error().kind() == ErrorKind::kIo
              ? Error(ErrorKind::kInvalidInput, observed.error().diagnostics())
              : observed.error());
    }
    for (const Forecast& f : forecasts) {
      Result<Evaluation> e =
          Evaluate(SummarizeForecast(*scenario, f), *observed);
      if (!e) return Report(e.error());
      evaluations.push_back(std::move(*e));
    }
  }
  Result<std::string> html =
      ScenarioReportHtml(*scenario, forecasts, evaluations, options);
  if (!html) return Report(html.error());
  return Emit(*html, command.output);
}

}  // namespace unionstate::cli
