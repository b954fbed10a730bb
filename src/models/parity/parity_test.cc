#include "models/parity/parity.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "unionstate/scenario_io.h"

namespace unionstate {
namespace {

// Builds a scenario from TOML snippets: actors (with side), issues and
// positions are written out in full by each test, so the numbers are visible.
Scenario Load(const std::string& body) {
  Result<Scenario> s = ParseScenario(
      "[scenario]\nname = \"two states\"\n" + body, "parity.toml");
  EXPECT_TRUE(s.has_value()) << s.error().ToString();
  return *s;
}

Forecast RunParity(const Scenario& s, const std::string& spec = "parity") {
  Result<std::unique_ptr<Model>> model = LoadModel(spec);
  EXPECT_TRUE(model.has_value()) << model.error().ToString();
  Result<Forecast> f = (*model)->Run(s, {});
  EXPECT_TRUE(f.has_value()) << f.error().ToString();
  return *f;
}

const char* kTwoStatesOneIssue = R"(
[[actors]]
id = "ru"
side = "russia"
capability = 1
veto = true
[[actors]]
id = "by"
side = "belarus"
capability = 1
veto = true
[[issues]]
id = "x"
min = 0
max = 100
status_quo = %SQ%
rule = "parity"
[[positions]]
actor = "ru"
issue = "x"
position = %RU%
salience = 1
[[positions]]
actor = "by"
issue = "x"
position = %BY%
salience = 1
)";

std::string TwoStates(double sq, double ru, double by) {
  std::string text = kTwoStatesOneIssue;
  auto put = [&](const std::string& key, double value) {
    text.replace(text.find(key), key.size(), std::to_string(value));
  };
  put("%SQ%", sq);
  put("%RU%", ru);
  put("%BY%", by);
  return text;
}

// Both states want to move up from 0 (to 60 and 100): the win-sets [0, 120]
// and [0, 200] overlap on the whole scale; the Nash split of the gains
// x(120 - x) and x(200 - x) solves x^2 - 240x + 12000 = 0: x = 120 - 20 sqrt 6.
TEST(Parity, OverlappingWinSetsAreSplitByNashBargaining) {
  Forecast f = RunParity(Load(TwoStates(0, 60, 100)));
  EXPECT_NEAR(f.issues[0].outcome, 120 - 20 * std::sqrt(6.0), 1e-9);
  EXPECT_TRUE(f.issues[0].agreement);
  EXPECT_TRUE(f.issues[0].blocking.empty());
  // The win-sets, reported per state.
  const auto& values = f.rounds[0].issue_values;
  ASSERT_EQ(values.size(), 6u);
  EXPECT_EQ(values[0].name, "position_belarus");
  EXPECT_DOUBLE_EQ(values[0].values[0], 100);
  EXPECT_EQ(values[1].name, "win_set_min_belarus");
  EXPECT_DOUBLE_EQ(values[1].values[0], 0);
  EXPECT_DOUBLE_EQ(values[2].values[0], 100);  // 200, cut to the scale
  EXPECT_EQ(values[5].name, "win_set_max_russia");
  EXPECT_DOUBLE_EQ(values[5].values[0], 100);  // 120, cut to the scale
}

// Russia wants up, Belarus down from 50: the win-sets [50, 110] and [-10, 50]
// meet only in the status quo. Each state alone could move, so both block.
TEST(Parity, DisjointWinSetsKeepTheStatusQuoAndNameBothStates) {
  Forecast f = RunParity(Load(TwoStates(50, 80, 20)));
  EXPECT_EQ(f.issues[0].outcome, 50);
  EXPECT_FALSE(f.issues[0].agreement);
  EXPECT_EQ(f.issues[0].blocking,
            (std::vector<std::string>{"belarus", "russia"}));
}

// Belarus content with the status quo (its win-set is the status quo alone)
// blocks Russia's move; Russia blocks nothing Belarus wants.
TEST(Parity, AStateAtTheStatusQuoIsTheOneThatBlocks) {
  Forecast f = RunParity(Load(TwoStates(0, 100, 0)));
  EXPECT_EQ(f.issues[0].outcome, 0);
  EXPECT_FALSE(f.issues[0].agreement);
  EXPECT_EQ(f.issues[0].blocking, std::vector<std::string>{"belarus"});
}

// The domestic level: two Russian actors at 40 (capability 3) and 100
// (capability 1), both with salience 1, make Russia's position their
// weighted mean, 55; with Belarus at 55 too, the outcome is 55.
TEST(Parity, TheDomesticModelGivesTheStatePosition) {
  Scenario s = Load(R"(
[[actors]]
id = "ru_a"
side = "russia"
capability = 3
veto = true
[[actors]]
id = "ru_b"
side = "russia"
capability = 1
[[actors]]
id = "by"
side = "belarus"
capability = 1
veto = true
[[issues]]
id = "x"
min = 0
max = 100
status_quo = 0
[[positions]]
actor = "ru_a"
issue = "x"
position = 40
salience = 1
[[positions]]
actor = "ru_b"
issue = "x"
position = 100
salience = 1
[[positions]]
actor = "by"
issue = "x"
position = 55
salience = 1
)");
  Forecast f = RunParity(s);
  EXPECT_NEAR(f.issues[0].outcome, 55, 1e-9);
  EXPECT_DOUBLE_EQ(f.rounds[0].issue_values[3].values[0],
                   55);  // position_russia
  // With nash inside Russia, ru_a's veto and ru_b pull differently.
  Forecast g = RunParity(s, "parity(domestic=nash)");
  EXPECT_TRUE(g.issues[0].agreement);
  EXPECT_NE(g.rounds[0].issue_values[3].values[0], 55);
}

// Two issues on which the states disagree in direction, each side caring
// much about one and little about the other. Alone, each issue is blocked by
// both states; as a package (Russia gains on a, Belarus on b) both gain.
// By symmetry the Nash split is x_a = x_b = z maximising
// 2520 - (z - 100)^2 - 0.2 (z - 40)^2: z = 216 / 2.4 = 90.
constexpr const char* kLinked = R"(
[[actors]]
id = "ru"
side = "russia"
capability = 1
veto = true
[[actors]]
id = "by"
side = "belarus"
capability = 1
veto = true
[[issues]]
id = "a"
min = 0
max = 100
status_quo = 50
[[issues]]
id = "b"
min = 0
max = 100
status_quo = 50
[[positions]]
actor = "ru"
issue = "a"
position = 100
salience = 1
[[positions]]
actor = "ru"
issue = "b"
position = 40
salience = 0.2
[[positions]]
actor = "by"
issue = "a"
position = 40
salience = 0.2
[[positions]]
actor = "by"
issue = "b"
position = 100
salience = 1
)";

