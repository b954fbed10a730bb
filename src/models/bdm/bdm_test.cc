// The bdm model against shared/oracles/bdm_scholz (Scholz et al.'s EU
// emissions example and the Sultan table, as run by the public replication).
// The oracle files print 12 significant digits; every value is compared to
// within 1e-9, which that precision allows for numbers of the sizes involved
// (|x| < 15).

#include "models/bdm/bdm.h"

#include <gtest/gtest.h>

#include <cmath>

#include "models/bdm/bdm_engine.h"
#include "tests/support/test_support.h"
#include "unionstate/scenario_io.h"

namespace unionstate {
namespace {

using testing::LoadOrDie;
using testing::ReadCsv;
using testing::SharedPath;

constexpr double kTolerance = 1e-9;

std::string Oracle(const std::string& name) {
  return SharedPath("oracles/bdm_scholz/expected/" + name);
}

Forecast RunBdm(const Scenario& s, const std::string& spec = "bdm") {
  Result<std::unique_ptr<Model>> model = LoadModel(spec);
  EXPECT_TRUE(model.has_value()) << model.error().ToString();
  Result<Forecast> f = (*model)->Run(s, {});
  EXPECT_TRUE(f.has_value()) << f.error().ToString();
  return *f;
}

// Positions and weighted means of all rounds against a positions file.
void ExpectPositions(const Scenario& s, const Forecast& f,
                     const std::string& file) {
  auto rows = ReadCsv(Oracle(file));
  ASSERT_EQ(rows.size(), 12u);  // header and rounds 0..10
  const auto& header = rows[0];
  ASSERT_EQ(f.rounds.size(), 11u);
  for (size_t r = 1; r < rows.size(); ++r) {
    int round = std::stoi(rows[r][0]);
    SCOPED_TRACE("round " + std::to_string(round));
    const Round& got = f.rounds[static_cast<size_t>(round)];
    for (size_t a = 0; a < s.actors.size(); ++a) {
      ASSERT_EQ(header[a + 1], s.actors[a].id);
      EXPECT_NEAR(got.positions[a], std::stod(rows[r][a + 1]), kTolerance)
          << s.actors[a].id;
    }
    const IssueValues& mean = got.issue_values[0];
    ASSERT_EQ(mean.name, "weighted_mean");
    EXPECT_NEAR(mean.values[0], std::stod(rows[r][s.actors.size() + 1]),
                kTolerance);
  }
}

void ExpectRisk(const Scenario& s, const Forecast& f, const std::string& file) {
  auto rows = ReadCsv(Oracle(file));
  ASSERT_EQ(rows.size(), 11u);  // header and rounds 1..10
  for (size_t r = 1; r < rows.size(); ++r) {
    int round = std::stoi(rows[r][0]);
    const ActorIssueValues& risk =
        f.rounds[static_cast<size_t>(round)].actor_issue_values[0];
    ASSERT_EQ(risk.name, "risk_exponent");
    for (size_t a = 0; a < s.actors.size(); ++a) {
      EXPECT_NEAR(risk.values[a], std::stod(rows[r][a + 1]), kTolerance)
          << "round " << round << " " << s.actors[a].id;
    }
  }
}

TEST(Bdm, ReproducesTheScholzExampleForTenRounds) {
  Scenario s = LoadOrDie(SharedPath("oracles/bdm_scholz/ExampleActors.csv"));
  Forecast f = RunBdm(s);
  ExpectPositions(s, f, "example_eu_emissions_positions_by_round.csv");
  ExpectRisk(s, f, "example_eu_emissions_risk_exponent_by_round.csv");
  // The forecast is the weighted mean after round 10 (the oracle README).
  EXPECT_NEAR(f.issues[0].outcome, 7.242130958473938, 1e-12);
  // Spot values the README prints in full.
  EXPECT_NEAR(f.rounds[1].positions[1], 8.415932315426764, 1e-12);   // Belgium
  EXPECT_NEAR(f.rounds[10].positions[1], 4.291541224979646, 1e-12);  // Belgium
  EXPECT_NEAR(f.rounds[10].positions[2], 4.144849062500606,
              1e-12);  // Luxembourg
  EXPECT_NEAR(f.rounds[1].issue_values[0].values[0], 7.461314378277189, 1e-12);
}

TEST(Bdm, ReproducesEveryOfferOfTheScholzExample) {
  Scenario s = LoadOrDie(SharedPath("oracles/bdm_scholz/ExampleActors.csv"));
  Forecast f = RunBdm(s);
  auto rows = ReadCsv(Oracle("example_eu_emissions_offers_by_round.csv"));
  std::vector<const Event*> got;
  std::vector<int> got_round;
  for (const Round& round : f.rounds) {
    for (const Event& e : round.events) {
      got.push_back(&e);
      got_round.push_back(round.round);
    }
  }
  ASSERT_EQ(got.size(), rows.size() - 1);
  for (size_t k = 1; k < rows.size(); ++k) {
    const auto& row = rows[k];
    const Event& e = *got[k - 1];
    SCOPED_TRACE("offer " + std::to_string(k));
    EXPECT_EQ(got_round[k - 1], std::stoi(row[0]));
    EXPECT_EQ(e.kind, "offer");
    EXPECT_EQ(std::get<std::string>(e.fields[0].second), row[1]);  // actor
    EXPECT_EQ(std::get<std::string>(e.fields[2].second), row[2]);  // offer kind
    EXPECT_EQ(std::get<std::string>(e.fields[3].second),
              row[3]);  // counterpart
    EXPECT_NEAR(std::get<double>(e.fields[4].second), std::stod(row[4]),
                kTolerance);
    EXPECT_NEAR(std::get<double>(e.fields[5].second), std::stod(row[5]),
                kTolerance);
    EXPECT_NEAR(std::get<double>(e.fields[6].second), std::stod(row[6]),
                kTolerance);
  }
}

// The round-1 matrices: after the round-1 risk update, P(x_i beats x_j) with
// Scholz's global normaliser, EU_i(i -> j) and EU_i(j -> i).
void ExpectRoundOneMatrices(const std::string& input,
                            const std::string& prefix) {
  Scenario s = LoadOrDie(SharedPath("oracles/bdm_scholz/" + input));
  std::vector<double> c, sal, x;
  for (const Stance& st : s.stances) {
    c.push_back(s.CapabilityOf(st));
    sal.push_back(st.salience.value);
    x.push_back(st.position.value);
  }
  bdm::State state = bdm::MakeState(c, sal, x);
  bdm::Options options;
  bdm::UpdateRisk(state, options);
  const size_t n = state.size();
  for (bdm::Algorithm algorithm :
       {bdm::Algorithm::kNaive, bdm::Algorithm::kFast}) {
    options.algorithm = algorithm;
    SCOPED_TRACE(algorithm == bdm::Algorithm::kNaive ? "naive" : "fast");
    std::vector<double> p = bdm::ProbabilityMatrix(state, options);
    auto prob = ReadCsv(Oracle(prefix + "_round1_prob_matrix.csv"));
    auto eu = ReadCsv(Oracle(prefix + "_round1_eu_matrix.csv"));
    auto reverse = ReadCsv(Oracle(prefix + "_round1_eu_matrix_reverse.csv"));
    ASSERT_EQ(prob.size(), n + 1);
    for (size_t i = 0; i < n; ++i) {
      ASSERT_EQ(prob[i + 1][0], s.actors[i].id);
      for (size_t j = 0; j < n; ++j) {
        if (i == j) continue;
        SCOPED_TRACE(s.actors[i].id + " / " + s.actors[j].id);
        EXPECT_NEAR(p[i * n + j], std::stod(prob[i + 1][j + 1]), kTolerance);
        EXPECT_NEAR(bdm::ExpectedUtility(state, options, p, i, i, j),
                    std::stod(eu[i + 1][j + 1]), kTolerance);
        EXPECT_NEAR(bdm::ExpectedUtility(state, options, p, i, j, i),
                    std::stod(reverse[i + 1][j + 1]), kTolerance);
      }
    }
  }
}

TEST(Bdm, ReproducesTheRoundOneMatricesOfTheScholzExample) {
  ExpectRoundOneMatrices("ExampleActors.csv", "example_eu_emissions");
}

TEST(Bdm, ReproducesTheRoundOneMatricesOfTheSultanTable) {
  ExpectRoundOneMatrices("Sultan.csv", "sultan");
}

TEST(Bdm, TheSultanTableMovesNobody) {
  Scenario s = LoadOrDie(SharedPath("oracles/bdm_scholz/Sultan.csv"));
  Forecast f = RunBdm(s);
  ExpectPositions(s, f, "sultan_positions_by_round.csv");
  ExpectRisk(s, f, "sultan_risk_exponent_by_round.csv");
  for (const Round& round : f.rounds) EXPECT_TRUE(round.events.empty());
  EXPECT_NEAR(f.issues[0].outcome, 13.6199121349, 1e-10);
}

// The same example with saliences written 0..100 is scaled by the importer.
TEST(Bdm, TheHundredScaleCopyGivesTheSameRun) {
  Scenario hundred = LoadOrDie(
      SharedPath("oracles/bdm_scholz/ExampleActors_salience0-100.csv"));
  Forecast f = RunBdm(hundred);
  ExpectPositions(hundred, f, "example_eu_emissions_positions_by_round.csv");
  ExpectRisk(hundred, f, "example_eu_emissions_risk_exponent_by_round.csv");
}

TEST(Bdm, RunsEveryRoundAndReportsFields) {
  Scenario s = LoadOrDie(SharedPath("oracles/bdm_scholz/ExampleActors.csv"));
  Forecast f = RunBdm(s, "bdm(rounds=3, forecast=median)");
  ASSERT_EQ(f.rounds.size(), 4u);
  EXPECT_EQ(f.rounds[0].issue_values[1].name, "weighted_median");
  EXPECT_EQ(f.issues[0].outcome, f.rounds[3].issue_values[1].values[0]);
  const Event& e = f.rounds[1].events[0];
  std::vector<std::string> keys;
  for (const auto& [key, value] : e.fields) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"actor", "issue", "offer",
                                            "counterpart", "eu_challenge",
                                            "eu_response", "new_position"}));
}

