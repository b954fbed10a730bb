#ifndef UNIONSTATE_TESTS_SUPPORT_TEST_SUPPORT_H_
#define UNIONSTATE_TESTS_SUPPORT_TEST_SUPPORT_H_

// Paths and helpers the tests share.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "unionstate/scenario.h"

namespace unionstate::testing {

// A file under the repository root / under shared/ (the oracle data).
std::string SourcePath(const std::string& relative);
std::string SharedPath(const std::string& relative);

// The whole file; the test fails (and the string is empty) when it cannot
// be read.
std::string ReadText(const std::string& path);

// A CSV file as rows of fields (comma-separated, no quoting).
std::vector<std::vector<std::string>> ReadCsv(const std::string& path);

// Loads a scenario file and fails the test on any error.
Scenario LoadOrDie(const std::string& path);

// Runs the built `unionstate` program with `arguments` (a shell word list).
struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
CommandResult RunUnionstate(const std::string& arguments);
// The same, run from the folder `directory`.
CommandResult RunUnionstateIn(const std::string& directory,
                              const std::string& arguments);

// Runs a shell command line, capturing its output.
CommandResult RunShell(const std::string& command);

// The path of the built `unionstate` program.
std::string UnionstateBinary();
// The program that loads the modules (src/cli/modules.h): its dynamically
// linked sibling unionstate-dynamic when the program is linked statically,
// else the program itself.
std::string LoadingBinary();
// Both, once each: the program first.
std::vector<std::string> ProgramBinaries();
// The dynamic loader's own account (LD_DEBUG=libs, which names every library
// it loads) of `args` run by `binary`, one of ProgramBinaries(), checked: the
// exit status is `exit_code`, and the account shows the loader at work in
// the dynamic program and is empty for the statically linked one.
std::string LoaderAccount(const std::string& binary, const std::string& args,
                          int exit_code = 0);

// The first column of the first row a query on the SQLite database at
// `path` returns (opened read-write, so a crashed writer's WAL is
// recovered; never created): as text ("" for NULL, nullopt when the file
// cannot be opened or the query fails), as a double (NaN then) or as an
// integer (-1 then).
std::optional<std::string> SqlText(const std::string& path,
                                   const std::string& sql);
double SqlReal(const std::string& path, const std::string& sql);
std::int64_t SqlInt(const std::string& path, const std::string& sql);

// A small scenario built in code: `n_actors` actors on sides "east" and
// "west" (alternating), `n_issues` issues on [0, 100] with status quo 50,
// positions and saliences spread deterministically from `seed`.
Scenario MakeScenario(int n_actors, int n_issues, unsigned seed);

}  // namespace unionstate::testing

#endif  // UNIONSTATE_TESTS_SUPPORT_TEST_SUPPORT_H_
