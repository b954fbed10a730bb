#ifndef UNIONSTATE_CLI_MODULES_H_
#define UNIONSTATE_CLI_MODULES_H_

// The modules beside the program: the dashboard's server (`serve`) and MPI
// (`ensemble` under mpirun), loaded only by the command that needs them.
//
// The program comes in two links of the same code (CMakeLists.txt,
// UNIONSTATE_STATIC_PROGRAM):
// - `unionstate`, linked statically, which starts without the dynamic
//   loader: no library to find, map and relocate, about half of every
//   command's fixed cost on this project's machines (bench/README.md,
//   "A program linked statically"). A static program cannot load a module,
//   so where one is needed it hands the whole command, as typed, to its
//   sibling (modules_exec.cc).
// - `unionstate-dynamic`, linked dynamically and as a position-independent
//   executable, which loads the modules with dlopen (modules_dlopen.cc). The
//   dashboard's server, the one part that reads from the network, runs only
//   here, with the program's image at a random address.
// Builds without the static link (sanitizers, no lld,
// UNIONSTATE_STATIC_PROGRAM=OFF) have the dynamic program alone, as
// `unionstate`.

#include <string>

#include "unionstate/status.h"

namespace unionstate::cli {

// Keeps main()'s arguments, for a command handed to the sibling as typed.
void KeepCommandLine(int argc, char** argv);

// The entry point `symbol` of the module `file` (a file name) in the
// program's folder, the module loaded now and kept to the end; `what` names
// the module in the error when it does not load ("the dashboard module").
//
// In the static program, it does not return on success: the process becomes
// the dynamic sibling (execv, the same arguments, environment, process id and
// open files), which runs the command from its start and loads the module.
// It returns only an error: the sibling missing or not executable.
Result<void*> ModuleEntry(const std::string& file, const char* symbol,
                          const std::string& what);

// The folder that holds the running program, with its trailing '/'; an
// error naming `what` and `file` when /proc/self/exe cannot be read (never
// "", which would leave the module to dlopen's search, or the sibling to the
// working directory).
Result<std::string> ProgramFolder(const std::string& what,
                                  const std::string& file);

}  // namespace unionstate::cli

#endif  // UNIONSTATE_CLI_MODULES_H_