TEST(Bdm, StopsAnIssueThatNoLongerMoves) {
  Scenario s = LoadOrDie(SharedPath("oracles/bdm_scholz/Sultan.csv"));
  Forecast f = RunBdm(s, "bdm(stop=0.001)");
  // Nothing moves in round 1, so rounds 2..10 carry no risk update.
  EXPECT_FALSE(std::isnan(f.rounds[1].actor_issue_values[0].values[0]));
  EXPECT_TRUE(std::isnan(f.rounds[2].actor_issue_values[0].values[0]));
  EXPECT_EQ(f.rounds[10].positions, f.rounds[0].positions);
}

TEST(Bdm, PaperVariantNormalisesEachPairAndCapitulates) {
  Scenario s = LoadOrDie(SharedPath("oracles/bdm_scholz/ExampleActors.csv"));
  std::vector<double> c, sal, x;
  for (const Stance& st : s.stances) {
    c.push_back(s.CapabilityOf(st));
    sal.push_back(st.salience.value);
    x.push_back(st.position.value);
  }
  bdm::State state = bdm::MakeState(c, sal, x);
  bdm::Options paper{.variant = bdm::Variant::kPaper};
  std::vector<double> p = bdm::ProbabilityMatrix(state, paper);
  const size_t n = state.size();
  for (size_t a = 0; a < n; ++a) {
    for (size_t b = 0; b < n; ++b) {
      if (state.position[a] == state.position[b]) continue;
      EXPECT_NEAR(p[a * n + b] + p[b * n + a], 1, 1e-12);
    }
  }
}

// A table (found by a random search) on which the paper's capitulation rule
// fires in round 1; Scholz's dead branch never does.
TEST(Bdm, OnlyThePaperVariantCapitulates) {
  Result<Scenario> s = ParseScenario(
      "Actor,Capability,Position,Salience\nA0,0.5,100,1.0\nA1,0.3,100,0.9\n"
      "A2,1.0,50,0.9\nA3,0.5,0,1.0\n",
      "capitulation.csv");
  ASSERT_TRUE(s.has_value()) << s.error().ToString();
  auto count = [](const Forecast& f) {
    int n = 0;
    for (const Round& round : f.rounds) {
      for (const Event& e : round.events) {
        n += std::get<std::string>(e.fields[2].second) == "capitulation";
      }
    }
    return n;
  };
  EXPECT_GT(count(RunBdm(*s, "bdm(variant=paper)")), 0);
  EXPECT_EQ(count(RunBdm(*s)), 0);
}

}  // namespace
}  // namespace unionstate
