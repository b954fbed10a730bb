// What every command pays at start (bench/README.md, "Whole commands: one
// run's fixed cost").

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/test_support.h"

namespace unionstate {
namespace {

// Issue 19: the program is linked statically (src/cli/modules.h): it starts
// without the dynamic loader, so it loads no library at all, and the
// loader's account of an ordinary command is empty.
TEST(StartupCli, TheProgramIsLinkedStatically) {
#if !UNIONSTATE_STATIC_PROGRAM
  GTEST_SKIP() << "built without the static link (a sanitizer build, or "
                  "UNIONSTATE_STATIC_PROGRAM=OFF)";
#endif
  testing::CommandResult elf =
      testing::RunShell("readelf -lW '" + testing::UnionstateBinary() +
                        "' | grep -c INTERP; "
                        "readelf -dW '" +
                        testing::UnionstateBinary() + "' | grep -c NEEDED");
  EXPECT_EQ(elf.out, "0\n0\n") << "the program asks for a dynamic loader "
                                  "or a shared library";
  testing::CommandResult r =
      testing::RunShell("LD_DEBUG=libs '" + testing::UnionstateBinary() +
                        "' run --model parity 2>&1 >/dev/null");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "");
  // Its sibling, which loads the modules, is dynamic and position-
  // independent (the dashboard's server runs there).
  testing::CommandResult sibling =
      testing::RunShell("readelf -hW '" + testing::LoadingBinary() +
                        "' | grep -c 'DYN '; "
                        "readelf -lW '" +
                        testing::LoadingBinary() + "' | grep -c INTERP");
  EXPECT_EQ(sibling.out, "1\n1\n");
}

// The static program alone in a folder (its sibling and the modules not
// beside it): `serve`, and `ensemble` as mpirun starts it, say that
// unionstate-dynamic does not start and exit 1, with nothing on standard
// output; every other command runs as before.
TEST(StartupCli, TheStaticProgramWithoutItsSiblingSaysSoForServeAndMpi) {
#if !UNIONSTATE_STATIC_PROGRAM
  GTEST_SKIP() << "built without the static link";
#endif
  const std::string folder =
      ::testing::TempDir() + "unionstate_alone_" + std::to_string(::getpid());
  const std::string alone = folder + "/unionstate";
  ASSERT_EQ(
      testing::RunShell("rm -rf '" + folder + "' && mkdir '" + folder +
                        "' && (ln '" + testing::UnionstateBinary() + "' '" +
                        alone + "' 2>/dev/null || cp '" +
                        testing::UnionstateBinary() + "' '" + alone + "')")
          .exit_code,
      0);
  const std::string missing =
      folder + "/unionstate-dynamic does not start (No such file or directory)";
  testing::CommandResult served =
      testing::RunShell("'" + alone + "' serve --port 0 2>&1 >'" + folder +
                        "/out'; echo \"exit $?\"; cat '" + folder + "/out'");
  EXPECT_NE(served.out.find("the dashboard module libunionstate_server.so "
                            "loads only in the dynamically linked program"),
            std::string::npos)
      << served.out;
  EXPECT_NE(served.out.find(missing), std::string::npos) << served.out;
  EXPECT_NE(served.out.find("exit 1\n"), std::string::npos) << served.out;
  EXPECT_EQ(served.out.find("dashboard: http"), std::string::npos)
      << served.out;
#ifdef UNIONSTATE_MPIEXEC
  // The variables mpirun sets for its ranks, without mpirun.
  testing::CommandResult ranked = testing::RunShell(
      "OMPI_COMM_WORLD_SIZE=1 '" + alone +
      "' ensemble --runs 3 --perturb positions=1 --quiet 2>&1; "
      "echo \"exit $?\"");
  EXPECT_NE(ranked.out.find("started by mpirun, but the MPI module"),
            std::string::npos)
      << ranked.out;
  EXPECT_NE(ranked.out.find(missing), std::string::npos) << ranked.out;
  EXPECT_NE(ranked.out.find("exit 1\n"), std::string::npos) << ranked.out;
#endif
  testing::CommandResult ran =
      testing::RunShell("'" + alone + "' run --model parity");
  EXPECT_EQ(ran.exit_code, 0) << ran.out;
  EXPECT_NE(ran.out.find("\"model\": \"parity\""), std::string::npos);
  testing::RunShell("rm -rf '" + folder + "'");
}

// The dashboard's HTTP library, and the OpenSSL, zlib and brotli libraries
// it brings, are loaded only by `serve` (from the module beside the
// program): in the program that loads modules, the dynamic loader's account
// of other commands names none of them.
TEST(StartupCli, OnlyServeLoadsTheHttpLibraries) {
  const std::string file =
      testing::SourcePath("scenarios/union-state/2019-12.toml");
  for (const std::string& args : std::vector<std::string>{
           "models", "run --model parity", "validate " + file}) {
    const std::string out =
        testing::LoaderAccount(testing::LoadingBinary(), args);
    for (const char* library : {"libcpp-httplib", "libssl", "libcrypto",
                                "libbrotli", "libz.", "libunionstate_server"}) {
      EXPECT_EQ(out.find(library), std::string::npos)
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
    const std::string out =
        testing::LoaderAccount(testing::LoadingBinary(), args, exit_code);
    for (const char* library : {"libtbb", "libfmt", "libtinyxml2"}) {
      EXPECT_EQ(out.find(library), std::string::npos)
          << args << " loads " << library;
    }
#if UNIONSTATE_STATIC_LIBSTDCXX
    // Built with libstdc++ linked in (not in the sanitizer build).
    EXPECT_EQ(out.find("libstdc++"), std::string::npos)
        << args << " loads the shared libstdc++";
#endif
  }
}

// The functions src/cli/startup_order.txt names: the program, linked with
// that order, still defines nearly all of them (else the file has gone
// stale: scripts/startup-order.sh writes it again), and they lie side by
// side instead of over the whole of its code.
// src/cli/startup_order.txt: the functions, then (after "# data") the
// variables the short commands write, then (after "# read-only data") what
// they load from the read-only segment.
struct StartupOrder {
  std::set<std::string> functions;
  std::set<std::string> variables;
  std::set<std::string> read_only;
};

StartupOrder ReadStartupOrder() {
  std::ifstream file(testing::SourcePath("src/cli/startup_order.txt"));
  StartupOrder order;
  std::set<std::string>* into = &order.functions;
  for (std::string line; std::getline(file, line);) {
    if (line.starts_with("# data")) into = &order.variables;
    if (line.starts_with("# read-only")) into = &order.read_only;
    if (!line.empty() && line[0] != '#') into->insert(line);
  }
  return order;
}

struct Symbol {
  std::uint64_t address = 0;
  std::uint64_t size = 0;
  char type = 0;
  std::string name;
};

std::vector<Symbol> ProgramSymbols() {
  testing::CommandResult nm = testing::RunShell(
      "nm -S --defined-only '" + testing::UnionstateBinary() + "'");
  EXPECT_EQ(nm.exit_code, 0) << nm.out;
  std::vector<Symbol> out;
  std::istringstream lines(nm.out);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string address, size, type, name;
    if (!(words >> address >> size >> type >> name)) continue;  // no size
    out.push_back({std::stoull(address, nullptr, 16),
                   std::stoull(size, nullptr, 16), type[0], name});
  }
  return out;
}

// The program's sections: name, address and size (readelf -SW).
struct Section {
  std::string name;
  std::uint64_t begin = 0, size = 0;
};

std::vector<Section> ProgramSections() {
  testing::CommandResult readelf =
      testing::RunShell("readelf -SW '" + testing::UnionstateBinary() + "'");
  EXPECT_EQ(readelf.exit_code, 0) << readelf.out;
  std::vector<Section> out;
  std::istringstream lines(readelf.out);
  for (std::string line; std::getline(lines, line);) {
    // "  [19] .data  PROGBITS  0000000000942260 73f260 00554c 00  WA ..."
    const size_t bracket = line.find(']');
    if (bracket == std::string::npos) continue;
    std::istringstream words(line.substr(bracket + 1));
    std::string name, type, address, offset, size;
    if (!(words >> name >> type >> address >> offset >> size)) continue;
    const auto hex = [](const std::string& x) {
      return !x.empty() &&
             x.find_first_not_of("0123456789abcdef") == std::string::npos;
    };
    if (!hex(address) || !hex(size)) continue;  // the heading, the NULL one
    out.push_back({name, std::stoull(address, nullptr, 16),
                   std::stoull(size, nullptr, 16)});
  }
  return out;
}

TEST(StartupCli, TheStartupOrderNamesTheProgramsFunctionsSideBySide) {
#if !UNIONSTATE_STARTUP_ORDER
  // The names are those of the optimised build's functions and clones.
  GTEST_SKIP() << "linked without the startup order (no lld, or a "
                  "sanitizer build)";
#endif
  const std::set<std::string> listed = ReadStartupOrder().functions;
  ASSERT_GT(listed.size(), 300u);
  std::set<std::string> found;
  std::uint64_t first = UINT64_MAX, end = 0, bytes = 0;
  for (const Symbol& s : ProgramSymbols()) {
    if (s.type != 't' && s.type != 'T' && s.type != 'W' && s.type != 'i')
      continue;
    if (!listed.contains(s.name) || !found.insert(s.name).second) continue;
    first = std::min(first, s.address);
    end = std::max(end, s.address + s.size);
    bytes += s.size;
  }
  EXPECT_GE(found.size(), listed.size() * 9 / 10)
      << "src/cli/startup_order.txt names functions the program no longer "
         "has: run scripts/startup-order.sh";
  // Alignment padding between them, and the few functions the file names
  // twice under one address, leave some room; scattered over the program's
  // 5 MB of code, they spanned seven times their size.
  EXPECT_LT(end - first, bytes + bytes / 4)
      << found.size() << " functions of " << bytes << " bytes span "
      << end - first << " bytes";
}

// Valgrind's CPU has no AVX-512, so the script sees the AVX2 version of
// every function picked by the CPU; where the program also has the AVX-512
// one (a target_clones kernel's NAME.avx512f, glibc's __strlen_evex beside
// __strlen_avx2), the file names it too, so that a machine with AVX-512
// runs ordered code rather than a page of its own per version. Before,
// the 34-actor smp run faulted on four such kernels and three string
// functions outside the ordered code.
TEST(StartupCli, TheStartupOrderNamesTheVersionsValgrindDoesNotRun) {
#if !UNIONSTATE_STARTUP_ORDER
  GTEST_SKIP() << "linked without the startup order (no lld, or a "
                  "sanitizer build)";
#endif
  const std::set<std::string> listed = ReadStartupOrder().functions;
  std::set<std::string> defined;
  for (const Symbol& s : ProgramSymbols()) defined.insert(s.name);
  int clones = 0, libc = 0;
  for (const std::string& name : listed) {
    std::vector<std::string> wanted;
    const bool clone = name.ends_with(".avx2");
    if (clone) wanted.push_back(name.substr(0, name.size() - 5) + ".avx512f");
    for (const char* avx2 : {"_avx2", "_avx_"}) {
      const size_t at = name.find(avx2);
      if (!name.starts_with("__") || at == std::string::npos) continue;
      const std::string rest = name.substr(at + std::strlen(avx2));
      const std::string tail = avx2[4] == '_' ? "_" + rest : rest;
      wanted.push_back(name.substr(0, at) + "_evex" + tail);
    }
    for (const std::string& w : wanted) {
      if (!defined.contains(w)) continue;
      ++(clone ? clones : libc);
      EXPECT_TRUE(listed.contains(w))
          << name << " is listed, " << w
          << " is not: run scripts/startup-order.sh";
    }
  }
  // The smp kernels' clones, at least; and glibc's string functions where
  // libc is linked into the program.
  EXPECT_GT(clones, 10);
#if UNIONSTATE_STATIC_PROGRAM
  EXPECT_GT(libc, 8);
#endif
}

// The variables the short commands write sit at the start of .data and of
// .bss, so that a command writes a few fresh pages of each, not most of
// them. The link moves each one's whole input section (one per object file
// of libc and libstdc++), so the start spans more than the variables alone:
// half as much again, and a page, leave room for that. Linked in the order
// of their object files, they spanned all of .data's 21 KB and .bss's 40.
TEST(StartupCli, TheStartupOrderPutsTheWrittenVariablesFirst) {
#if !UNIONSTATE_STARTUP_ORDER || !UNIONSTATE_STATIC_PROGRAM
  GTEST_SKIP() << "linked without the startup order, or not statically "
                  "(the list names libc's variables)";
#endif
  const std::set<std::string> listed = ReadStartupOrder().variables;
  ASSERT_GT(listed.size(), 100u) << "no \"# data\" part: run "
                                    "scripts/startup-order.sh";
  struct Part {
    Section section;
    std::uint64_t listed_bytes = 0, listed_end = 0;
    int found = 0;
  };
  std::vector<Part> of;
  for (const Section& section : ProgramSections()) {
    if (section.name == ".data" || section.name == ".bss")
      of.push_back({section});
  }
  ASSERT_EQ(of.size(), 2u);
  // Each name once, each address's bytes once (a name may be defined in
  // several object files, an address may carry several names).
  std::set<std::string> found_names;
  std::set<std::uint64_t> counted;
  for (const Symbol& s : ProgramSymbols()) {
    if (!listed.contains(s.name)) continue;
    found_names.insert(s.name);
    if (!counted.insert(s.address).second) continue;
    for (Part& part : of) {
      if (s.address < part.section.begin ||
          s.address >= part.section.begin + part.section.size)
        continue;
      part.listed_bytes += s.size;
      part.listed_end = std::max(part.listed_end, s.address + s.size);
      ++part.found;
    }
  }
  EXPECT_GE(found_names.size(), listed.size() * 9 / 10)
      << "src/cli/startup_order.txt names variables the program no longer "
         "has: run scripts/startup-order.sh";
  for (const Part& part : of) {
    SCOPED_TRACE(part.section.name);
    EXPECT_GT(part.found, 10);
    EXPECT_LT(part.listed_end - part.section.begin,
              part.listed_bytes + part.listed_bytes / 2 + 4096)
        << part.found << " variables of " << part.listed_bytes << " bytes end "
        << part.listed_end - part.section.begin << " bytes into "
        << part.section.name << " (" << part.section.size << " bytes)";
  }
}

// The read-only data the short commands load (libc's and libm's tables,
// the built-in scenario's image, libstdc++'s locale names, fmt's and
// nlohmann's digit tables) sits at the start of .rodata. The link moves
// each one's whole input section, so its span is more than the data alone:
// half as much again and 64 KB leave room for that. A few constants live in
// sections the link merges and does not reorder (libm's 8- and 16-byte
// ones), so nine tenths of the listed bytes are asked for, not all. Before,
// the image alone began 390 KB in.
TEST(StartupCli, TheStartupOrderPutsTheReadOnlyDataLoadedFirst) {
#if !UNIONSTATE_STARTUP_ORDER || !UNIONSTATE_STATIC_PROGRAM
  GTEST_SKIP() << "linked without the startup order, or not statically "
                  "(the list names libc's tables)";
#endif
  const std::set<std::string> listed = ReadStartupOrder().read_only;
  ASSERT_GT(listed.size(), 30u) << "no \"# read-only data\" part: run "
                                   "scripts/startup-order.sh";
  std::uint64_t begin = 0, size = 0;
  for (const Section& section : ProgramSections()) {
    if (section.name != ".rodata") continue;
    begin = section.begin;
    size = section.size;
  }
  ASSERT_GT(size, 0u);
  // Each name once, each address's bytes once (as for the variables).
  std::set<std::string> found;
  std::set<std::uint64_t> counted;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> spans;  // end, bytes
  std::uint64_t bytes = 0;
  for (const Symbol& s : ProgramSymbols()) {
    if (!listed.contains(s.name)) continue;
    found.insert(s.name);
    if (s.address < begin || s.address >= begin + size) continue;
    if (!counted.insert(s.address).second) continue;
    spans.push_back({s.address + s.size - begin, s.size});
    bytes += s.size;
  }
  EXPECT_GE(found.size(), listed.size() * 9 / 10)
      << "src/cli/startup_order.txt names read-only data the program no "
         "longer has: run scripts/startup-order.sh";
  const std::uint64_t front = bytes + bytes / 2 + (64 << 10);
  std::uint64_t in_front = 0;
  for (const auto& [end, n] : spans) in_front += end <= front ? n : 0;
  EXPECT_GE(in_front * 10, bytes * 9)
      << in_front << " of " << bytes << " listed bytes in the first " << front
      << " bytes of .rodata (" << size << " bytes)";
}

#if UNIONSTATE_HUGE_PAGE_ARENA
// The operator new and delete of the program that loads the modules
// (src/cli/operator_new.cc; the dynamic sibling when the program is linked
// statically) are in its dynamic symbol table, so the modules it loads, and
// their shared libstdc++, bind to them: a block may cross between the
// program and a module (web/test/server.test.mjs serves through the server
// module).
TEST(StartupCli, TheProgramExportsItsOperatorNewAndDelete) {
  testing::CommandResult nm = testing::RunShell("nm -D --defined-only '" +
                                                testing::LoadingBinary() + "'");
  ASSERT_EQ(nm.exit_code, 0) << nm.out;
  for (const char* symbol :
       {" _Znwm\n", " _Znam\n", " _ZdlPv\n", " _ZdlPvm\n", " _ZdaPv\n",
        " _ZnwmSt11align_val_t\n", " _ZdlPvmSt11align_val_t\n",
        " _ZnwmRKSt9nothrow_t\n"}) {
    EXPECT_NE(nm.out.find(symbol), std::string::npos) << symbol;
  }
}
#endif

}  // namespace
}  // namespace unionstate
