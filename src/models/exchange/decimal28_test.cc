#include "models/exchange/decimal28.h"

#include <gtest/gtest.h>

namespace unionstate::internal {
namespace {

Decimal28 D(const char* text) { return Decimal28::FromString(text); }

// Expected values are what Python's decimal module prints in its default
// context (28 digits, round half even).
TEST(Decimal28, RoundsLikePythonsDecimal) {
  EXPECT_EQ(D("1") / D("3"), D("0.3333333333333333333333333333"));
  EXPECT_EQ(D("2") / D("3"), D("0.6666666666666666666666666667"));
  EXPECT_EQ(D("100") / D("6.5"), D("15.38461538461538461538461538"));
  EXPECT_EQ(D("1") / D("7") * D("7"),
            D("1"));  // 1.0000000000000000000000000003 rounded
  // Half to even on an exact tie at the 29th digit.
  EXPECT_EQ(D("1.0000000000000000000000000005") + D("0"),
            D("1.000000000000000000000000000"));
  EXPECT_EQ(D("1.0000000000000000000000000015") + D("0"),
            D("1.000000000000000000000000002"));
  EXPECT_EQ(D("0.1") + D("0.2"), D("0.3"));
  EXPECT_EQ(D("9999999999999999999999999999") + D("1"),
            D("1.000000000000000000000000000e28"));
}

TEST(Decimal28, ConvertsDoublesExactly) {
  // Python: Decimal(0.4) ==
  // Decimal('0.40000000000000002220446049250313080847263336181640625')
  EXPECT_EQ(Decimal28::FromDouble(0.4),
            D("0.40000000000000002220446049250313080847263336181640625"));
  EXPECT_EQ(Decimal28::FromDouble(0.4) * D("1"),
            D("0.4000000000000000222044604925"));
  EXPECT_DOUBLE_EQ(D("0.1").ToDouble(), 0.1);
  EXPECT_DOUBLE_EQ((D("1") / D("3")).ToDouble(), 1.0 / 3);
}

TEST(Decimal28, ComparesAndSigns) {
  EXPECT_LT(D("-1"), D("0"));
  EXPECT_LT(D("0.25"), D("0.250000000000000000001"));
  EXPECT_EQ(D("2.50"), D("2.5"));
  EXPECT_EQ(Abs(D("-3.5")), D("3.5"));
  EXPECT_EQ(D("1") - D("3"), D("-2"));
  EXPECT_EQ(D("-2") * D("-3"), D("6"));
  EXPECT_GT(Decimal28::FromDouble(1e-10),
            D("0.0000000001"));  // binary 1e-10 is above
}

}  // namespace
}  // namespace unionstate::internal
