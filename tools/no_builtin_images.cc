// tools/bake_scenarios is built from the library before the images exist:
// it reads every scenario from its text.

#include "scenario/builtin_files.h"

namespace unionstate::internal {

std::span<const EmbeddedImage> EmbeddedImages() { return {}; }

}  // namespace unionstate::internal
