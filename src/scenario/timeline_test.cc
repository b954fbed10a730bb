// Time in the scenario format (issue 14): `opened`, `measures`, the event log
// `[[events]]` and `reference_class`; every mistake located.

#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "unionstate/scenario_io.h"

namespace unionstate {
namespace {

// A two-state scenario; `issue_extra` goes into the issue table, `tail` after
// everything else.
std::string Scenario(const std::string& issue_extra, const std::string& tail) {
  return R"([scenario]
name = "timeline"
as_of = 2021-09-10
reference_class = "past.csv"

[[actors]]
id = "ru"
side = "russia"
capability = 2
veto = true

[[actors]]
id = "by"
side = "belarus"
capability = 1
veto = true

[[issues]]
id = "gas_market"
min = 0
max = 100
status_quo = 0
deadline = 2021-06-30
rule = "parity"
)" + issue_extra +
         R"(
[[positions]]
actor = "ru"
issue = "gas_market"
position = 80
salience = 0.5

[[positions]]
actor = "by"
issue = "gas_market"
position = 40
salience = 0.5
)" + tail;
}

std::string Diagnostics(const Result<unionstate::Scenario>& s) {
  return s ? std::string() : s.error().ToString();
}

TEST(Timeline, ReadsOpenedMeasuresEventsSortedAndTheReferenceClass) {
  Result<unionstate::Scenario> s =
      ParseScenario(Scenario("opened = 2018-12-14\nmeasures = 12\n", R"(
[[events]]
date = 2021-09-10
issue = "gas_market"
kind = "agreed"
source = "later in the file, earlier in time? no: the latest"

[[events]]
date = 2019-12-07
kind = "shock"
note = "Sochi"
source = "first by date"

[[events]]
date = 2019-12-07
issue = "gas_market"
kind = "postponed"
new_deadline = 2023-12-01
value = 40
count = 2
source = "same day, written second"
)"),
                    "t.toml");
  ASSERT_TRUE(s.has_value()) << Diagnostics(s);
  const Issue& issue = s->issues[0];
  EXPECT_EQ(issue.opened, (Date{2018, 12, 14}));
  EXPECT_EQ(issue.measures, 12);
  EXPECT_EQ(s->reference_class, "past.csv");
  ASSERT_EQ(s->events.size(), 3u);
  // Sorted by date, stably: the two 2019-12-07 events keep their order.
  EXPECT_EQ(s->events[0].kind, TimelineEventKind::kShock);
  EXPECT_EQ(s->events[0].issue, -1);
  EXPECT_EQ(s->events[1].kind, TimelineEventKind::kPostponed);
  EXPECT_EQ(s->events[1].issue, 0);
  EXPECT_EQ(s->events[1].new_deadline, (Date{2023, 12, 1}));
  EXPECT_EQ(s->events[1].value, 40.0);
  EXPECT_EQ(s->events[1].count, 2);
  EXPECT_EQ(s->events[2].kind, TimelineEventKind::kAgreed);
  EXPECT_EQ(s->events[2].where.line, 40);
}

TEST(Timeline, EventKindNamesRoundTrip) {
  for (int k = 0; k <= static_cast<int>(TimelineEventKind::kShock); ++k) {
    auto kind = static_cast<TimelineEventKind>(k);
    EXPECT_EQ(ParseTimelineEventKind(TimelineEventKindName(kind)), kind);
  }
  EXPECT_FALSE(ParseTimelineEventKind("agree").has_value());
}

struct BadCase {
  const char* name;
  std::string issue_extra;
  std::string tail;
  const char* expected;  // a piece of a diagnostic, with its location
  size_t diagnostics = 1;
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

class TimelineBadInput : public ::testing::TestWithParam<BadCase> {};

TEST_P(TimelineBadInput, IsOneLocatedError) {
  const BadCase& c = GetParam();
  Result<unionstate::Scenario> s =
      ParseScenario(Scenario(c.issue_extra, c.tail), "bad.toml");
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().kind(), ErrorKind::kInvalidInput);
  ASSERT_EQ(s.error().diagnostics().size(), c.diagnostics)
      << s.error().ToString();
  EXPECT_NE(s.error().ToString().find(c.expected), std::string::npos)
      << s.error().ToString();
}

INSTANTIATE_TEST_SUITE_P(
    Issue14, TimelineBadInput,
    ::testing::Values(
        BadCase{"DeadlineBeforeOpened", "opened = 2021-08-01\n", "",
                "bad.toml:25:10: issue \"gas_market\" opened 2021-08-01 after "
                "its deadline 2021-06-30; expected opened <= deadline"},
        BadCase{"MeasuresZero", "measures = 0\n", "",
                "bad.toml:25:12: issue \"gas_market\" has measures = 0; "
                "expected an integer >= 1"},
        BadCase{"MeasuresNegative", "measures = -3\n", "",
                "bad.toml:25:12: issue \"gas_market\" has measures = -3"},
        BadCase{"MeasuresNotInteger", "measures = 2.5\n", "",
                "bad.toml:25:12: \"measures\" is a number; expected an "
                "integer >= 1"},
        BadCase{"UnknownIssue", "",
                "[[events]]\ndate = 2020-01-01\nissue = \"gas_markt\"\n"
                "kind = \"negotiated\"\n",
                "bad.toml:39:9: unknown issue \"gas_markt\" (did you mean "
                "\"gas_market\"?); expected one of the [[issues]] ids: "
                "gas_market"},
        BadCase{"UnknownKind", "",
                "[[events]]\ndate = 2020-01-01\nkind = \"agred\"\n",
                "bad.toml:39:8: unknown event kind \"agred\" (did you mean "
                "\"agreed\"?); expected one of proposed, negotiated, agreed, "
                "signed, measure_adopted, implemented, postponed, "
                "deadline_moved, dropped, shock"},
        BadCase{"EventAfterAsOf", "",
                "[[events]]\ndate = 2021-11-04\nissue = \"gas_market\"\n"
                "kind = \"signed\"\n",
                "bad.toml:37:1: event dated 2021-11-04 is after the "
                "scenario's as_of 2021-09-10; expected no event after as_of"},
        BadCase{"EventWithoutDate", "", "[[events]]\nkind = \"shock\"\n",
                "bad.toml:37:1: [[events]] is missing the field \"date\""},
        BadCase{"ValueOffTheScale", "",
                "[[events]]\ndate = 2020-01-01\nissue = \"gas_market\"\n"
                "kind = \"agreed\"\nvalue = 140\n",
                "event value 140 is outside the scale [0, 100] of issue "
                "\"gas_market\""},
        BadCase{"CountZero", "",
                "[[events]]\ndate = 2020-01-01\nissue = \"gas_market\"\n"
                "kind = \"measure_adopted\"\ncount = 0\n",
                "bad.toml:41:9: \"count\" is 0; expected an integer >= 1"},
        BadCase{"UnknownEventField", "",
                "[[events]]\ndate = 2020-01-01\nkind = \"shock\"\nnot = 1\n",
                "unknown field \"not\" in [[events]] (did you mean \"note\"?)"},
        BadCase{"OpenedAfterAsOf", "opened = 2021-10-01\n", "",
                "bad.toml:25:10: issue \"gas_market\" opened 2021-10-01, after "
                "as_of 2021-09-10; expected no date after as_of",
                2}),
    [](const ::testing::TestParamInfo<BadCase>& p) { return p.param.name; });

}  // namespace
}  // namespace unionstate
