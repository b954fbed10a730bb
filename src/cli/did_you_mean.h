#ifndef UNIONSTATE_CLI_DID_YOU_MEAN_H_
#define UNIONSTATE_CLI_DID_YOU_MEAN_H_

// "Did you mean" for misspelled subcommands and options (issue 18, item 5).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace unionstate::cli {

// The number of single-character insertions, deletions, substitutions and
// swaps of neighbours that turn `a` into `b` (Damerau-Levenshtein, optimal
// string alignment).
int EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `word`, if it is close enough to be a typo: at
// most 1 edit for words of up to 4 characters, 2 up to 8, 3 beyond. Ties go
// to the earlier candidate.
std::optional<std::string> ClosestMatch(
    std::string_view word, const std::vector<std::string>& candidates);

}  // namespace unionstate::cli

#endif  // UNIONSTATE_CLI_DID_YOU_MEAN_H_
