// `unionstate serve`: the local dashboard (include/unionstate/server.h).

#include <cstdio>

#include "cli/commands.h"
#include "cli/common.h"
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
  Result<void> served = unionstate::Serve(options);
  if (!served) return Report(served.error());
  return kExitOk;
}

}  // namespace unionstate::cli
