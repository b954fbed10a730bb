#ifndef UNIONSTATE_CLI_COMMANDS_H_
#define UNIONSTATE_CLI_COMMANDS_H_

// The subcommands of the `unionstate` program, as functions over plain
// option structs (main.cc parses the command line with CLI11 and calls
// these). Each returns the process exit status (docs/cli.md):
//   0 success, 1 a computation or I/O failure, 2 bad input or usage.

#include <cstdint>
#include <optional>
#include <string>

namespace unionstate::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitBadInput = 2;

struct RunCommand {
  std::string scenario;      // empty: the built-in Union State scenario
  std::string input_format;  // empty: detect
  std::string model;
  std::uint64_t seed = 0;
  std::string format = "json";  // json | table
  std::string output;           // empty: standard output
};
int Run(const RunCommand& command);

struct ValidateCommand {
  std::string scenario;
  std::string input_format;
};
int Validate(const ValidateCommand& command);

struct ModelsCommand {
  std::string format = "table";  // table | json
};
int Models(const ModelsCommand& command);

}  // namespace unionstate::cli

#endif  // UNIONSTATE_CLI_COMMANDS_H_
