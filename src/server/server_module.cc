// The entry point of libunionstate_server.so (server_module.h).

#include "server/server_module.h"

extern "C" __attribute__((visibility("default"))) void unionstate_serve(
    const unionstate::ServerOptions* options,
    unionstate::Result<void>* result) {
  *result = unionstate::Serve(*options);
}

namespace unionstate::internal {
// The entry point has the type the program calls it through.
[[maybe_unused]] constexpr ServeEntry kServeEntry = &unionstate_serve;
}  // namespace unionstate::internal
