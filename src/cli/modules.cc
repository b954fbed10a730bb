// What both links of the program share of modules.h.

#include "cli/modules.h"

#include <fmt/format.h>
#include <unistd.h>

namespace unionstate::cli {

Result<std::string> ProgramFolder(const std::string& what,
                                  const std::string& file) {
  char self[4096] = {};
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  const std::string path =
      n > 0 ? std::string(self, static_cast<size_t>(n)) : "";
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) {
    return Failed(fmt::format(
        "{} {} is looked for beside the program, and where the program is "
        "cannot be read (/proc/self/exe); expected /proc to be mounted",
        what, file));
  }
  return path.substr(0, slash + 1);
}

}  // namespace unionstate::cli
