#ifndef UNIONSTATE_SCENARIO_SCENARIO_IMAGE_H_
#define UNIONSTATE_SCENARIO_SCENARIO_IMAGE_H_

// A validated scenario in a compact binary form, so that the built-in
// scenarios are read and validated once, when the program is built, not at
// every start (bench/README.md, "Whole commands": reading 116 KB of TOML
// through toml++ cost four fifths of `unionstate run --model parity`).
//
// tools/bake_scenarios.cc parses and validates each built-in TOML scenario
// with the ordinary reader and writes its image into the generated
// builtin_images.cc; LoadBuiltinScenario decodes the image instead of
// parsing the text. The image holds every field of Scenario except the
// derived stance_index (rebuilt on decoding); doubles are stored as their
// bits, so the decoded scenario equals the parsed one exactly
// (scenario_image_test.cc checks it field by field, and every model's
// forecast, for every built-in scenario).
//
// The decoder is part of the program and trusts nothing: every read is
// bounded, every count is bounded by the bytes left, every enumeration,
// index and number is checked, and the whole image must be used; a damaged
// image is an error, never undefined behaviour. The byte order and layout
// are those of the machine that built the program (the image never leaves
// the binary it was built into).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "unionstate/scenario.h"
#include "unionstate/status.h"

namespace unionstate::internal {

// The image of `scenario`, a validated scenario read from a text of
// `text_size` bytes. Locations in `scenario.file` are stored without the
// file name, which the decoder supplies.
std::string EncodeScenarioImage(const Scenario& scenario, uint64_t text_size);

// The scenario in `image`, with `file` as its file and the file of the
// locations that were in its file when encoded. `text_size` must be the
// size recorded by EncodeScenarioImage (the image belongs to that text).
// A damaged image is an error of kind kFailed that names the offset.
Result<Scenario> DecodeScenarioImage(std::string_view image,
                                     const std::string& file,
                                     uint64_t text_size);

// The text size an image records (the value DecodeScenarioImage compares
// with its `text_size`), or nullopt when `image` is too short to hold it or
// does not start as an image does. For tools that hold an image without its
// text (the scenario_image fuzz target).
std::optional<uint64_t> ScenarioImageTextSize(std::string_view image);

}  // namespace unionstate::internal

#endif  // UNIONSTATE_SCENARIO_SCENARIO_IMAGE_H_