TEST(Parity, APackagePassesOnlyWhenLinked) {
  Forecast apart = RunParity(Load(kLinked));
  for (const IssueForecast& f : apart.issues) {
    EXPECT_EQ(f.outcome, 50);
    EXPECT_FALSE(f.agreement);
    EXPECT_EQ(f.blocking, (std::vector<std::string>{"belarus", "russia"}));
  }
  Forecast linked = RunParity(Load(std::string(kLinked) + R"(
[[packages]]
id = "deal"
issues = ["a", "b"]
)"));
  EXPECT_NEAR(linked.issues[0].outcome, 90, 1e-9);
  EXPECT_NEAR(linked.issues[1].outcome, 90, 1e-9);
  EXPECT_TRUE(linked.issues[0].agreement);
  EXPECT_TRUE(linked.issues[1].agreement);
  EXPECT_TRUE(linked.issues[0].blocking.empty());
  ASSERT_EQ(linked.rounds[0].events.size(), 1u);
  const Event& e = linked.rounds[0].events[0];
  EXPECT_EQ(e.kind, "package");
  EXPECT_EQ(std::get<std::string>(e.fields[0].second), "deal");
  EXPECT_TRUE(std::get<bool>(e.fields[1].second));
}

// A package that gives one state nothing it wants is still blocked, and the
// state content with the status quo is named.
TEST(Parity, APackageWithNothingForOneSideIsBlockedByIt) {
  std::string text = kLinked;
  // Belarus now wants the status quo on both issues.
  text.replace(text.rfind("position = 100"), 14, "position = 50");
  text.replace(text.rfind("position = 40"), 13, "position = 50");
  Forecast f = RunParity(
      Load(text + "[[packages]]\nid = \"deal\"\nissues = [\"a\", \"b\"]\n"));
  EXPECT_EQ(f.issues[0].outcome, 50);
  EXPECT_EQ(f.issues[1].outcome, 50);
  EXPECT_EQ(f.issues[0].blocking, std::vector<std::string>{"belarus"});
}

// An outside actor (a side that is not a state) cannot block but pulls the
// split: at 100 it moves the overlapping case of the first test up.
TEST(Parity, OutsideActorsPullTheSplitWithoutAVeto) {
  std::string text = TwoStates(0, 60, 100) + R"(
[[actors]]
id = "eu"
side = "eu"
capability = 1
[[positions]]
actor = "eu"
issue = "x"
position = 100
salience = 1
)";
  Forecast with = RunParity(Load(text));
  Forecast without = RunParity(Load(text), "parity(outside=false)");
  EXPECT_NEAR(without.issues[0].outcome, 120 - 20 * std::sqrt(6.0), 1e-9);
  EXPECT_GT(with.issues[0].outcome, without.issues[0].outcome + 1);
  EXPECT_LE(with.issues[0].outcome, 100);
  // Only the veto-holding sides are states.
  EXPECT_EQ(with.rounds[0].issue_values.size(), 6u);
}

