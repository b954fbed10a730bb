// One libFuzzer target, chosen at compile time: UNIONSTATE_FUZZ_TARGET names
// one of tests/support/fuzz_targets.h's targets (fuzz/CMakeLists.txt builds
// one executable per name; fuzz/README.md says how to run them).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tests/support/fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (!unionstate::testing::RunFuzzTarget(UNIONSTATE_FUZZ_TARGET, input))
    std::abort();
  return 0;
}
