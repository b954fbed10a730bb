#ifndef UNIONSTATE_SCENARIO_BUILTIN_FILES_H_
#define UNIONSTATE_SCENARIO_BUILTIN_FILES_H_

// The scenario files compiled into the library (CMake embeds
// scenarios/union-state/*.toml into builtin_files.cc at build time).

#include <span>
#include <string_view>

namespace unionstate::internal {

struct EmbeddedFile {
  std::string_view label;  // "scenarios/union-state/<name>"
  std::string_view text;
};

std::span<const EmbeddedFile> EmbeddedFiles();

}  // namespace unionstate::internal

#endif  // UNIONSTATE_SCENARIO_BUILTIN_FILES_H_
