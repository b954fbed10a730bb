// ModuleEntry (modules.h) for the statically linked program: the command
// goes to the dynamic sibling, which can load the module.

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "cli/modules.h"

namespace unionstate::cli {
namespace {

int kept_argc = 0;
char** kept_argv = nullptr;

}  // namespace

void KeepCommandLine(int argc, char** argv) {
  kept_argc = argc;
  kept_argv = argv;
}

Result<void*> ModuleEntry(const std::string& file, const char*,
                          const std::string& what) {
  Result<std::string> folder = ProgramFolder(what, file);
  if (!folder) return std::unexpected(folder.error());
  const std::string sibling = *folder + UNIONSTATE_DYNAMIC_SIBLING;
  if (kept_argv == nullptr || kept_argc < 1) {
    return Failed(fmt::format(
        "{} {} needs the program's command line, which main() did not keep",
        what, file));
  }
  // Whatever this process has buffered is written before it is replaced.
  std::fflush(stdout);
  std::fflush(stderr);
  execv(sibling.c_str(), kept_argv);
  const int error = errno;
  return Failed(fmt::format(
      "{} {} loads only in the dynamically linked program, and {} does not "
      "start ({}); expected it beside this one, as the build puts it",
      what, file, sibling, std::strerror(error)));
}

}  // namespace unionstate::cli
