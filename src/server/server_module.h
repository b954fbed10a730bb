#ifndef UNIONSTATE_SERVER_SERVER_MODULE_H_
#define UNIONSTATE_SERVER_SERVER_MODULE_H_

// The dashboard server (include/unionstate/server.h) is built as the module
// libunionstate_server.so beside the program, which `unionstate serve`
// loads with dlopen: cpp-httplib brings OpenSSL, zlib and brotli, whose
// loading, relocation and initialisation cost every other command about
// 9 M instructions at start (bench/README.md, "Whole commands").

#include "unionstate/server.h"

namespace unionstate::internal {

// The module's one entry point: runs Serve(*options) into *result.
using ServeEntry = void (*)(const ServerOptions* options, Result<void>* result);
inline constexpr char kServeEntrySymbol[] = "unionstate_serve";

}  // namespace unionstate::internal

#endif  // UNIONSTATE_SERVER_SERVER_MODULE_H_
