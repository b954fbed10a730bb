#include "unionstate/commitment.h"

#include <gtest/gtest.h>

namespace unionstate {
namespace {

int Depth(std::string_view wording) {
  std::optional<CommitmentMatch> m = ClassifyCommitment(wording);
  EXPECT_TRUE(m.has_value()) << wording;
  return m ? m->depth : -1;
}

// The wordings seed 001 quotes from the 28 union programmes.
TEST(Commitment, MapsTheProgrammeWordingOfSeed001) {
  EXPECT_EQ(Depth("bring together their respective legislation"), 40);
  EXPECT_EQ(Depth("Harmonise"), 40);
  EXPECT_EQ(Depth("synchronise"), 40);
  EXPECT_EQ(Depth("work to align their respective legislation"), 40);
  EXPECT_EQ(Depth("enhance the exchange of information"), 20);
  EXPECT_EQ(Depth("develop joint approaches and principles"), 40);
  EXPECT_EQ(Depth("implementation of an integrated system of excise tax "
                  "administration"),
            80);
  EXPECT_EQ(Depth("standardisation of legislation"), 60);
  // The gas and oil programmes still commit to single markets, only later.
  EXPECT_EQ(Depth("postponing the creation of single markets"), 80);
}

TEST(Commitment, TheDeepestPhraseDecides) {
  // seed 003 on the taxation programme: harmonise, plus an integrated system.
  std::optional<CommitmentMatch> m = ClassifyCommitment(
      "harmonise tax law and create an integrated system of administration");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->depth, 80);
  EXPECT_EQ(m->phrase, "integrated system");
  EXPECT_EQ(Depth("supranational bodies, a single currency and common defence"),
            100);
  EXPECT_EQ(Depth("the 31st programme was dropped"), 0);
  EXPECT_EQ(Depth("Harmonization of monetary policy"),
            40);  // American spelling
}

TEST(Commitment, UnknownWordingIsNotGuessed) {
  EXPECT_FALSE(
      ClassifyCommitment("cooperate in the field of culture").has_value());
  EXPECT_FALSE(ClassifyCommitment("").has_value());
}

TEST(Commitment, TheLadderRunsFromOneHundredDownToZero) {
  int previous = 120;
  for (const CommitmentRung& rung : CommitmentLadder()) {
    EXPECT_EQ(rung.depth, previous - 20);
    EXPECT_FALSE(rung.phrases.empty());
    previous = rung.depth;
  }
  EXPECT_EQ(previous, 0);
}

}  // namespace
}  // namespace unionstate

namespace unionstate {
namespace {

// The 2019 leak's "single regulator of gas, oil, oil-product and electricity
// markets" would have been one body over both states ([S20] lists it among
// the 31st map's supranational bodies).
TEST(Commitment, AJointRegulatorIsASupranationalBody) {
  std::optional<CommitmentMatch> m = ClassifyCommitment(
      "a single regulator of gas, oil and electricity markets");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->depth, 100);
}

}  // namespace
}  // namespace unionstate
