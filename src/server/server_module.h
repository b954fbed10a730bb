#ifndef UNIONSTATE_SERVER_SERVER_MODULE_H_
#define UNIONSTATE_SERVER_SERVER_MODULE_H_

// The dashboard's server (server.cc, cpp-httplib) lives in its own module,
// libunionstate_server.so beside the program, which `unionstate serve` loads
// when it starts. cpp-httplib pulls in OpenSSL, zlib and brotli, and
// OpenSSL initialises itself when loaded (about 11 M instructions of
// dynamic linking and set-up, bench/README.md): linked into the program,
// every command -- a 2 ms `run` too -- paid for a server it never started.

#include "unionstate/server.h"
#include "unionstate/status.h"

namespace unionstate::internal {

// The name of the function the module exports, and its type: it runs
// unionstate::Serve(*options) and stores the result in *result.
inline constexpr const char* kServeSymbol = "UnionstateServe";
using ServeFunction = void (*)(const ServerOptions* options,
                               Result<void>* result);

}  // namespace unionstate::internal

#endif  // UNIONSTATE_SERVER_SERVER_MODULE_H_
