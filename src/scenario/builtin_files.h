#ifndef UNIONSTATE_SCENARIO_BUILTIN_FILES_H_
#define UNIONSTATE_SCENARIO_BUILTIN_FILES_H_

// The scenario files compiled into the library (CMake embeds
// scenarios/union-state/*.toml into builtin_files.cc at build time), and
// their images (builtin_images.cc, written by tools/bake_scenarios).

#include <span>
#include <string_view>

namespace unionstate::internal {

struct EmbeddedFile {
  std::string_view label;  // "scenarios/union-state/<name>"
  std::string_view text;
};

std::span<const EmbeddedFile> EmbeddedFiles();

// The image (scenario_image.h) of each built-in TOML scenario, made when
// the program is built by tools/bake_scenarios from the same text as
// EmbeddedFiles() holds; a file that is not a valid scenario has none.
struct EmbeddedImage {
  std::string_view label;  // as in EmbeddedFile
  std::string_view bytes;
};

std::span<const EmbeddedImage> EmbeddedImages();

}  // namespace unionstate::internal

#endif  // UNIONSTATE_SCENARIO_BUILTIN_FILES_H_
