// `unionstate serve`: the local dashboard (include/unionstate/server.h).

#include <fmt/format.h>

#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/modules.h"
#include "server/server_module.h"
#include "unionstate/server.h"

namespace unionstate::cli {
namespace {

// Serve() from the module beside the program (server/server_module.h),
// loaded only now: no other command pays for cpp-httplib and OpenSSL. The
// statically linked program hands the command to its dynamic sibling here
// (cli/modules.h), before it has printed anything.
Result<void> ServeFromModule(const ServerOptions& options) {
  Result<void*> entry =
      ModuleEntry(UNIONSTATE_SERVER_MODULE, internal::kServeEntrySymbol,
                  "the dashboard module");
  if (!entry) return std::unexpected(entry.error());
  Result<void> served;
  reinterpret_cast<internal::ServeEntry> (*entry)(&options, &served);
  return served;
}

}  // namespace

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
  Result<void> served = ServeFromModule(options);
  if (!served) return Report(served.error());
  return kExitOk;
}

}  // namespace unionstate::cli