TEST(Parity, CapabilityWeightsFavourTheStrongerState) {
  std::string text = TwoStates(0, 60, 100);
  text.replace(text.find("capability = 1"), 14, "capability = 5");  // ru
  Forecast equal = RunParity(Load(text));
  Forecast weighted = RunParity(Load(text), "parity(state_weights=capability)");
  EXPECT_NEAR(equal.issues[0].outcome, 120 - 20 * std::sqrt(6.0), 1e-9);
  EXPECT_LT(weighted.issues[0].outcome,
            equal.issues[0].outcome - 1);  // towards Russia's 60
}

// A win-set narrower than the arithmetic resolves: east's state position
// sits 6.7e-20 above the status quo 0 (a2's one-millionth salience pulls it
// there), west's at 33.3. Both gain between them in exact arithmetic, but
// at the Nash search's start west's gain, 1.1e-6 less a square that rounds
// to 1.1e-6, is zero: the search aborted the program (a check) on this
// valid file, which Issue18.EveryModelKeepsItsInvariantsAtTheLimits found
// with one random seed. Now the start is the outcome: on the scale, no
// state's gain below zero, no agreement called for a move of 1e-19.
TEST(Parity, AWinSetNarrowerThanTheArithmeticDoesNotAbortTheRun) {
  Forecast f = RunParity(Load(R"(
[[actors]]
id = "a0"
side = "east"
capability = 1000000000000.0
veto = true
[[actors]]
id = "a1"
side = "west"
capability = 1.0
veto = true
[[actors]]
id = "a2"
side = "east"
capability = 0.001
veto = true
[[actors]]
id = "a3"
side = "west"
capability = 0.001
[[issues]]
id = "i0"
min = 0.0
max = 100.0
status_quo = 0.0
rule = "parity"
[[positions]]
actor = "a0"
issue = "i0"
position = 0.0
salience = 0.5
[[positions]]
actor = "a2"
issue = "i0"
position = 33.333333333333336
salience = 1e-06
[[positions]]
actor = "a3"
issue = "i0"
position = 33.333333333333336
salience = 1e-06
)"));
  ASSERT_EQ(f.issues.size(), 1u);
  const double outcome = f.issues[0].outcome;
  EXPECT_GE(outcome, 0.0);
  EXPECT_LT(outcome, 1e-18);  // inside east's win-set [0, 1.3e-19]
  EXPECT_FALSE(f.issues[0].agreement);
  EXPECT_TRUE(f.issues[0].blocking.empty());
}

double Dot(const std::vector<double>& a, const std::vector<double>& b) {
  double d = 0;
  for (size_t p = 0; p < a.size(); ++p) d += a[p] * b[p];
  return d;
}

// The gradients scaled to length 1, as the direction search sees them.
std::vector<std::vector<double>> Unit(std::vector<std::vector<double>> g) {
  for (std::vector<double>& u : g) {
    const double norm = std::sqrt(Dot(u, u));
    for (double& x : u) x /= norm;
  }
  return g;
}

// The direction search. Cases whose answer is known by hand first.
TEST(ParityDirection, CasesKnownByHand) {
  using internal::NoDirectionShown;
  const double margin = internal::kDirectionMargin;
  // One issue, the status quo inside the scale: states pulling apart.
  EXPECT_TRUE(NoDirectionShown({{1.0}, {-1.0}}, {0}, margin));
  EXPECT_FALSE(NoDirectionShown({{1.0}, {1.0}}, {0}, margin));
  // The status quo at the maximum: both would raise it, and cannot.
  EXPECT_TRUE(NoDirectionShown({{1.0}, {1.0}}, {-1}, margin));
  // ... at the minimum, both can.
  EXPECT_FALSE(NoDirectionShown({{1.0}, {1.0}}, {1}, margin));
  // Two issues: exact opposites on the first, nothing on the second.
  EXPECT_TRUE(NoDirectionShown({{1.0, 0.0}, {-1.0, 0.0}}, {0, 0}, margin));
  // ... but a thousandth of a pull on the second opens a way: raise the
  // second issue, and the first by less than a thousandth of that.
  const double a = -1 / std::sqrt(1 + 1e-6);
  const double b = 1e-3 / std::sqrt(1 + 1e-6);
  EXPECT_FALSE(NoDirectionShown({{1.0, 0.0}, {a, b}}, {0, 0}, margin));
  // ... unless the second issue's status quo is its maximum.
  EXPECT_TRUE(NoDirectionShown({{1.0, 0.0}, {a, b}}, {0, -1}, margin));
  EXPECT_FALSE(internal::ImprovingDirection({{1.0, 0.0}, {a, b}}, {0, -1}));
  // Where the sum of the unit gradients is no direction, the best one.
  // g1 = (-1, -1, -1), g2 = (-1, 0, 0.5), the first issue at its minimum:
  // the sum, (-1.47, -0.58, -0.13) cut to (0, -0.58, -0.13), loses g2. The
  // best v keeps the first issue (both lose by raising it), lowers the
  // second all the way (g1 gains, g2 does not care) and raises the third
  // by t, where g1's margin (1 - t) / sqrt(3) equals g2's t / sqrt(5):
  // t = sqrt(5) / (sqrt(5) + sqrt(3)).
  const std::vector<std::vector<double>> cut = {{-1.0, -1.0, -1.0},
                                                {-1.0, 0.0, 0.5}};
  std::optional<std::vector<double>> v =
      internal::ImprovingDirection(cut, {1, 0, 0});
  ASSERT_TRUE(v.has_value());
  const double r5 = std::sqrt(5.0), r3 = std::sqrt(3.0);
  EXPECT_EQ((*v)[0], 0.0);
  EXPECT_EQ((*v)[1], -1.0);
  EXPECT_NEAR((*v)[2], r5 / (r5 + r3), 1e-15);
  // Its margin, 1 / (sqrt(5) + sqrt(3)), is the pair's value.
  EXPECT_NEAR(internal::PairValue({-1 / r3, -1 / r3, -1 / r3},
                                  {-2 / r5, 0.0, 1 / r5}, {1, 0, 0}, nullptr),
              1 / (r5 + r3), 1e-15);
  // Gradients opposed in proportion on several issues, whose breaks are
  // one value in exact arithmetic and ulps apart in rounding (two mirrored
  // states, equal saliences on four of five issues, two at their maximum):
  // a direction exists, v = (-1, -0.15, 0, 1, 0) has margins 1.62 and 1.98
  // before normalising, and the best one is found.
  const std::vector<std::vector<double>> mirrored = {
      {6, 13.2, -156.8, 9.6, -102}, {-6, -13.2, 156.8, -6, 102}};
  const std::vector<int> at_maximum = {0, 0, -1, 0, -1};
  const std::vector<std::vector<double>> mirrored_unit = Unit(mirrored);
  const double mirrored_value = internal::PairValue(
      mirrored_unit[0], mirrored_unit[1], at_maximum, nullptr);
  EXPECT_NEAR(mirrored_value, 0.0096, 1e-4);
  std::optional<std::vector<double>> m =
      internal::ImprovingDirection(mirrored, at_maximum);
  ASSERT_TRUE(m.has_value());
  for (const std::vector<double>& g : mirrored_unit) {
    EXPECT_NEAR(Dot(g, *m), mirrored_value, 1e-12);
  }
  // ... and a second such case, four issues, one at its maximum.
  EXPECT_TRUE(internal::ImprovingDirection(
      {{-0.3, 2, 0.1, -0.1}, {0.09, -0.6, -0.03, 0.04}}, {0, -1, 0, 0}));
  // Three states: each pair has a way, all three have none (their unit
  // gradients 120 degrees apart in the plane of two issues).
  const double c = std::sqrt(3.0) / 2;
  const std::vector<std::vector<double>> three = {
      {1.0, 0.0}, {-0.5, c}, {-0.5, -c}};
  EXPECT_FALSE(NoDirectionShown(three, {0, 0}, margin));
  EXPECT_FALSE(internal::ImprovingDirection(three, {0, 0}));
  // Three states with a way that the sum of their gradients misses (two
  // pull nearly apart on the first issue, and the third with the first):
  // the subgradient steps find it, raising the second issue.
  const std::vector<std::vector<double>> narrow = {
      {1.0, 0.01}, {-1.0, 0.01}, {0.9, 0.1}};
  std::optional<std::vector<double>> w =
      internal::ImprovingDirection(narrow, {0, 0});
  ASSERT_TRUE(w.has_value());
  for (const std::vector<double>& g : Unit(narrow)) {
    EXPECT_GT(Dot(g, *w), internal::kDirectionMargin);
  }
}

// Two states, at random: the search returns none exactly when the pair
// shows none exists, and then none of 2 000 random directions has the
// margin; otherwise its direction attains the pair's value, the best least
// margin there is. (The subgradient steps that decided two states before
// gave up on 181 of 3 000 problems drawn like the first third and the rest
// of these, 179 of them near-opposites, where a direction exists: a state
// was named as blocking an agreement both prefer.)
TEST(ParityDirection, TwoStatesAreSettledExactly) {
  std::mt19937_64 rng(20261204);
  std::uniform_real_distribution<double> unit_interval(-1, 1);
  std::uniform_int_distribution<int> sign_of(-1, 1);
  int none = 0, found = 0, best = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    const size_t n = 1 + trial % 4;
    std::vector<int> sign(n);
    for (int& x : sign) x = sign_of(rng);
    std::vector<std::vector<double>> gradients(2, std::vector<double>(n));
    for (std::vector<double>& g : gradients) {
      for (double& x : g) x = unit_interval(rng);
    }
    if (trial % 3 == 0) {  // near-opposites: the hard cases
      for (size_t p = 0; p < n; ++p)
        gradients[1][p] = -gradients[0][p] + 1e-3 * unit_interval(rng);
    } else if (trial % 3 == 1 && n > 1) {
      // Opposed in proportion on every issue but one: breaks that
      // coincide in exact arithmetic and differ by an ulp in rounding.
      const double c = 0.2 + 4.8 * (unit_interval(rng) + 1) / 2;
      for (size_t p = 0; p < n; ++p) gradients[1][p] = -c * gradients[0][p];
      gradients[1][static_cast<size_t>(trial) % n] = unit_interval(rng);
    }
    const std::vector<std::vector<double>> unit = Unit(gradients);
    auto least_margin = [&](const std::vector<double>& v) {
      return std::min(Dot(unit[0], v), Dot(unit[1], v));
    };
    const double value = internal::PairValue(unit[0], unit[1], sign, nullptr);
    std::optional<std::vector<double>> v =
        internal::ImprovingDirection(gradients, sign);
    EXPECT_EQ(v.has_value(), value > internal::kDirectionMargin)
        << "trial " << trial << ": value " << value;
    if (!v) {
      ++none;
      for (int k = 0; k < 2000; ++k) {
        std::vector<double> d(n);
        for (size_t p = 0; p < n; ++p) {
          d[p] = std::clamp(unit_interval(rng), sign[p] > 0 ? 0.0 : -1.0,
                            sign[p] < 0 ? 0.0 : 1.0);
        }
        ASSERT_LE(least_margin(d), internal::kDirectionMargin)
            << "trial " << trial;
      }
      continue;
    }
    ++found;
    for (size_t p = 0; p < n; ++p) {
      EXPECT_LE(std::abs((*v)[p]), 1.0);
      if (sign[p] > 0) {
        EXPECT_GE((*v)[p], 0.0);
      }
      if (sign[p] < 0) {
        EXPECT_LE((*v)[p], 0.0);
      }
    }
    EXPECT_GT(least_margin(*v), internal::kDirectionMargin);
    // The sum of the unit gradients, when it serves, is kept as it is;
    // otherwise the direction is the best one.
    std::vector<double> sum(n);
    for (size_t p = 0; p < n; ++p) {
      sum[p] = std::clamp(unit[0][p] + unit[1][p], sign[p] > 0 ? 0.0 : -1.0,
                          sign[p] < 0 ? 0.0 : 1.0);
    }
    if (least_margin(sum) <= internal::kDirectionMargin) {
      ++best;
      EXPECT_NEAR(least_margin(*v), value, 1e-12) << "trial " << trial;
    }
  }
  // Every answer is common among these problems.
  EXPECT_GT(none, 500) << none;
  EXPECT_GT(found, 500) << found;
  EXPECT_GT(best, 200) << best;
}

