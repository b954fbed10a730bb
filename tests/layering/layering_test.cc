// The layers of src/ as DESIGN.md draws them, checked on the includes: a
// model sees the public API, src/common/, the files every model shares and
// its own folder; never a scenario reader's internals or another model.

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/test_support.h"

namespace unionstate {
namespace {

namespace fs = std::filesystem;

struct Include {
  std::string file;  // relative to the repository root
  int line = 0;
  std::string header;
};

std::vector<Include> ProjectIncludes(const std::string& folder) {
  const fs::path root = testing::SourcePath("");
  const std::regex include_re(R"re(^\s*#\s*include\s*"([^"]+)")re");
  std::vector<Include> result;
  for (const auto& entry : fs::recursive_directory_iterator(root / folder)) {
    if (!entry.is_regular_file()) continue;
    const std::string ext = entry.path().extension().string();
    if (ext != ".h" && ext != ".cc") continue;
    std::ifstream in(entry.path());
    std::string text;
    for (int line = 1; std::getline(in, text); ++line) {
      std::smatch m;
      if (std::regex_search(text, m, include_re)) {
        result.push_back({fs::relative(entry.path(), root).string(), line,
                          m[1].str()});
      }
    }
  }
  return result;
}

// The folder of a model's file: "src/models/smp/smp.cc" -> "smp"; "" for the
// files every model shares.
std::string ModelFolder(const std::string& file) {
  const std::string prefix = "src/models/";
  std::string rest = file.substr(prefix.size());
  size_t slash = rest.find('/');
  return slash == std::string::npos ? "" : rest.substr(0, slash);
}

TEST(Layering, ModelsIncludeNoScenarioInternalsAndNoOtherModel) {
  std::vector<Include> includes = ProjectIncludes("src/models");
  ASSERT_GT(includes.size(), 50u);  // the scan found the sources
  for (const Include& inc : includes) {
    SCOPED_TRACE(inc.file + ":" + std::to_string(inc.line) + ": " +
                 inc.header);
    EXPECT_FALSE(inc.header.starts_with("scenario/"))
        << "a model may use the scenario's public API (unionstate/*.h) only";
    const std::string own = ModelFolder(inc.file);
    if (inc.header.starts_with("models/")) {
      std::string target = ModelFolder("src/" + inc.header);
      // Shared files (models/x.h) are open to all; a model's folder only to
      // itself and to the registry, which lists every model.
      bool registry = inc.file == "src/models/registry.cc";
      EXPECT_TRUE(target.empty() || target == own || registry)
          << "a model includes another model's internals";
    }
  }
}

TEST(Layering, EveryModelHasItsOwnFolder) {
  const fs::path models = fs::path(testing::SourcePath("src/models"));
  for (const auto& entry : fs::directory_iterator(models)) {
    if (!entry.is_directory()) continue;
    const std::string name = entry.path().filename().string();
    SCOPED_TRACE(name);
    EXPECT_TRUE(fs::exists(entry.path() / (name + ".h")))
        << "src/models/" << name << "/ holds no " << name << ".h";
    EXPECT_TRUE(fs::exists(entry.path() / (name + "_test.cc")))
        << "src/models/" << name << "/ holds no " << name << "_test.cc";
  }
  // Only shared machinery sits directly in src/models/.
  for (const auto& entry : fs::directory_iterator(models)) {
    if (!entry.is_regular_file()) continue;
    const std::string name = entry.path().filename().string();
    EXPECT_TRUE(
        name.starts_with("model") || name.starts_with("registry") ||
        name.starts_with("parameters") || name.starts_with("issue_stances") ||
        name.starts_with("convergence") || name.starts_with("negotiations"))
        << "src/models/" << name
        << " looks like a model's own file: give it the model's folder";
  }
}

}  // namespace
}  // namespace unionstate
