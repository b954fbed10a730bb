// ModuleEntry (modules.h) for the dynamically linked program: dlopen.

#include <dlfcn.h>
#include <fmt/format.h>

#include "cli/modules.h"

namespace unionstate::cli {

void KeepCommandLine(int, char**) {}

Result<void*> ModuleEntry(const std::string& file, const char* symbol,
                          const std::string& what) {
  Result<std::string> folder = ProgramFolder(what, file);
  if (!folder) return std::unexpected(folder.error());
  const std::string path = *folder + file;
  void* module = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  void* entry = module != nullptr ? dlsym(module, symbol) : nullptr;
  if (entry == nullptr) {
    return Failed(fmt::format(
        "{} {} does not load ({}); expected it beside the program, as the "
        "build puts it",
        what, path, dlerror()));
  }
  return entry;
}

}  // namespace unionstate::cli