TEST(Parity, NeedsTwoStates) {
  Scenario s = Load(R"(
[[actors]]
id = "a"
side = "only"
capability = 1
[[issues]]
id = "x"
min = 0
max = 1
)");
  Result<std::unique_ptr<Model>> model = LoadModel("parity");
  Result<Forecast> f = (*model)->Run(s, {});
  ASSERT_FALSE(f.has_value());
  EXPECT_EQ(f.error().kind(), ErrorKind::kInvalidInput);
  EXPECT_EQ(f.error().ToString(),
            "parity.toml: the parity model needs at least two states, but the "
            "scenario has 1 "
            "side(s); expected actors with `side` set to at least two states");
  Result<std::unique_ptr<Model>> named =
      LoadModel("parity(states=\"only,nowhere\")");
  ASSERT_TRUE(named.has_value());
  f = (*named)->Run(s, {});
  ASSERT_FALSE(f.has_value());
  EXPECT_NE(f.error().ToString().find("side \"nowhere\""), std::string::npos);
}

TEST(Parity, RejectsItselfAsDomesticModel) {
  Result<std::unique_ptr<Model>> model = LoadModel("parity(domestic=parity)");
  ASSERT_FALSE(model.has_value());
  EXPECT_EQ(model.error().kind(), ErrorKind::kInvalidArgument);
  model = LoadModel("parity(domestic=bargain)");
  ASSERT_FALSE(model.has_value());
}

}  // namespace
}  // namespace unionstate
