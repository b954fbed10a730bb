// The entry point of libunionstate_server.so (server_module.h).

#include "server/server_module.h"

extern "C" __attribute__((visibility("default"))) void UnionstateServe(
    const unionstate::ServerOptions* options,
    unionstate::Result<void>* result) {
  *result = unionstate::Serve(*options);
}
