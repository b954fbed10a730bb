#ifndef UNIONSTATE_SERVER_H_
#define UNIONSTATE_SERVER_H_

// The local dashboard (`unionstate serve`, docs/report.md): a web page to
// open a scenario, edit positions, saliences, capabilities and vetoes, re-run
// any model live, compare models, run an ensemble and watch it, browse a
// results database and export the edited scenario as TOML. The library does
// the work; the server is a thin HTTP layer (cpp-httplib, confined to
// src/server/server.cc) and the page lives under web/dashboard/.
//
// Safe by default:
//   * it listens on 127.0.0.1 unless told otherwise (and then warns);
//   * it reads only the built-in scenarios, files under `root` (the folder
//     it was started in) or named in `files`, and the store;
//   * path traversal, bodies over `max_body` bytes, malformed JSON and bad
//     fields are answered with a 4xx status and {"error": message}; an
//     unexpected failure with 500 and a message, never a crash;
//   * it writes nothing but the store (ensembles started from the page).

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "unionstate/status.h"

namespace unionstate {

struct ServerOptions {
  std::string host = "127.0.0.1";  // anything else is reachable from others
  int port = 8377;                 // 0: any free port
  std::string root;                // readable folder; "" = current folder
  std::vector<std::string> files;  // further readable files
  std::string store;               // results database; "" = none
  std::string web_dir;             // "" = WebDirectory() (report.h)
  std::size_t max_body = 1 << 20;  // bytes; larger requests get 413
  int threads = 4;                 // request threads
  // Called once listening, with the port actually bound.
  std::function<void(int port)> on_listening = {};
};

// Serves until the process is stopped (SIGINT / SIGTERM end it cleanly).
// Fails with kIo when the address cannot be bound, kInvalidArgument for
// options that make no sense. Built into the module libunionstate_server.so
// (src/server/server_module.h), not the static library: link
// src/server/server.cc with cpp-httplib to call it from another program.
Result<void> Serve(const ServerOptions& options);

}  // namespace unionstate

#endif  // UNIONSTATE_SERVER_H_
