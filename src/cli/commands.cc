#include "cli/commands.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/common.h"
#include "unionstate/calendar.h"
#include "unionstate/csv_output.h"
#include "unionstate/env.h"
#include "unionstate/evaluate.h"
#include "unionstate/model.h"
#include "unionstate/output.h"
#include "unionstate/scenario_io.h"
#include "unionstate/time_forecast.h"

namespace unionstate::cli {

int ExitCodeFor(const Error& error) {
  switch (error.kind()) {
    case ErrorKind::kInvalidInput:
    case ErrorKind::kInvalidArgument:
      return kExitBadInput;
    case ErrorKind::kIo:
    case ErrorKind::kFailed:
      return kExitFailure;
  }
  return kExitFailure;
}

int Report(const Error& error) {
  for (const Diagnostic& d : error.diagnostics()) {
    // Located mistakes start with file:line:column; the rest say who speaks.
    std::fprintf(stderr, "%s%s\n", d.where.file.empty() ? "unionstate: " : "",
                 d.ToString().c_str());
  }
  return ExitCodeFor(error);
}

Result<Scenario> LoadFromCommand(const std::string& path,
                                 const std::string& input_format) {
  LoadOptions options;
  if (!input_format.empty()) {
    options.format = ParseInputFormat(input_format);
    if (!options.format) {
      return InvalidArgument(
          fmt::format("unknown input format \"{}\"; expected toml, bdm, ktab, wide, "
                      "ktab-xml, decide or deu",
                      input_format));
    }
  }
  if (path.empty()) return LoadBuiltinScenario();
  Result<Scenario> scenario = LoadScenario(Env::Default(), path, options);
  // An input file that cannot be read is the caller's mistake (exit 2).
  if (!scenario && scenario.error().kind() == ErrorKind::kIo) {
    return std::unexpected(
        Error(ErrorKind::kInvalidInput, scenario.error().diagnostics()));
  }
  return scenario;
}

std::optional<Error> CheckOutputPath(const std::string& path) {
  if (path.empty()) return std::nullopt;
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (std::filesystem::is_directory(status)) {
    return Error(ErrorKind::kInvalidArgument, {},
                 path + ": is a directory; expected a file, a device or a FIFO");
  }
  if (!std::filesystem::exists(status) &&
      std::filesystem::is_symlink(std::filesystem::symlink_status(path, error))) {
    return Error(ErrorKind::kInvalidArgument, {},
                 path +
                     ": the symbolic link names no file; expected a link to a "
                     "file, a device or a FIFO");
  }
  return std::nullopt;
}

// Standard output refused what was written to it, `error` (errno) saying
// why.
Error StdoutFailed(int error) {
  return Error(ErrorKind::kIo, {"<stdout>", 0, 0},
               error != 0 ? fmt::format("cannot write the output: {}",
                                        std::strerror(error))
                          : std::string("cannot write the output"));
}

// Writes `text` to `path` (Env::WriteFile), or to standard output when empty.
int Emit(const std::string& text, const std::string& path) {
  if (path.empty()) {
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() ||
        std::fflush(stdout) != 0) {
      return Report(StdoutFailed(errno));
    }
    return kExitOk;
  }
  Result<void> written = Env::Default().WriteFile(path, text);
  if (!written) return Report(written.error());
  return kExitOk;
}

Result<Date> ParseDateOption(const std::string& option,
                             const std::string& text) {
  std::optional<Date> date = Date::Parse(text);
  if (!date) {
    return InvalidArgument(fmt::format(
        "{} \"{}\" is not a date; expected YYYY-MM-DD, e.g. 2026-12-31",
        option, text));
  }
  return *date;
}

// Resolves kAutoModel for `scenario`.
std::string ModelFor(const std::string& spec, const Scenario& scenario) {
  if (spec != kAutoModel) return spec;
  return scenario.Sides().size() >= 2 ? "parity" : "compromise";
}

