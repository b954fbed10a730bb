// The `unionstate` program: parses the command line (the only file that
// includes CLI11) and hands over to cli/commands.h.

#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/commands.h"

namespace {

constexpr const char* kDescription =
    "unionstate: model and forecast negotiations. Scenarios (TOML, or the "
    "tables of BDM, "
    "KTAB, decide and DEU) go in; collective-decision models run them; "
    "forecasts come out "
    "as JSON (default) or tables. Without a scenario file the built-in Union "
    "State of "
    "Belarus and Russia scenario is used.\n"
    "Exit status: 0 success, 1 a computation or I/O failure, 2 bad input or "
    "usage.";

}  // namespace

int main(int argc, char** argv) {
  namespace cli = unionstate::cli;
  CLI::App app{kDescription, "unionstate"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Print help for every subcommand");

  cli::RunCommand run;
  CLI::App* run_app =
      app.add_subcommand("run",
                         "Run one model on a scenario and print the forecast "
                         "(JSON unless --format table)");
  run_app->add_option(
      "scenario", run.scenario,
      "Scenario file (TOML or an imported table); omitted: the built-in "
      "Union State scenario");
  run_app->add_option(
      "--model,-m", run.model,
      "Model specification, NAME or NAME(KEY=VALUE,...); see "
      "`unionstate models`. Default: parity when the scenario's "
      "actors stand on two or more sides, compromise otherwise");
  run_app
      ->add_option("--seed", run.seed,
                   "Random seed; a run is a pure function of it")
      ->default_val(0);
  run_app->add_option("--format", run.format, "Output format")
      ->check(CLI::IsMember({"json", "table"}))
      ->default_val("json");
  run_app
      ->add_option(
          "--input-format", run.input_format,
          "Format of the scenario file; default: detected from its content")
      ->check(
          CLI::IsMember({"toml", "bdm", "ktab", "ktab-xml", "decide", "deu"}));
  run_app->add_option("--output,-o", run.output,
                      "Write the forecast to this file (atomically) instead of "
                      "standard output");

  cli::ValidateCommand validate;
  CLI::App* validate_app = app.add_subcommand(
      "validate",
      "Check a scenario file; print every mistake (file:line:column) or `ok`");
  validate_app->add_option("scenario", validate.scenario, "Scenario file")
      ->required();
  validate_app
      ->add_option("--input-format", validate.input_format,
                   "Format of the file; default: detected from its content")
      ->check(
          CLI::IsMember({"toml", "bdm", "ktab", "ktab-xml", "decide", "deu"}));

  cli::EvaluateCommand evaluate;
  CLI::App* evaluate_app = app.add_subcommand(
      "evaluate",
      "Score a forecast against observed outcomes: per issue the error and "
      "whether agreement was called right; the mean absolute error overall");
  evaluate_app->add_option(
      "input", evaluate.input,
      "A forecast written by `unionstate run` (JSON), or a scenario to run "
      "first; omitted: the built-in Union State scenario");
  evaluate_app->add_option(
      "--observed", evaluate.observed,
      "Observed outcomes (TOML, docs/observed-format.md); omitted: the "
      "outcomes the input table carries (DEU III)");
  evaluate_app->add_option(
      "--model,-m", evaluate.model,
      "Model to run on a scenario input (default as for `run`)");
  evaluate_app->add_option("--seed", evaluate.seed, "Random seed of that run")
      ->default_val(0);
  evaluate_app
      ->add_option("--input-format", evaluate.input_format,
                   "Format of a scenario input; default: detected")
      ->check(
          CLI::IsMember({"toml", "bdm", "ktab", "ktab-xml", "decide", "deu"}));
  evaluate_app->add_option("--format", evaluate.format, "Output format")
      ->check(CLI::IsMember({"json", "table"}))
      ->default_val("json");

  cli::EnsembleCommand ensemble;
  CLI::App* ensemble_app =
      app.add_subcommand("ensemble",
                         "Run a model many times over draws of the uncertain "
                         "inputs; print per issue the "
                         "outcome's quantiles, the probability of agreement "
                         "and of each blocker, and the "
                         "inputs the outcome is most sensitive to. Under "
                         "mpirun the runs are split across "
                         "ranks (when built with MPI). Ctrl-C stops after the "
                         "runs under way and reports "
                         "those finished (exit 130)");
  ensemble_app->add_option(
      "scenario", ensemble.scenario,
      "Scenario file; omitted: the built-in Union State scenario");
  ensemble_app->add_option("--model,-m", ensemble.model,
                           "Model specification (default as for `run`)");
  ensemble_app->add_option("--runs,-n", ensemble.runs, "Number of runs")
      ->default_val(1000);
  ensemble_app
      ->add_option(
          "--threads,-j", ensemble.threads,
          "Worker threads; 0: one per core. Results do not depend on it")
      ->default_val(0);
  ensemble_app
      ->add_option("--seed", ensemble.seed,
                   "Random seed; run k draws from a stream fixed by (seed, k)")
      ->default_val(0);
  ensemble_app->add_option(
      "--perturb", ensemble.perturb,
      "Noise on every input of a class without its own distribution: "
      "positions=SD in percent of the issue's scale, saliences=SD, "
      "capabilities=SD relative to the value; e.g. positions=10,saliences=0.1");
  ensemble_app->add_option(
      "--store", ensemble.store,
      "Write the ensemble to this SQLite results database (created when "
      "missing; docs/results-schema.md); each batch is committed as it "
      "finishes");
  ensemble_app
      ->add_option("--batch", ensemble.batch,
                   "Runs per batch (one database transaction each)")
      ->default_val(256)
      ->check(CLI::PositiveNumber);
  ensemble_app->add_flag(
      "--quiet,-q", ensemble.quiet,
      "No progress bar (it is shown only when stderr is a terminal)");
  ensemble_app->add_option("--format", ensemble.format, "Output format")
      ->check(CLI::IsMember({"json", "table"}))
      ->default_val("json");
  ensemble_app
      ->add_option(
          "--input-format", ensemble.input_format,
          "Format of the scenario file; default: detected from its content")
      ->check(
          CLI::IsMember({"toml", "bdm", "ktab", "ktab-xml", "decide", "deu"}));
  ensemble_app->add_option(
      "--output,-o", ensemble.output,
      "Write the summary to this file (atomically) instead of "
      "standard output");

  cli::ShowCommand show;
  CLI::App* show_app = app.add_subcommand(
      "show",
      "Print what a results database holds: every ensemble and its summary");
  show_app->add_option("database", show.database, "Results database (SQLite)")
      ->required();

  cli::ModelsCommand models;
  CLI::App* models_app = app.add_subcommand(
      "models", "List the models with their parameters and defaults");
  models_app->add_option("--format", models.format, "Output format")
      ->check(CLI::IsMember({"table", "json"}))
      ->default_val("table");

  cli::ReportCommand report;
  CLI::App* report_app = app.add_subcommand(
      "report",
      "Write one self-contained HTML report (charts and their data, works "
      "offline): of a scenario run with one or more models, or of every "
      "ensemble in a results database (docs/report.md)");
  report_app->add_option(
      "input", report.input,
      "Scenario file, or a results database written by `unionstate ensemble "
      "--store`; omitted: the built-in Union State scenario");
  report_app->add_option(
      "--model,-m", report.models,
      "Comma-separated model specifications, e.g. parity,nash,bdm,smp,"
      "exchange; default: every registered model the scenario suits");
  report_app->add_option("--seed", report.seed, "Random seed of the runs")
      ->default_val(0);
  report_app->add_option(
      "--observed", report.observed,
      "Observed outcomes (TOML, docs/observed-format.md): adds the evaluation "
      "section");
  report_app
      ->add_option("--input-format", report.input_format,
                   "Format of a scenario file; default: detected")
      ->check(
          CLI::IsMember({"toml", "bdm", "ktab", "ktab-xml", "decide", "deu"}));
  report_app->add_option("--output,-o", report.output,
                         "Write the HTML to this file (atomically) instead of "
                         "standard output");

  cli::ServeCommand serve;
  CLI::App* serve_app = app.add_subcommand(
      "serve",
      "Serve the local dashboard: open a scenario, edit it, re-run models "
      "live, compare them, run ensembles, browse a results database, export "
      "TOML (docs/report.md). Reads only built-in scenarios, files under the "
      "current folder or named here, and --store; writes only --store");
  serve_app->add_option("files", serve.files,
                        "Scenario files the page may open besides those under "
                        "the current folder");
  serve_app->add_option("--port,-p", serve.port, "Port; 0: any free port")
      ->default_val(8377)
      ->check(CLI::Range(0, 65535));
  serve_app->add_option("--store", serve.store,
                        "Results database to browse and to write the "
                        "page's ensembles to");
  serve_app
      ->add_option("--host", serve.host,
                   "Address to listen on; anything but 127.0.0.1 is reachable "
                   "from other machines (a warning says so)")
      ->default_val("127.0.0.1");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "unionstate: %s\nRun `unionstate --help` for usage.\n",
                 e.what());
    return cli::kExitBadInput;
  }

  if (run_app->parsed()) return cli::Run(run);
  if (validate_app->parsed()) return cli::Validate(validate);
  if (evaluate_app->parsed()) return cli::Evaluate(evaluate);
  if (models_app->parsed()) return cli::Models(models);
  if (ensemble_app->parsed()) return cli::Ensemble(ensemble);
  if (show_app->parsed()) return cli::Show(show);
  if (report_app->parsed()) return cli::WriteReport(report);
  if (serve_app->parsed()) return cli::Serve(serve);
  return cli::kExitBadInput;
}
