// The smp model against KTAB's reference runs (shared/oracles/ktab_smp), the
// fast engine against the reference engine, and the scenario mapping.

#include "models/smp/smp.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <random>
#include <sstream>

#include "models/smp/smp_engine.h"
#include "models/smp/smp_kernels.h"
#include "tests/support/test_support.h"
#include "unionstate/scenario_io.h"

namespace unionstate {
namespace {

using testing::LoadOrDie;
using testing::ReadText;
using testing::SharedPath;

// What smpc printed in a reference log (expected/ref-*-summary.txt): the
// stop ratio of every turn, and per actor the position history of every
// dimension (one decimal) and the winning-probability history (four).
// Numbers are kept as printed: a value is reproduced "to the printed
// precision" when it prints the same way (printf rounding, as smpc's).
struct KtabLog {
  std::vector<std::string> ratios;
  std::map<std::string, std::vector<std::vector<std::string>>> positions;
  std::map<std::string, std::vector<std::string>> probabilities;
  int states = 0;
};

std::vector<std::string> Numbers(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  std::string x;
  while (in >> x) out.push_back(x);
  return out;
}

KtabLog ReadKtabLog(const std::string& path) {
  KtabLog log;
  std::istringstream in(ReadText(path));
  std::string line;
  while (std::getline(in, line)) {
    if (size_t k = line.find("first step: "); k != std::string::npos) {
      log.ratios.push_back(Numbers(line.substr(k + 12)).front());
    } else if (line.starts_with("There were ")) {
      log.states = std::stoi(line.substr(11));
    } else if (size_t comma = line.find(", ");
               comma != std::string::npos &&
               line.find(':') != std::string::npos &&
               !line.starts_with("Using")) {
      std::string actor = line.substr(0, comma);
      size_t colon = line.rfind(':');
      std::vector<std::string> values = Numbers(line.substr(colon + 1));
      if (line.substr(comma + 2, 4) == "prob") {
        log.probabilities[actor] = values;
      } else {
        log.positions[actor].push_back(values);
      }
    }
  }
  return log;
}

Forecast RunOrDie(const Scenario& s, const std::string& spec,
                  std::uint64_t seed = 0) {
  Result<std::unique_ptr<Model>> model = LoadModel(spec);
  EXPECT_TRUE(model.has_value()) << model.error().ToString();
  Result<Forecast> f = (*model)->Run(s, {.seed = seed});
  EXPECT_TRUE(f.has_value()) << f.error().ToString();
  return f ? *f : Forecast{};
}

const ActorValues& Values(const Round& round, const std::string& name) {
  for (const ActorValues& v : round.actor_values) {
    if (v.name == name) return v;
  }
  ADD_FAILURE() << "no actor values " << name;
  static const ActorValues kNone;
  return kNone;
}

double Ratio(const Round& round) {
  for (const Event& e : round.events) {
    if (e.kind != "stop_rule") continue;
    for (const auto& [key, value] : e.fields) {
      if (key == "ratio") return std::get<double>(value);
    }
  }
  ADD_FAILURE() << "no stop_rule event in round " << round.round;
  return NAN;
}

// Every number smpc printed, compared at the precision it was printed with.
void ExpectReproduces(const std::string& scenario, const std::string& log) {
  Scenario s = LoadOrDie(SharedPath("oracles/ktab_smp/" + scenario));
  KtabLog ktab = ReadKtabLog(SharedPath("oracles/ktab_smp/expected/" + log));
  ASSERT_GT(ktab.states, 0);
  // smpc's actor order: the file's (ids are not sorted in SOE-Pol-Comp).
  Forecast f = RunOrDie(s, "smp(actor_order=input)");
  // The number of turns.
  ASSERT_EQ(f.rounds.size(), static_cast<size_t>(ktab.states));
  ASSERT_EQ(ktab.ratios.size(), f.rounds.size() - 1);
  for (size_t t = 1; t < f.rounds.size(); ++t) {
    EXPECT_EQ(fmt::format("{:.4f}", Ratio(f.rounds[t])), ktab.ratios[t - 1])
        << "turn " << t;
  }
  const size_t dims = s.issues.size();
  ASSERT_EQ(ktab.positions.size(), s.actors.size());
  for (size_t a = 0; a < s.actors.size(); ++a) {
    const std::string& id = s.actors[a].id;
    ASSERT_EQ(ktab.positions[id].size(), dims) << id;
    for (size_t t = 0; t < f.rounds.size(); ++t) {
      for (size_t d = 0; d < dims; ++d) {
        EXPECT_EQ(fmt::format("{:.1f}", f.rounds[t].positions[a * dims + d]),
                  ktab.positions[id][d][t])
            << id << " dimension " << d << " state " << t;
      }
      EXPECT_EQ(
          fmt::format("{:.4f}",
                      Values(f.rounds[t], "position_win_chance").values[a]),
          ktab.probabilities[id][t])
          << id << " state " << t;
    }
  }
}

TEST(Smp, ReproducesKtabDummyData3Dim) {
  ExpectReproduces("dummyData_3Dim.csv", "ref-dummyData_3Dim-summary.txt");
}

TEST(Smp, ReproducesKtabSoePolComp) {
  ExpectReproduces("SOE-Pol-Comp.csv", "ref-SOE-Pol-Comp-summary.txt");
}

// The final state spelled out (README of the oracle): 10 turns, and these
// positions and probabilities as smpc printed them.
TEST(Smp, DummyData3DimFinalState) {
  Scenario s = LoadOrDie(SharedPath("oracles/ktab_smp/dummyData_3Dim.csv"));
  Forecast f = RunOrDie(s, "smp");
  ASSERT_EQ(f.rounds.size(), 11u);
  const char* expected[7][3] = {
      {"78.6", "31.8", "74.1"}, {"78.6", "31.8", "74.1"},
      {"82.5", "90.9", "0.1"},  {"67.1", "50.1", "63.7"},
      {"78.6", "31.6", "74.1"}, {"79.9", "34.4", "75.2"},
      {"78.6", "31.6", "74.1"}};
  const char* chance[7] = {"0.3340", "0.3340", "0.0183", "0.0957",
                           "0.1512", "0.4009", "0.1512"};
  const Round& last = f.rounds.back();
  for (int a = 0; a < 7; ++a) {
    for (int d = 0; d < 3; ++d) {
      EXPECT_EQ(fmt::format("{:.1f}", last.positions[a * 3 + d]),
                expected[a][d]);
    }
    EXPECT_EQ(
        fmt::format("{:.4f}", Values(last, "position_win_chance").values[a]),
        chance[a]);
  }
  // win_probability shares each position's chance among its holders.
  const std::vector<double>& win = Values(last, "win_probability").values;
  EXPECT_NEAR(win[0] + win[1], 0.3340, 0.00005);
  EXPECT_NEAR(win[2], 0.0183, 0.00005);
  double total = 0;
  for (double p : win) total += p;
  EXPECT_NEAR(total, 1, 1e-12);
  // The outcome is the probability-weighted mean of the final positions.
  for (size_t d = 0; d < 3; ++d) {
    EXPECT_DOUBLE_EQ(f.issues[d].outcome, last.issue_values[0].values[d]);
    EXPECT_GT(f.issues[d].outcome, 0);
    EXPECT_LT(f.issues[d].outcome, 100);
  }
}

// smpExample.xml with the coordinate that later KTAB commits emptied (52.8)
// and deterministic transitions: 14 states and these final positions and
// probabilities as smpc printed them (shared/reference/ktab.md, 2.3). It
// exercises the ideal adjustments, PropCbc voting and the MarkovIncentive
// PCE.
TEST(Smp, ReproducesKtabSmpExampleDeterministic) {
  std::string text = ReadText(SharedPath("oracles/ktab_smp/smpExample.xml"));
  size_t empty = text.find("<dCoord></dCoord>");
  ASSERT_NE(empty, std::string::npos);
  text.replace(empty, 17, "<dCoord>52.8</dCoord>");
  Result<Scenario> s = ParseScenario(text, "smpExample.xml");
  ASSERT_TRUE(s.has_value()) << s.error().ToString();
  ASSERT_EQ(s->ideal_adjustments.size(), 6u);
  Forecast f = RunOrDie(*s,
                        "smp(pce=markov_incentive, voting=prop_cubic, "
                        "transitions=deterministic, actor_order=input)");
  ASSERT_EQ(f.rounds.size(), 14u);
  const char* expected[5][3] = {{"48.9", "47.2", "50.5"},
                                {"49.3", "48.3", "48.9"},
                                {"49.3", "48.3", "48.9"},
                                {"45.5", "33.2", "50.0"},
                                {"48.9", "47.2", "50.5"}};
  const char* chance[5] = {"0.5993", "0.3877", "0.3877", "0.0129", "0.5993"};
  const Round& last = f.rounds.back();
  for (int a = 0; a < 5; ++a) {
    for (int d = 0; d < 3; ++d) {
      EXPECT_EQ(fmt::format("{:.1f}", last.positions[a * 3 + d]),
                expected[a][d]);
    }
    EXPECT_EQ(
        fmt::format("{:.4f}", Values(last, "position_win_chance").values[a]),
        chance[a]);
  }
}

// A random problem on the engine's scale.
smp::Input RandomInput(int n, int dims, unsigned seed, bool accommodation) {
  std::mt19937 rng(seed);
  auto uniform = [&](double lo, double hi) {
    return lo + (hi - lo) * (static_cast<double>(rng()) / 4294967296.0);
  };
  smp::Input in;
  in.actors = n;
  in.dims = dims;
  for (int i = 0; i < n; ++i) {
    in.capability.push_back(uniform(10, 200));
    double total = uniform(0.75, 0.99);
    std::vector<double> w(dims);
    double sum = 0;
    for (double& x : w) sum += x = uniform(0.1, 1);
    for (double x : w) in.salience.push_back(total * x / sum);
    for (int d = 0; d < dims; ++d) in.position.push_back(uniform(0, 1));
  }
  if (accommodation) {
    in.accommodation.assign(n * n, 0.0);
    for (int i = 0; i < n; ++i) {
      in.accommodation[i * n + i] = uniform(0.3, 0.9);
      in.accommodation[i * n + (i + 1) % n] = uniform(0, 0.1);
    }
  }
  return in;
}

void ExpectSameRun(const smp::Run& a, const smp::Run& b) {
  ASSERT_EQ(a.states.size(), b.states.size());
  for (size_t t = 0; t < a.states.size(); ++t) {
    const smp::State& x = a.states[t];
    const smp::State& y = b.states[t];
    // Bit for bit, not merely close.
    EXPECT_EQ(x.position, y.position) << "state " << t;
    EXPECT_EQ(x.ideal, y.ideal) << "state " << t;
    EXPECT_EQ(x.risk, y.risk) << "state " << t;
    EXPECT_EQ(x.class_probability, y.class_probability) << "state " << t;
    EXPECT_EQ(x.class_of, y.class_of) << "state " << t;
    EXPECT_EQ(x.group_of, y.group_of) << "state " << t;
    EXPECT_EQ(x.group_head, y.group_head) << "state " << t;
    EXPECT_EQ(x.group_probability, y.group_probability) << "state " << t;
    EXPECT_EQ(x.target, y.target) << "state " << t;
    EXPECT_EQ(x.chosen, y.chosen) << "state " << t;
    EXPECT_EQ(x.change_ratio, y.change_ratio) << "state " << t;
  }
}

// The fast engine equals the straightforward reference bit for bit, for
// every value of every categorical option, with and without ideal
// adjustments, on any number of threads.
TEST(SmpEngine, FastEqualsReferenceForEveryOption) {
  std::vector<smp::Options> variants;
  smp::Options base;
  variants.push_back(base);
  for (int k = 0; k < 5; ++k) {
    smp::Options o = base;
    o.victory = static_cast<smp::VictoryModel>(k);
    variants.push_back(o);
  }
  for (int k = 1; k < 3; ++k) {
    smp::Options o = base;
    o.pce = static_cast<smp::PceModel>(k);
    variants.push_back(o);
  }
  for (int k = 0; k < 6; ++k) {
    smp::Options o = base;
    o.voting = static_cast<smp::VotingRule>(k);
    variants.push_back(o);
  }
  for (int k = 0; k < 5; ++k) {
    smp::Options o = base;
    o.risk_adjust = static_cast<smp::RiskAdjust>(k);
    variants.push_back(o);
  }
  for (int k = 0; k < 3; ++k) {
    smp::Options o = base;
    o.risk_range = static_cast<smp::RiskRange>(k);
    variants.push_back(o);
    o = base;
    o.commit = static_cast<smp::ThirdPartyCommit>(k);
    variants.push_back(o);
    o = base;
    o.interpolation = static_cast<smp::Interpolation>(k);
    variants.push_back(o);
    o = base;
    o.bargain = static_cast<smp::BargainModel>(k);
    variants.push_back(o);
  }
  smp::Options stochastic = base;
  stochastic.transitions = smp::Transitions::kStochastic;
  variants.push_back(stochastic);
  unsigned seed = 1;
  for (const smp::Options& o : variants) {
    for (auto [n, dims, accommodate] :
         {std::tuple(9, 2, false), std::tuple(6, 3, true)}) {
      SCOPED_TRACE(::testing::Message() << "variant seed " << seed);
      smp::Input in = RandomInput(n, dims, seed++, accommodate);
      auto reference = smp::RunSmpReference(in, o, 42);
      auto fast = smp::RunSmp(in, o, 42);
      ASSERT_EQ(reference.has_value(), fast.has_value());
      if (!reference) continue;
      ExpectSameRun(*reference, *fast);
      auto one_thread = smp::RunSmp(in, o, 42, 1);
      ASSERT_TRUE(one_thread.has_value());
      ExpectSameRun(*reference, *one_thread);
    }
  }
}

// The forecast's groups where they are not smpc's classes: positions 0.5008
// and 0.5 and 0.4992 form one group through the middle one (each end within
// 1e-3 of it, not of each other) but two classes, and the group's head (the
// smallest position, actor 2's) is the first of the third class while actor
// 1's group is the second: the groups come in the opposite order of the
// classes whose columns they share. Both engines hold the groups' own
// election (each group's coalitions summed in the groups' order, which for
// the asymmetric prospect rule differs from summing the classes' pair from
// the other side) equal bit for bit under every voting rule.
TEST(SmpEngine, GroupsInAnotherOrderThanTheClassesMatchTheReference) {
  smp::Input in;
  in.actors = 5;
  in.dims = 1;
  in.capability = {120, 80, 150, 60, 95};
  in.salience = {0.9, 0.7, 0.8, 0.6, 0.85};
  in.position = {0.5008, 0.3, 0.4992, 0.5, 0.9};
  for (int k = 0; k < 6; ++k) {
    smp::Options o;
    o.voting = static_cast<smp::VotingRule>(k);
    SCOPED_TRACE(::testing::Message() << "voting rule " << k);
    auto reference = smp::RunSmpReference(in, o, 0);
    auto fast = smp::RunSmp(in, o, 0);
    ASSERT_TRUE(reference.has_value() && fast.has_value());
    const smp::State& s0 = fast->states[0];
    EXPECT_EQ(s0.class_first, (std::vector<int>{0, 1, 2, 4}));
    EXPECT_EQ(s0.group_head, (std::vector<int>{2, 1, 4}));
    EXPECT_EQ(s0.group_of, (std::vector<int>{0, 1, 0, 0, 2}));
    ExpectSameRun(*reference, *fast);
  }
}

// BestTarget skips the contests of targets bounded below the best gain
// found, in an order of its own (by position): the choice must still be
// the reference's, the largest gain and the first target among equal
// gains. Actors in identical pairs give equal gains, bit for bit, to
// challengers that value them alike, and a crowd at a few positions gives
// many; the targets chosen (State::target) are compared turn by turn.
TEST(SmpEngine, SkippedContestsLeaveTheChoiceAndItsTiesAsTheReference) {
  for (int dims : {1, 2}) {
    smp::Input in = RandomInput(12, dims, 77 + dims, false);
    const smp::Input copy = in;
    in.actors = 24;
    in.capability.insert(in.capability.end(), copy.capability.begin(),
                         copy.capability.end());
    in.salience.insert(in.salience.end(), copy.salience.begin(),
                       copy.salience.end());
    in.position.insert(in.position.end(), copy.position.begin(),
                       copy.position.end());
    for (int k = 0; k < 6; ++k) {
      smp::Options o;
      o.voting = static_cast<smp::VotingRule>(k);
      SCOPED_TRACE(::testing::Message() << dims << " dims, voting " << k);
      auto reference = smp::RunSmpReference(in, o, 0);
      auto fast = smp::RunSmp(in, o, 0);
      ASSERT_TRUE(reference.has_value() && fast.has_value());
      ExpectSameRun(*reference, *fast);
    }
  }
  // Five positions, 40 actors: most targets share a challenger's own
  // position or a near one, and are skipped.
  smp::Input crowd = RandomInput(40, 1, 5, false);
  for (int i = 0; i < crowd.actors; ++i) crowd.position[i] = (i % 5) * 0.25;
  auto reference = smp::RunSmpReference(crowd, {}, 0);
  auto fast = smp::RunSmp(crowd, {}, 0, 2);
  ASSERT_TRUE(reference.has_value() && fast.has_value());
  ExpectSameRun(*reference, *fast);
}

TEST(SmpEngine, FastEqualsReferenceOnLargerProblems) {
  smp::Options o;
  for (auto [n, dims] :
       {std::pair(30, 1), std::pair(45, 2), std::pair(20, 10)}) {
    smp::Input in = RandomInput(n, dims, 1000 + n, false);
    auto reference = smp::RunSmpReference(in, o, 0);
    auto fast = smp::RunSmp(in, o, 0, 2);
    ASSERT_TRUE(reference.has_value() && fast.has_value());
    EXPECT_GE(reference->states.size(), 3u);
    ExpectSameRun(*reference, *fast);
  }
}

TEST(SmpEngine, StochasticRunsFollowTheSeed) {
  smp::Options o;
  o.transitions = smp::Transitions::kStochastic;
  smp::Input in = RandomInput(8, 2, 77, false);
  auto a = smp::RunSmp(in, o, 5);
  auto b = smp::RunSmp(in, o, 5, 1);
  auto c = smp::RunSmp(in, o, 6);
  ASSERT_TRUE(a && b && c);
  ExpectSameRun(*a, *b);
  bool differs = a->states.size() != c->states.size();
  for (size_t t = 0; !differs && t < a->states.size(); ++t) {
    differs = a->states[t].position != c->states[t].position;
  }
  EXPECT_TRUE(differs) << "seeds 5 and 6 gave the same stochastic run";
}

TEST(SmpEngine, KtabRandomSelectsByRunningSum) {
  smp::KtabRandom random(1);
  int counts[3] = {0, 0, 0};
  for (int k = 0; k < 30000; ++k) {
    const double u = random.Uniform();
    ASSERT_GE(u, 0);
    ASSERT_LE(u, 1);
    ++counts[random.Select({0.2, 0.5, 0.3})];
  }
  EXPECT_NEAR(counts[0] / 30000.0, 0.2, 0.015);
  EXPECT_NEAR(counts[1] / 30000.0, 0.5, 0.015);
  EXPECT_NEAR(counts[2] / 30000.0, 0.3, 0.015);
  // The same seed, the same stream.
  smp::KtabRandom again(1);
  smp::KtabRandom other(1);
  EXPECT_EQ(again.Next(), other.Next());
}

// BestTarget skips the targets whose ChallengeBound is below the best gain
// found, so the bound must hold for every contest's outcome, rounding
// included; and it must be close, or nothing would be skipped.
TEST(SmpEngine, ChallengeBoundHoldsForEveryOutcomeAndIsClose) {
  std::mt19937_64 rng(23);
  std::uniform_real_distribution<double> utility(-2.0, 2.0);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::uniform_real_distribution<double> exponent(-10.0, 4.0);
  int close = 0;
  for (int k = 0; k < 1000000; ++k) {
    const double cij = std::pow(10.0, exponent(rng));
    const double cji = std::pow(10.0, exponent(rng));
    const double uki = utility(rng);
    const double ukj = utility(rng);
    const double sj = k % 7 == 0 ? 1.0 : unit(rng);
    const double gain = smp::kernel::Challenge(cij, cji, uki, ukj, sj).gain;
    const double bound = smp::kernel::ChallengeBound(uki, ukj, sj);
    ASSERT_LE(gain, bound) << cij << " " << cji << " " << uki << " " << ukj
                           << " " << sj;
    // One side with all the strength: the gain is the bound, less the
    // margin.
    const double all_mine =
        smp::kernel::Challenge(uki >= ukj ? 1e4 : 1e-10,
                               uki >= ukj ? 1e-10 : 1e4, uki, ukj, sj)
            .gain;
    ASSERT_LE(all_mine, bound);
    if (bound - all_mine < 1e-8) ++close;
  }
  EXPECT_EQ(close, 1000000);
}

// The engine's elections divide and multiply in lanes (LaneElection): the
// probabilities must be the kernel's bit for bit under every victory model
// and PCE, with coalitions that span every branch of the binary model, and
// with 1 000 options, where every product underflows and the kernel's
// logarithms take over.
TEST(SmpEngine, LaneElectionEqualsTheKernel) {
  std::mt19937_64 rng(31);
  std::uniform_real_distribution<double> exponent(-3.0, 1.0);
  for (int n : {2, 7, 8, 13, 34, 1000}) {
    std::vector<double> c(static_cast<size_t>(n) * n);
    for (double& x : c) x = std::pow(10.0, exponent(rng));
    for (int v = 0; v < 5; ++v) {
      for (int pce = 0; pce < 3; ++pce) {
        if (n == 1000 && pce != 0) continue;  // the Markov PCEs: the kernel
        const auto victory = static_cast<smp::VictoryModel>(v);
        const auto model = static_cast<smp::PceModel>(pce);
        SCOPED_TRACE(::testing::Message()
                     << n << " options, victory " << v << ", pce " << pce);
        std::vector<double> kernel;
        std::vector<double> lanes;
        auto a = smp::kernel::ProbabilisticElection(model, victory, n,
                                                    c.data(), kernel);
        auto b = smp::LaneElection(model, victory, n, c.data(), lanes);
        ASSERT_EQ(a.has_value(), b.has_value());
        ASSERT_EQ(kernel.size(), static_cast<size_t>(n));
        ASSERT_EQ(lanes.size(), kernel.size());
        for (int i = 0; i < n; ++i) {
          ASSERT_EQ(std::memcmp(&kernel[i], &lanes[i], sizeof(double)), 0)
              << "option " << i << ": " << kernel[i] << " against "
              << lanes[i];
        }
        double sum = 0;
        for (double x : lanes) sum += x;
        EXPECT_NEAR(sum, 1.0, 1e-9);
      }
    }
  }
}

// The tolerance test that takes the square root only near the boundary
// answers as the root does: at and around both cut-offs and the tolerance
// itself, at the extremes, and on random sums of squares.
TEST(SmpEngine, RootBelowAnswersAsTheSquareRoot) {
  const double tolerance = smp::kernel::kPositionTolerance;
  std::vector<double> squares = {0.0,
                                 -0.0,
                                 1e-300,
                                 std::numeric_limits<double>::denorm_min(),
                                 1.0,
                                 1e300,
                                 std::numeric_limits<double>::infinity(),
                                 std::numeric_limits<double>::quiet_NaN()};
  for (double center : {tolerance * tolerance, 0.81 * tolerance * tolerance,
                        1.21 * tolerance * tolerance}) {
    double below = center;
    double above = center;
    for (int k = 0; k < 64; ++k) {
      squares.push_back(below);
      squares.push_back(above);
      below = std::nextafter(below, 0.0);
      above = std::nextafter(above, 1.0);
    }
  }
  std::mt19937_64 rng(19);
  std::uniform_real_distribution<double> uniform(0.0, 4e-6);
  for (int k = 0; k < 100000; ++k) squares.push_back(uniform(rng));
  int within = 0;
  for (double x : squares) {
    const bool expected = std::sqrt(x) < tolerance;
    EXPECT_EQ(smp::kernel::RootBelow(x, tolerance), expected) << x;
    within += expected ? 1 : 0;
  }
  // Both answers occur, near the boundary too.
  EXPECT_GT(within, 1000);
  EXPECT_LT(within, static_cast<int>(squares.size()) - 1000);
}

TEST(Smp, TwoActorsAreEnough) {
  Scenario s = testing::MakeScenario(2, 2, 3);
  Forecast f = RunOrDie(s, "smp");
  ASSERT_GE(f.rounds.size(), 2u);
  // Without third parties the stronger side's view decides; positions stay
  // on the scale and the probabilities sum to 1.
  const std::vector<double>& win =
      Values(f.rounds.back(), "win_probability").values;
  EXPECT_NEAR(win[0] + win[1], 1, 1e-12);
}

TEST(Smp, ActorsWithoutAStanceSitAtTheStatusQuoWithNoSalience) {
  Result<Scenario> builtin = LoadBuiltinScenario();
  ASSERT_TRUE(builtin.has_value());
  Forecast f = RunOrDie(*builtin, "smp");
  const size_t issues = builtin->issues.size();
  for (const Round& round : f.rounds) {
    for (size_t a = 0; a < builtin->actors.size(); ++a) {
      for (size_t d = 0; d < issues; ++d) {
        bool has =
            builtin->FindStance(static_cast<int>(a), static_cast<int>(d));
        EXPECT_EQ(std::isnan(round.positions[a * issues + d]), !has);
      }
    }
  }
}

TEST(Smp, RejectsActorsWithoutCapabilityOrSalience) {
  Scenario s = testing::MakeScenario(3, 2, 9);
  s.actors[1].capability.value = 0;
  for (Stance& stance : s.stances) {
    if (stance.actor == 2) stance.salience.value = 0;
  }
  Result<std::unique_ptr<Model>> model = LoadModel("smp");
  ASSERT_TRUE(model.has_value());
  Result<Forecast> f = (*model)->Run(s, {});
  ASSERT_FALSE(f.has_value());
  EXPECT_EQ(f.error().kind(), ErrorKind::kInvalidInput);
  const std::string text = f.error().ToString();
  EXPECT_NE(text.find("actor \"actor1\" has capability 0"), std::string::npos)
      << text;
  EXPECT_NE(text.find("actor \"actor2\" has salience 0 on every issue"),
            std::string::npos)
      << text;
}

TEST(Smp, SaliencesAboveOneInTotalAreScaledToOne) {
  // The same scenario with every salience doubled (totals above 1) and
  // with saliences already summing to 1 give the same run.
  Scenario s = testing::MakeScenario(4, 2, 21);
  for (size_t a = 0; a < 4; ++a) {
    double total = 0;
    for (Stance& st : s.stances) {
      if (st.actor == static_cast<int>(a)) total += st.salience.value;
    }
    for (Stance& st : s.stances) {
      if (st.actor == static_cast<int>(a)) st.salience.value /= total;
    }
  }
  Scenario doubled = s;
  for (Stance& st : doubled.stances) st.salience.value *= 2;
  Forecast a = RunOrDie(s, "smp");
  Forecast b = RunOrDie(doubled, "smp");
  ASSERT_EQ(a.rounds.size(), b.rounds.size());
  for (size_t t = 0; t < a.rounds.size(); ++t) {
    for (size_t c = 0; c < a.rounds[t].positions.size(); ++c) {
      EXPECT_NEAR(a.rounds[t].positions[c], b.rounds[t].positions[c], 1e-9);
    }
  }
}

TEST(Smp, ParametersReachTheRun) {
  Scenario s = LoadOrDie(SharedPath("oracles/ktab_smp/dummyData_3Dim.csv"));
  Forecast capped = RunOrDie(s, "smp(max_turns=3)");
  EXPECT_EQ(capped.rounds.size(), 4u);
  Forecast other = RunOrDie(s, "smp(interpolation=s2pmax, voting=cubic)");
  Forecast base = RunOrDie(s, "smp");
  EXPECT_NE(other.rounds[1].positions, base.rounds[1].positions);
}

}  // namespace
}  // namespace unionstate
