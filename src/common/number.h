#ifndef UNIONSTATE_COMMON_NUMBER_H_
#define UNIONSTATE_COMMON_NUMBER_H_

// Reading numbers written by people: table cells, model specifications,
// command-line values. Shared by the scenario readers and the model registry,
// so neither depends on the other.

#include <optional>
#include <string_view>

namespace unionstate::internal {

// Parses a whole field as a finite number: surrounding blanks and tabs and a
// leading '+' are allowed, anything else left over is not. nullopt for an
// empty field, trailing text, infinity, NaN or a value out of double's range.
std::optional<double> ParseNumber(std::string_view text);

}  // namespace unionstate::internal

#endif  // UNIONSTATE_COMMON_NUMBER_H_
