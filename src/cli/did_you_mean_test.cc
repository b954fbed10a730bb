// Edit distances and the typo threshold behind "did you mean".

#include "cli/did_you_mean.h"

#include <gtest/gtest.h>

namespace unionstate::cli {
namespace {

TEST(DidYouMean, EditDistanceCountsInsertionsDeletionsSubstitutionsSwaps) {
  EXPECT_EQ(EditDistance("run", "run"), 0);
  EXPECT_EQ(EditDistance("rnu", "run"), 1);           // swap
  EXPECT_EQ(EditDistance("ensmble", "ensemble"), 1);  // insertion
  EXPECT_EQ(EditDistance("--seeds", "--seed"), 1);    // deletion
  EXPECT_EQ(EditDistance("show", "shaw"), 1);         // substitution
  EXPECT_EQ(EditDistance("", "abc"), 3);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3);
}

TEST(DidYouMean, OnlyCloseWordsAreSuggested) {
  const std::vector<std::string> names = {"run",      "validate", "evaluate",
                                          "ensemble", "show",     "models"};
  EXPECT_EQ(ClosestMatch("rnu", names), "run");
  EXPECT_EQ(ClosestMatch("evalute", names), "evaluate");
  EXPECT_EQ(ClosestMatch("model", names), "models");
  EXPECT_EQ(ClosestMatch("frobnicate", names), std::nullopt);
  EXPECT_EQ(ClosestMatch("xyz", names), std::nullopt);
}

}  // namespace
}  // namespace unionstate::cli
