// `unionstate serve`: the local dashboard (include/unionstate/server.h),
// run from its own module beside the program (server/server_module.h).

#include <dlfcn.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "cli/common.h"
#include "server/server_module.h"
#include "unionstate/server.h"

namespace unionstate::cli {

int Serve(const ServeCommand& command) {
  ServerOptions options;
  options.host = command.host;
  options.port = command.port;
  options.store = command.store;
  options.files = command.files;
  for (const std::string& f : command.files) {
    if (std::FILE* in = std::fopen(f.c_str(), "r")) {
      std::fclose(in);
    } else {
      return Report(Error(ErrorKind::kInvalidInput, {f, 0, 0},
                          "cannot read this scenario file"));
    }
  }
  options.on_listening = [&](int port) {
    std::printf("unionstate dashboard: http://%s:%d/  (Ctrl-C stops it)\n",
                command.host.c_str(), port);
    std::fflush(stdout);
  };
  // The module stays loaded to the end: the server runs until the process
  // is stopped.
  char self[4096] = {};
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  std::string dir = n > 0 ? std::string(self, static_cast<size_t>(n)) : "";
  dir = dir.substr(0, dir.rfind('/') + 1);
  const std::string path = dir + UNIONSTATE_SERVER_MODULE;
  void* module = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  void* serve =
      module != nullptr ? dlsym(module, internal::kServeSymbol) : nullptr;
  if (serve == nullptr) {
    return Report(
        Failed(fmt::format("the dashboard's module {} does not load ({}); "
                           "expected it beside the program, as the build "
                           "puts it",
                           path, dlerror()))
            .error());
  }
  Result<void> served;
  reinterpret_cast<internal::ServeFunction>(serve)(&options, &served);
  if (!served) return Report(served.error());
  return kExitOk;
}

}  // namespace unionstate::cli
