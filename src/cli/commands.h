#ifndef UNIONSTATE_CLI_COMMANDS_H_
#define UNIONSTATE_CLI_COMMANDS_H_

// The subcommands of the `unionstate` program, as functions over plain
// option structs (main.cc parses the command line with CLI11 and calls
// these). Each returns the process exit status (docs/cli.md):
//   0 success, 1 a computation or I/O failure, 2 bad input or usage.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace unionstate::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitInterrupted = 130;

// The model used when none is named: parity for scenarios whose actors
// stand on at least two sides, compromise otherwise.
inline constexpr const char* kAutoModel = "auto";

struct RunCommand {
  std::string scenario;      // empty: the built-in Union State scenario
  std::string input_format;  // empty: detect
  std::string model = kAutoModel;
  std::uint64_t seed = 0;
  std::string format = "json";  // json | table | csv | csv-rounds
  std::string output;           // empty: standard output
  std::string horizon;  // YYYY-MM-DD: add time forecasts to it; empty: none
};
int Run(const RunCommand& command);

struct ValidateCommand {
  std::string scenario;
  std::string input_format;
};
int Validate(const ValidateCommand& command);

struct EvaluateCommand {
  std::string
      input;  // a forecast (JSON) or a scenario; empty: the built-in one
  std::string input_format;
  std::string observed;  // empty: the outcomes the scenario file carries (DEU)
  std::string model = kAutoModel;
  std::uint64_t seed = 0;
  std::string format = "json";
};
int Evaluate(const EvaluateCommand& command);

struct EnsembleCommand {
  std::string scenario;  // empty: the built-in Union State scenario
  std::string input_format;
  std::string model = kAutoModel;
  std::int64_t runs = 1000;
  int threads = 0;  // 0: every core
  std::uint64_t seed = 0;
  std::string perturb;  // "positions=10,saliences=0.1"
  std::string store;    // SQLite file; empty: none
  std::int64_t batch = 256;
  std::int64_t sobol = 0;  // base runs N of a Saltelli design; 0: none
  bool quiet = false;
  std::string format = "json";
  std::string output;
  std::string resume;  // a results database whose last unfinished ensemble
                       // continues; empty: a new ensemble
  // Options given beside --resume that it takes from the database instead
  // (refused).
  std::vector<std::string> resume_conflicts;
  std::string shard;         // "K/N"; empty: every run
  bool store_draws = false;  // also store the drawn inputs
  std::string horizon;  // YYYY-MM-DD: add time figures' quantiles; empty: none
};
// Exits 130 when interrupted (Ctrl-C) after writing what finished.
int Ensemble(const EnsembleCommand& command);

// `unionstate merge OUT SHARD...`: joins the databases of every shard of an
// ensemble into one (merge_command.cc).
struct MergeCommand {
  std::string output;  // the database to write (created when missing)
  std::vector<std::string> shards;
  std::string format = "json";
};
int Merge(const MergeCommand& command);

struct ShowCommand {
  std::string database;
  std::string format = "table";  // table | json
};
int Show(const ShowCommand& command);

struct TrackCommand {
  std::string scenario;  // empty: the built-in Union State scenario
  std::string as_of;     // YYYY-MM-DD; empty: the scenario's as_of
  std::string since;     // YYYY-MM-DD; empty: no "changed since" list
  std::string format = "json";  // json | table
};
int Track(const TrackCommand& command);

struct ModelsCommand {
  std::string format = "table";  // table | json
};
int Models(const ModelsCommand& command);

struct ReportCommand {
  // A scenario file (empty: the built-in one) or a results database.
  std::string input;
  std::string input_format;
  // Comma-separated model specifications; empty: every model that applies.
  std::string models;
  std::uint64_t seed = 0;
  std::string observed;  // observed outcomes (TOML); empty: none
  std::string output;    // empty: standard output
  std::string horizon;   // YYYY-MM-DD; empty: DefaultHorizon
};
// Writes one self-contained HTML file (docs/report.md).
int WriteReport(const ReportCommand& command);

struct ServeCommand {
  std::string host = "127.0.0.1";
  int port = 8377;  // 0: any free port
  std::string store;
  std::vector<std::string> files;  // scenario files the page may open
};
// Serves the dashboard until Ctrl-C (docs/report.md).
int Serve(const ServeCommand& command);

}  // namespace unionstate::cli

#endif  // UNIONSTATE_CLI_COMMANDS_H_
