#include "unionstate/commitment.h"

#include <cctype>
#include <string>

namespace unionstate {
namespace {

constexpr std::string_view kSupranational[] = {
    "supranational",         "single currency",        "single issuing centre",
    "single issuing center", "single emission centre", "union parliament",
    "single regulator"};
constexpr std::string_view kSingleMarket[] = {
    "single market", "unified market", "common market", "integrated system",
    "integrated administration"};
constexpr std::string_view kStandardise[] = {
    "standardise", "standardize",   "standardisation", "standardization",
    "unify",       "unified rules", "unification"};
constexpr std::string_view kHarmonise[] = {"harmonise",
                                           "harmonize",
                                           "harmonisation",
                                           "harmonization",
                                           "align",
                                           "synchronise",
                                           "synchronize",
                                           "synchronisation",
                                           "synchronization",
                                           "bring together",
                                           "converge",
                                           "convergence",
                                           "coordinate",
                                           "joint approaches",
                                           "common principles",
                                           "agree on policy"};
constexpr std::string_view kInformation[] = {
    "exchange of information", "exchange information", "information exchange"};
constexpr std::string_view kNothing[] = {"no commitment", "dropped",
                                         "postponed"};

constexpr CommitmentRung kLadder[] = {
    {100, "a supranational body or a single currency", kSupranational},
    {80, "a single market or an integrated administration system",
     kSingleMarket},
    {60, "standardise or unify legislation", kStandardise},
    {40, "harmonise / align / synchronise", kHarmonise},
    {20, "exchange of information", kInformation},
    {0, "the status quo", kNothing},
};

}  // namespace

std::span<const CommitmentRung> CommitmentLadder() { return kLadder; }

std::optional<CommitmentMatch> ClassifyCommitment(std::string_view wording) {
  std::string text(wording);
  for (char& c : text)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const CommitmentRung& rung : kLadder) {
    for (std::string_view phrase : rung.phrases) {
      if (text.find(phrase) != std::string::npos)
        return CommitmentMatch{rung.depth, phrase};
    }
  }
  return std::nullopt;
}

}  // namespace unionstate