namespace {

// Loads the scenario and runs the model on it.
Result<std::pair<Scenario, Forecast>> LoadAndRun(
    const std::string& path, const std::string& input_format,
    const std::string& spec, std::uint64_t seed) {
  // A bad model name is reported before the scenario is read.
  if (spec != kAutoModel) {
    Result<std::unique_ptr<Model>> checked = LoadModel(spec);
    if (!checked) return std::unexpected(checked.error());
  }
  Result<Scenario> scenario = LoadFromCommand(path, input_format);
  if (!scenario) return std::unexpected(scenario.error());
  Result<std::unique_ptr<Model>> model = LoadModel(ModelFor(spec, *scenario));
  if (!model) return std::unexpected(model.error());
  Result<Forecast> forecast = (*model)->Run(*scenario, {.seed = seed});
  if (!forecast) return std::unexpected(forecast.error());
  return std::pair(std::move(*scenario), std::move(*forecast));
}

// The scenario and forecast of `run`, kept until the process ends: the
// system takes back a process's memory whole, while taking them apart
// object by object (every stance's strings, every round's events) was a
// tenth of the instructions of `run --model parity` (bench/README.md). The
// holder itself is never destroyed, so what it holds stays reachable and
// no leak checker counts it.
std::unique_ptr<std::pair<Scenario, Forecast>>& KeptUntilExit() {
  static auto* kept = new std::unique_ptr<std::pair<Scenario, Forecast>>();
  return *kept;
}

}  // namespace

int Run(const RunCommand& command) {
  if (command.format != "json" && command.format != "table" &&
      command.format != "csv" && command.format != "csv-rounds") {
    return Report(Error(ErrorKind::kInvalidArgument, {},
                        fmt::format("unknown output format \"{}\"; expected "
                                    "json, table, csv or csv-rounds",
                                    command.format)));
  }
  if (std::optional<Error> refused = CheckOutputPath(command.output)) {
    return Report(*refused);
  }
  std::optional<Date> horizon;
  if (!command.horizon.empty()) {
    Result<Date> parsed = ParseDateOption("--horizon", command.horizon);
    if (!parsed) return Report(parsed.error());
    horizon = *parsed;
  }
  auto run = LoadAndRun(command.scenario, command.input_format, command.model,
                        command.seed);
  if (!run) return Report(run.error());
  KeptUntilExit() =
      std::make_unique<std::pair<Scenario, Forecast>>(std::move(*run));
  const auto& [scenario, forecast] = *KeptUntilExit();
  std::optional<TimeForecast> time;
  if (horizon) {
    // Time forecasts (docs/time.md): the reference class, then the figures.
    Result<std::optional<ReferenceClass>> reference =
        LoadReferenceClass(Env::Default(), scenario);
    if (!reference) return Report(reference.error());
    Result<TimeForecast> computed =
        ForecastTime(scenario, forecast, *reference, {.horizon = *horizon});
    if (!computed) return Report(computed.error());
    time = std::move(*computed);
  }
  const TimeForecast* time_ptr = time ? &*time : nullptr;
  if (command.format == "json" && command.output.empty()) {
    // Written as it is produced, in pieces of about 64 KB: the 34-actor
    // smp forecast is 352 KB, and holding it whole cost a tenth of the
    // run's page faults and a copy (bench/README.md).
    const bool written = WriteForecastJson(
        scenario, forecast, time_ptr, [](std::string_view piece) {
          return std::fwrite(piece.data(), 1, piece.size(), stdout) ==
                 piece.size();
        });
    if (!written || std::fflush(stdout) != 0)
      return Report(StdoutFailed(errno));
    return kExitOk;
  }
  std::string text = command.format == "json"
                         ? ForecastToJson(scenario, forecast, time_ptr)
                     : command.format == "csv"
                         ? ForecastOutcomesToCsv(scenario, forecast)
                     : command.format == "csv-rounds"
                         ? ForecastRoundsToCsv(scenario, forecast)
                         : ForecastToTable(scenario, forecast, time_ptr);
  return Emit(text, command.output);
}

