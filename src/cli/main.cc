// The `unionstate` program: parses the command line (the only file that
// includes CLI11) and hands over to cli/commands.h.

#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdio>
#include <functional>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/commands.h"
#include "cli/did_you_mean.h"
#include "cli/modules.h"

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

// A seed: CLI11 would read -1 into an unsigned integer as 2^64 - 1.
const CLI::Validator kSeed(
    [](std::string& text) -> std::string {
      if (text.find('-') != std::string::npos) {
        return "expected a whole number from 0 to 18446744073709551615, got " +
               text;
      }
      return "";
    },
    "SEED");

// A whole number of at least 1 (CLI11's PositiveNumber prints the range of
// a double, 309 digits long, when it fails).
const CLI::Validator kAtLeastOne(
    [](std::string& text) -> std::string {
      long long value = 0;
      const char* end = text.data() + text.size();
      auto [ptr, error] = std::from_chars(text.data(), end, value);
      if (error != std::errc() || ptr != end || value < 1) {
        return "expected a whole number, 1 or more, got " + text;
      }
      return "";
    },
    "N>=1");

// "did you mean" lines for a command line CLI11 refused: a first word that
// is no subcommand, or a --long option the subcommand does not have.
std::vector<std::string> Suggestions(CLI::App& app, int argc, char** argv) {
  std::vector<std::string> out;
  if (argc < 2 || argv[1][0] == '-') return out;
  const std::string first = argv[1];
  std::vector<std::string> names;
  CLI::App* sub = nullptr;
  for (CLI::App* candidate :
       app.get_subcommands([](CLI::App*) { return true; })) {
    names.push_back(candidate->get_name());
    if (candidate->get_name() == first) sub = candidate;
  }
  if (sub == nullptr) {
    if (auto match = unionstate::cli::ClosestMatch(first, names)) {
      out.push_back("unknown subcommand \"" + first + "\"; did you mean `" +
                    *match + "`?");
    }
    return out;
  }
  std::vector<std::string> options = {"--help"};
  for (const CLI::Option* option : sub->get_options()) {
    for (const std::string& name : option->get_lnames())
      options.push_back("--" + name);
  }
  for (int k = 2; k < argc; ++k) {
    std::string word = argv[k];
    if (!word.starts_with("--") || word == "--") continue;
    word = word.substr(0, word.find('='));
    if (std::find(options.begin(), options.end(), word) != options.end())
      continue;
    if (auto match = unionstate::cli::ClosestMatch(word, options)) {
      out.push_back("unknown option " + word + " of `" + first +
                    "`; did you mean " + *match + "?");
    }
  }
  return out;
}

// Gives stdout the buffer glibc would make for it (BUFSIZ bytes, or the
// file's block size where that is smaller; line by line on a terminal),
// taken with operator new: the heap's first megabytes are one huge page the
// program maps anyway (cli/operator_new.cc), while glibc's malloc would put
// it past libstdc++'s 73 KB emergency pool on two fresh pages, a page fault
// each for every command that prints (bench/README.md, "Fresh pages").
// Must run before anything is written; without memory, glibc's own buffer.
void BufferStdout() {
  size_t size = BUFSIZ;
  struct stat st {};
  if (fstat(STDOUT_FILENO, &st) == 0 && st.st_blksize > 0 &&
      static_cast<size_t>(st.st_blksize) < size) {
    size = static_cast<size_t>(st.st_blksize);
  }
  // Held by stdout until the process ends: never freed, always reachable.
  char* buffer = static_cast<char*>(::operator new(size, std::nothrow));
  if (buffer == nullptr) return;
  const int mode = isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF;
  (void)std::setvbuf(stdout, buffer, mode, size);
}

}  // namespace

