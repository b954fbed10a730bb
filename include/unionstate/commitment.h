#ifndef UNIONSTATE_COMMITMENT_H_
#define UNIONSTATE_COMMITMENT_H_

// How deep a commitment a programme's wording makes, on the integration-depth
// scale shared by the Union State's programme issues (0-100):
//
//   depth  wording (verbs and phrases matched, case-insensitive)
//   100    a supranational body or a single currency: "supranational",
//          "single currency", "single issuing centre", "union parliament",
//          "single regulator" (one regulator of both states' markets)
//    80    a single market or an integrated administration system: "single
//          market", "unified market", "common market", "integrated system",
//          "integrated administration"
//    60    standardise or unify legislation: "standardis(z)e",
//          "standardisation", "unify", "unified rules", "unification"
//    40    harmonise / align / synchronise: "harmonis(z)e", "align",
//          "synchronis(z)e", "bring together", "converge", "coordinate",
//          "joint approaches", "common principles", "agree on policy"
//    20    exchange of information: "exchange of information", "exchange
//          information", "information exchange"
//     0    the status quo: "no commitment", "dropped", "postponed"
//
// The ladder follows seed 001's reading of the 28 union programmes: most of
// them "bring together", "harmonise", "synchronise" or "work to align"
// legislation or "enhance the exchange of information", a few "standardise"
// legislation, and taxation plans "an integrated system of excise tax
// administration". A text is placed at the deepest rung any of its phrases
// reaches (scenarios/union-state/README.md).

#include <optional>
#include <span>
#include <string_view>

namespace unionstate {

struct CommitmentRung {
  int depth;               // 0, 20, ..., 100
  std::string_view label;  // e.g. "harmonise / align / synchronise"
  std::span<const std::string_view> phrases;  // matched as substrings
};

// The rungs, deepest first.
std::span<const CommitmentRung> CommitmentLadder();

struct CommitmentMatch {
  int depth = 0;
  std::string_view phrase;  // the phrase that decided the depth
};

// The deepest rung whose phrase occurs in `wording`; nullopt when none does.
std::optional<CommitmentMatch> ClassifyCommitment(std::string_view wording);

}  // namespace unionstate

#endif  // UNIONSTATE_COMMITMENT_H_
