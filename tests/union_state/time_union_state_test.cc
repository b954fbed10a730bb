// Time forecasts on the Union State (issue 14): the reference class of past
// dated promises (scenarios/union-state/deadlines-1999-2021.csv) and the
// forecasts of both snapshots from it.

#include <gtest/gtest.h>

#include "tests/support/test_support.h"
#include "unionstate/model.h"
#include "unionstate/scenario_io.h"
#include "unionstate/time_forecast.h"

namespace unionstate {
namespace {

ReferenceClass Reference() {
  std::optional<BuiltinFile> csv = FindBuiltinFile("deadlines-1999-2021.csv");
  EXPECT_TRUE(csv.has_value()) << "the reference class is not built in";
  if (!csv) return {};
  Result<ReferenceClass> r =
      ParseReferenceClass(csv->text, std::string(csv->label));
  EXPECT_TRUE(r.has_value()) << r.error().ToString();
  return r ? *r : ReferenceClass{};
}

TEST(UnionStateTime, TheReferenceClassIsSourcedAndDatedNoLaterThanTheSnapshot) {
  ReferenceClass r = Reference();
  EXPECT_GE(r.entries.size(), 25u);
  const Date latest{2021, 9, 10};
  for (const ReferenceEntry& e : r.entries) {
    SCOPED_TRACE(e.id);
    EXPECT_FALSE(e.source.empty());
    EXPECT_FALSE(latest < e.source_date) << e.source_date.ToString();
    if (e.done_on) {
      EXPECT_FALSE(latest < *e.done_on);
    }
    if (e.dropped_on) {
      EXPECT_FALSE(latest < *e.dropped_on);
    }
  }
}

// No look-ahead on the real data: the estimate as of each snapshot equals
// the one from a copy of the class cut at that date -- rows promised later
// removed, deliveries and abandonments after it erased.
TEST(UnionStateTime, EstimatesSeeNothingAfterTheSnapshot) {
  ReferenceClass full = Reference();
  for (Date as_of : {Date{2019, 12, 7}, Date{2021, 9, 10}}) {
    SCOPED_TRACE(as_of.ToString());
    ReferenceClass cut;
    cut.file = full.file;
    for (ReferenceEntry e : full.entries) {
      if (as_of < e.promised_on) continue;
      if (e.done_on && as_of < *e.done_on) e.done_on.reset();
      if (e.dropped_on && as_of < *e.dropped_on) e.dropped_on.reset();
      if (as_of < e.source_date) e.source_date = as_of;
      cut.entries.push_back(e);
    }
    TimeOptions options{.horizon = {2026, 12, 31}};
    Baseline a = EstimateBaseline(full, as_of, options);
    Baseline b = EstimateBaseline(cut, as_of, options);
    EXPECT_NE(a.method, Baseline::Method::kNone) << a.note;
    EXPECT_EQ(a.spells, b.spells);
    EXPECT_EQ(a.deliveries, b.deliveries);
    EXPECT_DOUBLE_EQ(a.shape, b.shape);
    EXPECT_DOUBLE_EQ(a.scale, b.scale);
  }
}

class SnapshotTime : public ::testing::TestWithParam<std::string> {};

// Both snapshots name the built-in reference class beside them.
TEST_P(SnapshotTime, EveryOpenIssueWithADeadlineGetsAProbabilityAndADelay) {
  Result<Scenario> s = LoadBuiltinScenario(GetParam());
  ASSERT_TRUE(s) << s.error().ToString();
  EXPECT_EQ(s->reference_class, "deadlines-1999-2021.csv");
  Result<std::optional<ReferenceClass>> r =
      LoadReferenceClass(Env::Default(), *s);
  ASSERT_TRUE(r) << r.error().ToString();
  ASSERT_TRUE(r->has_value());
  Result<Forecast> f = (*LoadModel("parity"))->Run(*s, {});
  ASSERT_TRUE(f);
  Result<TimeForecast> t =
      ForecastTime(*s, *f, *r, {.horizon = {2026, 12, 31}});
  ASSERT_TRUE(t) << t.error().ToString();
  ASSERT_NE(t->baseline.method, Baseline::Method::kNone) << t->baseline.note;
  int with_deadline = 0;
  for (const IssueTime& it : t->issues) {
    const Issue& issue = s->issues[static_cast<size_t>(it.issue)];
    SCOPED_TRACE(issue.id);
    for (size_t k = 1; k < it.agreed_by.size(); ++k)
      EXPECT_GE(it.agreed_by[k].value, it.agreed_by[k - 1].value);
    if (!it.deadline || it.state != "open") continue;
    ++with_deadline;
    ASSERT_TRUE(it.p_agreed_by_deadline);
    if (!(*it.deadline < t->as_of)) {
      EXPECT_GT(*it.p_agreed_by_deadline, 0);
      EXPECT_LT(*it.p_agreed_by_deadline, 1);
    }
    ASSERT_TRUE(it.delay_median_months && it.delay_p90_months);
    EXPECT_LE(*it.delay_median_months, *it.delay_p90_months);
    EXPECT_GT(*it.delay_p90_months, 0);
  }
  EXPECT_GE(with_deadline, 1);
}

INSTANTIATE_TEST_SUITE_P(UnionState, SnapshotTime,
                         ::testing::Values("2019-12.toml", "2021-09.toml"),
                         [](const ::testing::TestParamInfo<std::string>& p) {
                           return p.param == "2019-12.toml"
                                      ? std::string("December2019")
                                      : std::string("September2021");
                         });

}  // namespace
}  // namespace unionstate
