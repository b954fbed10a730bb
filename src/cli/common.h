#ifndef UNIONSTATE_CLI_COMMON_H_
#define UNIONSTATE_CLI_COMMON_H_

// Helpers shared by the subcommands (commands.cc, ensemble_command.cc).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "unionstate/forecast.h"
#include "unionstate/scenario.h"
#include "unionstate/status.h"

namespace unionstate::cli {

// The exit status for an error (docs/cli.md).
int ExitCodeFor(const Error& error);
// Prints every diagnostic on stderr and returns ExitCodeFor(error).
int Report(const Error& error);
// The scenario at `path` (the built-in one when empty); an unreadable file
// is the caller's mistake (kInvalidInput).
Result<Scenario> LoadFromCommand(const std::string& path,
                                 const std::string& input_format);
// Writes `text` to `path` (Env::WriteFile: a regular file replaced
// atomically, a device or FIFO written in place), or to standard output
// when empty.
int Emit(const std::string& text, const std::string& path);
// An --output that can be refused before any work: a directory, or a link
// that names nothing (the same errors Env::WriteFile gives); nullopt
// otherwise, and for "" (standard output).
std::optional<Error> CheckOutputPath(const std::string& path);

// Parses a date given to `option` (e.g. "--horizon"); a bad one is a
// kInvalidArgument naming the option and the expected form.
Result<Date> ParseDateOption(const std::string& option,
                             const std::string& text);
// Resolves kAutoModel for `scenario`.
std::string ModelFor(const std::string& spec, const Scenario& scenario);

}  // namespace unionstate::cli

#endif  // UNIONSTATE_CLI_COMMON_H_