int main(int argc, char** argv) {
  namespace cli = unionstate::cli;
  cli::KeepCommandLine(argc, argv);
  BufferStdout();
  CLI::App app{kDescription, "unionstate"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Print help for every subcommand");

  cli::RunCommand run;
  CLI::App* run_app = nullptr;
  const auto add_run = [&] {
    run_app =
        app.add_subcommand("run",
                           "Run one model on a scenario and print the forecast "
                           "(JSON unless --format table)");
    run_app->add_option(
        "scenario", run.scenario,
        "Scenario file (TOML or an imported table) or a folder of wide "
        "tables (actors.csv, issues.csv); omitted: the built-in "
        "Union State scenario");
    run_app->add_option(
        "--model,-m", run.model,
        "Model specification, NAME or NAME(KEY=VALUE,...); see "
        "`unionstate models`. Default: parity when the scenario's "
        "actors stand on two or more sides, compromise otherwise");
    run_app
        ->add_option("--seed", run.seed,
                     "Random seed, 0 or more; a run is a pure function of it")
        ->default_val(0)
        ->check(kSeed);
    run_app
        ->add_option("--format", run.format,
                     "Output format: json, table, csv (one row per issue) or "
                     "csv-rounds (one row per round, actor and issue); "
                     "docs/output-format.md")
        ->check(CLI::IsMember({"json", "table", "csv", "csv-rounds"}))
        ->default_val("json");
    run_app
        ->add_option(
            "--input-format", run.input_format,
            "Format of the scenario file; default: detected from its content")
        ->check(CLI::IsMember(
            {"toml", "bdm", "ktab", "ktab-xml", "decide", "deu", "wide"}));
    run_app->add_option("--output,-o", run.output,
                        "Write the forecast to this file instead of standard "
                        "output: a regular file is replaced atomically, a "
                        "device or FIFO written in place, a link followed, a "
                        "folder refused");
    run_app->add_option(
        "--horizon", run.horizon,
        "YYYY-MM-DD on or after the scenario's as_of: add time forecasts to it "
        "(per issue P(agreed by each month), P(agreed by the deadline), the "
        "delay past it, the share of a programme implemented; docs/time.md)");
  };

  cli::ValidateCommand validate;
  CLI::App* validate_app = nullptr;
  const auto add_validate = [&] {
    validate_app = app.add_subcommand("validate",
                                      "Check a scenario file; print every "
                                      "mistake (file:line:column) or `ok`");
    validate_app->add_option("scenario", validate.scenario, "Scenario file")
        ->required();
    validate_app
        ->add_option("--input-format", validate.input_format,
                     "Format of the file; default: detected from its content")
        ->check(CLI::IsMember(
            {"toml", "bdm", "ktab", "ktab-xml", "decide", "deu", "wide"}));
  };

  cli::EvaluateCommand evaluate;
  CLI::App* evaluate_app = nullptr;
  const auto add_evaluate = [&] {
    evaluate_app = app.add_subcommand(
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
        ->default_val(0)
        ->check(kSeed);
    evaluate_app
        ->add_option("--input-format", evaluate.input_format,
                     "Format of a scenario input; default: detected")
        ->check(CLI::IsMember(
            {"toml", "bdm", "ktab", "ktab-xml", "decide", "deu", "wide"}));
    evaluate_app
        ->add_option("--format", evaluate.format,
                     "Output format: json, table or csv (one row per issue)")
        ->check(CLI::IsMember({"json", "table", "csv"}))
        ->default_val("json");
  };

  cli::EnsembleCommand ensemble;
  CLI::App* ensemble_app = nullptr;
  const auto add_ensemble = [&] {
    ensemble_app = app.add_subcommand(
        "ensemble",
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
        ->add_option(
            "--seed", ensemble.seed,
            "Random seed, 0 or more; run k draws from a stream fixed by "
            "(seed, k)")
        ->default_val(0)
        ->check(kSeed);
    ensemble_app->add_option(
        "--perturb", ensemble.perturb,
        "Noise on every input of a class without its own distribution: "
        "positions=SD in percent of the issue's scale, saliences=SD, "
        "capabilities=SD relative to the value; e.g. "
        "positions=10,saliences=0.1");
    ensemble_app->add_option(
        "--store", ensemble.store,
        "Write the ensemble to this SQLite results database (created when "
        "missing; docs/results-schema.md); each batch is committed as it "
        "finishes");
    ensemble_app
        ->add_option("--batch", ensemble.batch,
                     "Runs per batch (one database transaction each)")
        ->default_val(256)
        ->check(kAtLeastOne);
    ensemble_app->add_option(
        "--resume", ensemble.resume,
        "Continue the last unfinished ensemble in this results database "
        "(interrupted, or whose process is gone) from its committed batches, "
        "with its scenario, model, seed, runs and batch; the result is "
        "bit-identical to an uninterrupted run");
    ensemble_app->add_option(
        "--shard", ensemble.shard,
        "Run only shard K of N (K/N, 1 <= K <= N; whole batches) into --store; "
        "`unionstate merge` joins the N databases (for job arrays)");
    ensemble_app->add_flag(
        "--store-draws", ensemble.store_draws,
        "Also store every run's drawn inputs (8 bytes per input and run); "
        "without it they are drawn again from (seed, run) when read");
    ensemble_app
        ->add_option(
            "--sobol", ensemble.sobol,
            "Also estimate first- and total-order Sobol indices with 95 % "
            "bootstrap intervals by a Saltelli design of N base rows: N x "
            "(inputs + 2) more model runs (302 inputs: 304 N), after the "
            "ensemble")
        ->default_val(0);
    ensemble_app->add_flag(
        "--quiet,-q", ensemble.quiet,
        "No progress bar (it is shown only when stderr is a terminal)");
    ensemble_app
        ->add_option("--format", ensemble.format,
                     "Output format: json, table or csv (one row per issue)")
        ->check(CLI::IsMember({"json", "table", "csv"}))
        ->default_val("json");
    ensemble_app
        ->add_option(
            "--input-format", ensemble.input_format,
            "Format of the scenario file; default: detected from its content")
        ->check(CLI::IsMember(
            {"toml", "bdm", "ktab", "ktab-xml", "decide", "deu", "wide"}));
    ensemble_app->add_option(
        "--horizon", ensemble.horizon,
        "YYYY-MM-DD on or after the scenario's as_of: add per issue the "
        "quantiles across runs of P(agreed by the deadline), P(agreed by this "
        "date) and the median delay (docs/time.md)");
    ensemble_app->add_option(
        "--output,-o", ensemble.output,
        "Write the summary to this file (as run --output does) instead of "
        "standard output");
  };

  cli::MergeCommand merge;
  CLI::App* merge_app = nullptr;
  const auto add_merge = [&] {
    merge_app = app.add_subcommand(
        "merge",
        "Join the databases of the shards of one ensemble (ensemble --shard "
        "K/N --store) into one; print its summary, bit-identical to the "
        "ensemble run in one process");
    merge_app->add_option("output", merge.output, "Database to write")
        ->required();
    merge_app->add_option("shards", merge.shards, "One database per shard")
        ->required();
    merge_app->add_option("--format", merge.format, "Output format")
        ->check(CLI::IsMember({"json", "table"}))
        ->default_val("json");
  };

  cli::ShowCommand show;
  CLI::App* show_app = nullptr;
  const auto add_show = [&] {
    show_app = app.add_subcommand(
        "show",
        "Print what a results database holds: every ensemble and its summary "
        "(outcome quantiles, agreement, blockers)");
    show_app->add_option("database", show.database, "Results database (SQLite)")
        ->required();
    show_app->add_option("--format", show.format, "Output format")
        ->check(CLI::IsMember({"table", "json"}))
        ->default_val("table");
  };

  cli::TrackCommand track;
  CLI::App* track_app = nullptr;
  const auto add_track = [&] {
    track_app = app.add_subcommand(
        "track",
        "The programme tracker: each issue's state on a date from the "
        "scenario's event log (not started, negotiating, agreed, implementing, "
        "implemented, postponed, dropped), its deadline and how late it is, "
        "the implementation index, and what changed since a date");
    track_app->add_option(
        "scenario", track.scenario,
        "Scenario file; omitted: the built-in Union State scenario");
    track_app->add_option(
        "--as-of", track.as_of,
        "YYYY-MM-DD: the date to report on; default: the scenario's as_of");
    track_app->add_option(
        "--since", track.since,
        "YYYY-MM-DD: also list the events after this date up to --as-of");
    track_app->add_option("--format", track.format, "Output format")
        ->check(CLI::IsMember({"json", "table"}))
        ->default_val("json");
  };

  cli::ModelsCommand models;
  CLI::App* models_app = nullptr;
  const auto add_models = [&] {
    models_app = app.add_subcommand(
        "models", "List the models with their parameters and defaults");
    models_app->add_option("--format", models.format, "Output format")
        ->check(CLI::IsMember({"table", "json"}))
        ->default_val("table");
  };

  cli::ReportCommand report;
  CLI::App* report_app = nullptr;
  const auto add_report = [&] {
    report_app = app.add_subcommand(
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
    report_app->add_option("--observed", report.observed,
                           "Observed outcomes (TOML, docs/observed-format.md): "
                           "adds the evaluation "
                           "section");
    report_app
        ->add_option("--input-format", report.input_format,
                     "Format of a scenario file; default: detected")
        ->check(CLI::IsMember(
            {"toml", "bdm", "ktab", "ktab-xml", "decide", "deu"}));
    report_app->add_option(
        "--horizon", report.horizon,
        "YYYY-MM-DD: the last date of the charts of agreement over time "
        "(scenarios with an as_of); default: five years after as_of, or a year "
        "after the latest deadline if later");
    report_app->add_option(
        "--output,-o", report.output,
        "Write the HTML to this file (atomically) instead of "
        "standard output");
  };

  cli::ServeCommand serve;
  CLI::App* serve_app = nullptr;
  const auto add_serve = [&] {
    serve_app = app.add_subcommand(
        "serve",
        "Serve the local dashboard: open a scenario, edit it, re-run models "
        "live, compare them, run ensembles, browse a results database, export "
        "TOML (docs/report.md). Reads only built-in scenarios, files under the "
        "current folder or named here, and --store; writes only --store");
    serve_app->add_option(
        "files", serve.files,
        "Scenario files the page may open besides those under "
        "the current folder");
    serve_app->add_option("--port,-p", serve.port, "Port; 0: any free port")
        ->default_val(8377)
        ->check(CLI::Range(0, 65535));
    serve_app->add_option("--store", serve.store,
                          "Results database to browse and to write the "
                          "page's ensembles to");
    serve_app
        ->add_option(
            "--host", serve.host,
            "Address to listen on; anything but 127.0.0.1 is reachable "
            "from other machines (a warning says so)")
        ->default_val("127.0.0.1");
  };

  // Only the chosen subcommand is built: CLI11 spends about 7 000
  // instructions on each option (the program has some 150) and 30 000 on
  // each subcommand. A command line whose first word is a subcommand and
  // that names no other builds that one alone; any other (--help,
  // --help-all, a mistyped or missing subcommand) builds them all, in this
  // order, for the help and the did-you-mean of a mistyped name.
  const std::pair<const char*, std::function<void()>> subcommands[] = {
      {"run", add_run},           {"validate", add_validate},
      {"evaluate", add_evaluate}, {"ensemble", add_ensemble},
      {"merge", add_merge},       {"show", add_show},
      {"track", add_track},       {"models", add_models},
      {"report", add_report},     {"serve", add_serve},
  };
  const std::function<void()>* chosen = nullptr;
  bool all = argc < 2;
  for (const auto& [name, add] : subcommands) {
    for (int k = 1; k < argc; ++k) {
      if (std::string_view(argv[k]) != name) continue;
      if (k == 1 && chosen == nullptr && !all) {
        chosen = &add;
      } else {
        all = true;
      }
    }
  }
  for (const auto& [name, add] : subcommands) {
    if (all || chosen == nullptr || chosen == &add) add();
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "unionstate: %s\n", e.what());
    for (const std::string& line : Suggestions(app, argc, argv))
      std::fprintf(stderr, "unionstate: %s\n", line.c_str());
    std::fprintf(stderr, "Run `unionstate --help` for usage.\n");
    return cli::kExitBadInput;
  }

  if (run_app != nullptr && run_app->parsed()) return cli::Run(run);
  if (validate_app != nullptr && validate_app->parsed())
    return cli::Validate(validate);
  if (evaluate_app != nullptr && evaluate_app->parsed())
    return cli::Evaluate(evaluate);
  if (models_app != nullptr && models_app->parsed()) return cli::Models(models);
  if (ensemble_app != nullptr && ensemble_app->parsed()) {
    if (!ensemble.resume.empty()) {
      for (const char* name :
           {"scenario", "--model", "--runs", "--seed", "--perturb", "--store",
            "--batch", "--input-format", "--shard", "--store-draws"}) {
        if (ensemble_app->count(name) > 0)
          ensemble.resume_conflicts.emplace_back(name);
      }
    }
    return cli::Ensemble(ensemble);
  }
  if (merge_app != nullptr && merge_app->parsed()) return cli::Merge(merge);
  if (show_app != nullptr && show_app->parsed()) return cli::Show(show);
  if (track_app != nullptr && track_app->parsed()) return cli::Track(track);
  if (report_app != nullptr && report_app->parsed())
    return cli::WriteReport(report);
  if (serve_app != nullptr && serve_app->parsed()) return cli::Serve(serve);
  return cli::kExitBadInput;
}