int Evaluate(const EvaluateCommand& command) {
  std::optional<ForecastSummary> forecast;
  std::optional<ObservedOutcomes> carried;
  // The scenario and its forecast, when the input is a scenario: dated
  // questions are scored with their time forecast.
  std::optional<std::pair<Scenario, Forecast>> ran;
  std::string text;
  if (!command.input.empty()) {
    // A folder (wide tables) cannot be read as one file: the scenario
    // loader below reports what is missing.
    Result<std::string> read = Env::Default().ReadFile(command.input);
    if (read) text = std::move(*read);
  }
  if (!text.empty() && LooksLikeForecastJson(text)) {
    if (command.model != kAutoModel) {
      return Report(
          Error(ErrorKind::kInvalidArgument, {},
                "--model applies to a scenario, but the input is a forecast; "
                "expected "
                "either a scenario with --model or a forecast without it"));
    }
    Result<ForecastSummary> parsed = ParseForecastJson(text, command.input);
    if (!parsed) return Report(parsed.error());
    forecast = std::move(*parsed);
  } else {
    auto run = LoadAndRun(command.input, command.input_format, command.model,
                          command.seed);
    if (!run) return Report(run.error());
    forecast = SummarizeForecast(run->first, run->second);
    carried = ObservedFromScenario(run->first);
    ran = std::move(*run);
  }
  ObservedOutcomes observed;
  if (!command.observed.empty()) {
    Result<ObservedOutcomes> loaded =
        LoadObserved(Env::Default(), command.observed);
    if (!loaded) {
      return Report(
          loaded.error().kind() == ErrorKind::kIo
              ? Error(ErrorKind::kInvalidInput, loaded.error().diagnostics())
              : loaded.error());
    }
    observed = std::move(*loaded);
  } else if (carried && !carried->outcomes.empty()) {
    observed = std::move(*carried);
  } else {
    return Report(Error(
        ErrorKind::kInvalidArgument, {},
        "the input carries no observed outcomes; expected --observed FILE "
        "(docs/observed-format.md)"));
  }
  Result<Evaluation> evaluation = unionstate::Evaluate(*forecast, observed);
  if (!evaluation) return Report(evaluation.error());
  if (!observed.questions.empty()) {
    if (!ran) {
      std::fprintf(stderr,
                   "unionstate: the %zu dated questions are not scored: they "
                   "need a scenario input (a forecast JSON has no time "
                   "figures)\n",
                   observed.questions.size());
    } else if (Result<QuestionEvaluation> scored =
                   ScoreDatedQuestions(Env::Default(), ran->first, ran->second,
                                       observed);
               !scored) {
      // Bad input (a reference class that cannot be read) stops; a baseline
      // that cannot be estimated leaves the depth evaluation standing.
      if (scored.error().kind() != ErrorKind::kFailed)
        return Report(scored.error());
      std::fprintf(stderr, "unionstate: %s\n",
                   scored.error().diagnostics()[0].message.c_str());
    } else {
      evaluation->questions = std::move(*scored);
    }
  }
  return Emit(command.format == "table" ? EvaluationToTable(*evaluation)
              : command.format == "csv"   ? EvaluationToCsv(*evaluation)
                                          : EvaluationToJson(*evaluation),
              "");
}

int Validate(const ValidateCommand& command) {
  Result<Scenario> scenario =
      LoadFromCommand(command.scenario, command.input_format);
  if (!scenario) return Report(scenario.error());
  std::printf(
      "ok: %s: scenario \"%s\", %zu actors, %zu issues, %zu positions\n",
      command.scenario.empty() ? scenario->file.c_str()
                               : command.scenario.c_str(),
      scenario->name.c_str(), scenario->actors.size(), scenario->issues.size(),
      scenario->stances.size());
  return kExitOk;
}

int Models(const ModelsCommand& command) {
  if (command.format == "json") {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const RegisteredModel& model : RegisteredModels()) {
      const ModelInfo& info = *model.info;
      nlohmann::ordered_json parameters = nlohmann::ordered_json::array();
      for (const ParameterSpec& p : info.parameters) {
        parameters.push_back({{"name", p.name},
                              {"default", ParamValueToString(p.default_value)},
                              {"range", p.RangeText()},
                              {"meaning", p.meaning}});
      }
      out.push_back({{"name", info.short_name},
                     {"long_name", info.long_name},
                     {"summary", info.summary},
                     {"citation", info.citation},
                     {"stochastic", info.stochastic},
                     {"parameters", parameters}});
    }
    return Emit(out.dump(2) + "\n", "");
  }
  if (command.format != "table") {
    return Report(Error(
        ErrorKind::kInvalidArgument, {},
        fmt::format("unknown output format \"{}\"; expected table or json",
                    command.format)));
  }
  std::string text;
  for (const RegisteredModel& model : RegisteredModels()) {
    const ModelInfo& info = *model.info;
    text += fmt::format("{} - {}\n  {}\n  source: {}\n", info.short_name,
                        info.long_name, info.summary, info.citation);
    for (const ParameterSpec& p : info.parameters) {
      text += fmt::format("  {}={}  ({}) {}\n", p.name,
                          ParamValueToString(p.default_value), p.RangeText(),
                          p.meaning);
    }
    text += "\n";
  }
  return Emit(text, "");
}

}  // namespace unionstate::cli
