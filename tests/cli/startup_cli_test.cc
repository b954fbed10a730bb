// What every command pays at start (bench/README.md, "Whole commands: one
// run's fixed cost").

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "tests/support/test_support.h"

namespace unionstate {
namespace {

// The dashboard's HTTP library, and the OpenSSL, zlib and brotli libraries
// it brings, are loaded only by `serve` (from the module beside the
// program): the dynamic loader's own account (LD_DEBUG=libs) of other
// commands names none of them.
TEST(StartupCli, OnlyServeLoadsTheHttpLibraries) {
  const std::string file =
      testing::SourcePath("scenarios/union-state/2019-12.toml");
  for (const std::string& args : std::vector<std::string>{
           "models", "run --model parity", "validate " + file}) {
    testing::CommandResult r =
        testing::RunShell("LD_DEBUG=libs '" + testing::UnionstateBinary() +
                          "' " + args + " 2>&1 >/dev/null");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("calling init: "), std::string::npos) << r.out;
    for (const char* library : {"libcpp-httplib", "libssl", "libcrypto",
                                "libbrotli", "libz.", "libunionstate_server"}) {
      EXPECT_EQ(r.out.find(library), std::string::npos)
          << args << " loads " << library;
    }
  }
  // The module is where the build puts it and exports its entry point
  // (web/test/server.test.mjs serves through it end to end).
  testing::CommandResult nm = testing::RunShell(
      "nm -D --defined-only \"$(dirname '" + testing::UnionstateBinary() +
      "')/libunionstate_server.so\" | grep -w unionstate_serve");
  EXPECT_EQ(nm.exit_code, 0) << nm.out;
}

TEST(StartupCli, OrdinaryCommandsLoadOnlyTheCLibraries) {
  // libtbb, libfmt and libtinyxml2 were loaded by every command (and with
  // them the shared libstdc++) for work few commands do: the worker pool,
  // fmt and the XML reader are now our own code (bench/README.md, "The
  // start-up without shared libraries").
  const std::string xml =
      testing::SharedPath("oracles/ktab_smp/smpExample.xml");
  // KTAB's shipped example leaves a coordinate empty: read, and refused.
  const std::vector<std::pair<std::string, int>> commands = {
      {"models", 0},
      {"run --model parity", 0},
      {"validate '" + xml + "'", 2},
      {"ensemble --runs 20 --perturb positions=5 --quiet", 0}};
  for (const auto& [args, exit_code] : commands) {
    testing::CommandResult r =
        testing::RunShell("LD_DEBUG=libs '" + testing::UnionstateBinary() +
                          "' " + args + " 2>&1 >/dev/null");
    ASSERT_EQ(r.exit_code, exit_code) << args << "\n" << r.out;
    EXPECT_NE(r.out.find("calling init: "), std::string::npos) << r.out;
    for (const char* library : {"libtbb", "libfmt", "libtinyxml2"}) {
      EXPECT_EQ(r.out.find(library), std::string::npos)
          << args << " loads " << library;
    }
#if UNIONSTATE_STATIC_LIBSTDCXX
    // Built with libstdc++ linked in (not in the sanitizer build).
    EXPECT_EQ(r.out.find("libstdc++"), std::string::npos)
        << args << " loads the shared libstdc++";
#endif
  }
}

}  // namespace
}  // namespace unionstate
