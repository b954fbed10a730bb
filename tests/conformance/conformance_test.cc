// The conformance battery (open_spiel's basic_tests): every registered model,
// present and future, must pass it. For each model and a range of scenarios:
//   * one run is a pure function of (scenario, parameters, seed);
//   * relabelling the actors (reordering them) changes no outcome, no
//     blocker and no actor's positions;
//   * every outcome and every reported position lies on its issue's scale;
//   * reported probabilities lie in [0, 1] and sum to 1 within a round;
//   * the forecast has the documented shape;
//   * a weightless issue (every salience on it 0) keeps its status quo, or
//     the middle of its scale without one, with no agreement and no blocker
//     (issue 18, item 3: exchange turned 0/0 into the scale's minimum).

#include <fmt/format.h>
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "tests/support/test_support.h"
#include "unionstate/model.h"
#include "unionstate/scenario_io.h"

namespace unionstate {
namespace {

std::unique_ptr<Model> Make(const std::string& name) {
  Result<std::unique_ptr<Model>> model = LoadModel(name);
  EXPECT_TRUE(model.has_value()) << model.error().ToString();
  return model ? std::move(*model) : nullptr;
}

// The same scenario with the actors in the order `order` (order[k] = old
// index of the new k-th actor).
Scenario Relabel(const Scenario& s, const std::vector<int>& order) {
  Scenario out = s;
  out.actors.clear();
  std::vector<int> new_index(order.size());
  for (size_t k = 0; k < order.size(); ++k) {
    out.actors.push_back(s.actors[static_cast<size_t>(order[k])]);
    new_index[static_cast<size_t>(order[k])] = static_cast<int>(k);
  }
  for (Stance& stance : out.stances)
    stance.actor = new_index[static_cast<size_t>(stance.actor)];
  out.stance_index.clear();
  Result<Scenario> valid = ValidateScenario(std::move(out));
  EXPECT_TRUE(valid.has_value());
  return *valid;
}

void CheckShape(const Scenario& s, const Forecast& f) {
  ASSERT_EQ(f.issues.size(), s.issues.size());
  ASSERT_FALSE(f.rounds.empty());
  size_t cells = s.actors.size() * s.issues.size();
  for (size_t i = 0; i < f.issues.size(); ++i) {
    EXPECT_EQ(f.issues[i].issue, static_cast<int>(i));
    const Issue& issue = s.issues[i];
    double x = f.issues[i].outcome;
    EXPECT_TRUE(std::isfinite(x));
    EXPECT_GE(x, issue.min - 1e-9 * (issue.max - issue.min)) << issue.id;
    EXPECT_LE(x, issue.max + 1e-9 * (issue.max - issue.min)) << issue.id;
    for (const std::string& id : f.issues[i].blocking) {
      bool known = s.FindActor(id) >= 0;
      for (const std::string& side : s.Sides()) known = known || side == id;
      EXPECT_TRUE(known) << "blocker " << id
                         << " is neither an actor nor a side";
    }
    if (!f.issues[i].blocking.empty()) {
      EXPECT_FALSE(f.issues[i].agreement);
    }
  }
  for (size_t k = 0; k < s.stances.size(); ++k) {
    const Stance& st = s.stances[k];
    EXPECT_EQ(
        f.rounds[0].positions[static_cast<size_t>(st.actor) * s.issues.size() +
                              static_cast<size_t>(st.issue)],
        st.position.value);
  }
  for (const Round& round : f.rounds) {
    ASSERT_EQ(round.positions.size(), cells);
    for (size_t c = 0; c < cells; ++c) {
      const Issue& issue = s.issues[c % s.issues.size()];
      double x = round.positions[c];
      if (std::isnan(x)) continue;
      EXPECT_GE(x, issue.min - 1e-9 * (issue.max - issue.min));
      EXPECT_LE(x, issue.max + 1e-9 * (issue.max - issue.min));
    }
    for (const ActorValues& v : round.actor_values) {
      ASSERT_EQ(v.values.size(), s.actors.size()) << v.name;
      if (!v.name.ends_with("probability")) continue;
      double total = 0;
      for (double p : v.values) {
        EXPECT_GE(p, 0) << v.name;
        EXPECT_LE(p, 1) << v.name;
        total += p;
      }
      EXPECT_NEAR(total, 1, 1e-9) << v.name;
    }
    for (const ActorIssueValues& v : round.actor_issue_values) {
      EXPECT_EQ(v.values.size(), cells) << v.name;
    }
    for (const IssueValues& v : round.issue_values) {
      EXPECT_EQ(v.values.size(), s.issues.size()) << v.name;
    }
  }
}

void ExpectSameForecast(const Forecast& a, const Forecast& b) {
  ASSERT_EQ(a.issues.size(), b.issues.size());
  for (size_t i = 0; i < a.issues.size(); ++i) {
    EXPECT_EQ(a.issues[i].outcome, b.issues[i].outcome);
    EXPECT_EQ(a.issues[i].agreement, b.issues[i].agreement);
    EXPECT_EQ(a.issues[i].blocking, b.issues[i].blocking);
  }
  ASSERT_EQ(a.rounds.size(), b.rounds.size());
  for (size_t r = 0; r < a.rounds.size(); ++r) {
    const auto& pa = a.rounds[r].positions;
    const auto& pb = b.rounds[r].positions;
    ASSERT_EQ(pa.size(), pb.size());
    for (size_t c = 0; c < pa.size(); ++c) {
      EXPECT_TRUE(pa[c] == pb[c] || (std::isnan(pa[c]) && std::isnan(pb[c])));
    }
    EXPECT_EQ(a.rounds[r].events.size(), b.rounds[r].events.size());
  }
}

// Outcomes, blockers and each actor's positions match after relabelling.
void ExpectRelabelInvariant(const Scenario& s, const Scenario& relabelled,
                            const std::vector<int>& order, const Forecast& a,
                            const Forecast& b) {
  for (size_t i = 0; i < s.issues.size(); ++i) {
    double scale = s.issues[i].max - s.issues[i].min;
    EXPECT_NEAR(a.issues[i].outcome, b.issues[i].outcome, 1e-9 * scale)
        << s.issues[i].id;
    EXPECT_EQ(a.issues[i].agreement, b.issues[i].agreement) << s.issues[i].id;
    std::vector<std::string> ba = a.issues[i].blocking;
    std::vector<std::string> bb = b.issues[i].blocking;
    std::sort(ba.begin(), ba.end());
    std::sort(bb.begin(), bb.end());
    EXPECT_EQ(ba, bb) << s.issues[i].id;
  }
  ASSERT_EQ(a.rounds.size(), b.rounds.size());
  size_t n = s.issues.size();
  for (size_t r = 0; r < a.rounds.size(); ++r) {
    for (size_t k = 0; k < order.size(); ++k) {
      size_t old_actor = static_cast<size_t>(order[k]);
      EXPECT_EQ(relabelled.actors[k].id, s.actors[old_actor].id);
      for (size_t i = 0; i < n; ++i) {
        double x = a.rounds[r].positions[old_actor * n + i];
        double y = b.rounds[r].positions[k * n + i];
        if (std::isnan(x)) {
          EXPECT_TRUE(std::isnan(y));
        } else {
          EXPECT_NEAR(x, y, 1e-9 * (s.issues[i].max - s.issues[i].min));
        }
      }
    }
  }
}

class Conformance : public ::testing::TestWithParam<std::string> {
 protected:
  std::vector<Scenario> Scenarios() const {
    std::vector<Scenario> out = {testing::MakeScenario(2, 1, 1),
                                 testing::MakeScenario(5, 3, 2),
                                 testing::MakeScenario(12, 4, 3)};
    Result<Scenario> builtin = LoadBuiltinScenario();
    EXPECT_TRUE(builtin.has_value());
    out.push_back(*builtin);
    return out;
  }
};

TEST_P(Conformance, SameSeedSameForecast) {
  std::unique_ptr<Model> model = Make(GetParam());
  ASSERT_NE(model, nullptr);
  for (const Scenario& s : Scenarios()) {
    SCOPED_TRACE(s.name);
    for (std::uint64_t seed : {0ull, 7ull, 123456789ull}) {
      Result<Forecast> a = model->Run(s, {.seed = seed});
      Result<Forecast> b = model->Run(s, {.seed = seed});
      ASSERT_TRUE(a.has_value()) << a.error().ToString();
      ASSERT_TRUE(b.has_value());
      EXPECT_EQ(a->seed, seed);
      ExpectSameForecast(*a, *b);
    }
  }
}

TEST_P(Conformance, OutcomesStayOnTheScaleAndTheShapeIsDocumented) {
  std::unique_ptr<Model> model = Make(GetParam());
  ASSERT_NE(model, nullptr);
  for (const Scenario& s : Scenarios()) {
    SCOPED_TRACE(s.name);
    Result<Forecast> f = model->Run(s, {.seed = 1});
    ASSERT_TRUE(f.has_value()) << f.error().ToString();
    EXPECT_EQ(f->model, GetParam());
    EXPECT_EQ(f->scenario, s.name);
    CheckShape(s, *f);
  }
}

TEST_P(Conformance, RelabellingActorsChangesNothing) {
  std::unique_ptr<Model> model = Make(GetParam());
  ASSERT_NE(model, nullptr);
  for (const Scenario& s : Scenarios()) {
    SCOPED_TRACE(s.name);
    std::vector<int> order(s.actors.size());
    std::iota(order.begin(), order.end(), 0);
    std::reverse(order.begin(), order.end());
    Scenario relabelled = Relabel(s, order);
    Result<Forecast> a = model->Run(s, {.seed = 5});
    Result<Forecast> b = model->Run(relabelled, {.seed = 5});
    ASSERT_TRUE(a.has_value() && b.has_value());
    ExpectRelabelInvariant(s, relabelled, order, *a, *b);
  }
}

// A weightless issue: nobody cares, so nothing moves it, in every model.
TEST_P(Conformance, AWeightlessIssueKeepsItsStatusQuoWithoutAgreement) {
  std::unique_ptr<Model> model = Make(GetParam());
  ASSERT_NE(model, nullptr);
  Scenario s = testing::MakeScenario(5, 3, 11);
  const int weightless = 1;
  Issue& issue = s.issues[static_cast<size_t>(weightless)];
  issue.status_quo->value = 30;  // off the middle, to tell the two apart
  for (Stance& st : s.stances) {
    if (st.issue == weightless) st.salience.value = 0;
  }
  Scenario without_status_quo = s;
  without_status_quo.issues[static_cast<size_t>(weightless)].status_quo.reset();
  for (Scenario* scenario : {&s, &without_status_quo}) {
    scenario->stance_index.clear();
    Result<Scenario> valid = ValidateScenario(std::move(*scenario));
    ASSERT_TRUE(valid.has_value()) << valid.error().ToString();
    *scenario = std::move(*valid);
  }
  for (std::uint64_t seed : {0ull, 9ull}) {
    Result<Forecast> f = model->Run(s, {.seed = seed});
    ASSERT_TRUE(f.has_value()) << f.error().ToString();
    const IssueForecast& out = f->issues[static_cast<size_t>(weightless)];
    EXPECT_EQ(out.outcome, 30);
    EXPECT_FALSE(out.agreement);
    EXPECT_TRUE(out.blocking.empty());
    EXPECT_EQ(out.convergence.status, Convergence::Status::kNotIterated);
    CheckShape(s, *f);

    f = model->Run(without_status_quo, {.seed = seed});
    ASSERT_TRUE(f.has_value()) << f.error().ToString();
    const IssueForecast& middle = f->issues[static_cast<size_t>(weightless)];
    EXPECT_EQ(middle.outcome, 50);
    EXPECT_FALSE(middle.agreement);
    EXPECT_TRUE(middle.blocking.empty());
  }
}

// The same properties on random scenarios and random relabellings.
TEST_P(Conformance, PropertiesHoldOnRandomScenarios) {
  std::unique_ptr<Model> model = Make(GetParam());
  ASSERT_NE(model, nullptr);
  int min_actors = std::max(2, model->info().min_actors);
  bool ok = rc::check("relabelling and scale", [&] {
    int actors = *rc::gen::inRange(min_actors, 9);
    int issues = *rc::gen::inRange(1, 4);
    unsigned seed = *rc::gen::arbitrary<unsigned>();
    Scenario s = testing::MakeScenario(actors, issues, seed);
    std::vector<int> order(static_cast<size_t>(actors));
    std::iota(order.begin(), order.end(), 0);
    for (int k = actors - 1; k > 0; --k) {
      std::swap(order[static_cast<size_t>(k)],
                order[static_cast<size_t>(*rc::gen::inRange(0, k + 1))]);
    }
    Scenario relabelled = Relabel(s, order);
    Result<Forecast> a = model->Run(s, {.seed = 3});
    Result<Forecast> b = model->Run(relabelled, {.seed = 3});
    RC_ASSERT(a.has_value() && b.has_value());
    // The checks' failures are caught here rather than reported, so that
    // rapidcheck shrinks to a case that fails by itself (a reported failure
    // would mark every later case, and the shrink, as failing too).
    ::testing::TestPartResultArray failures;
    {
      ::testing::ScopedFakeTestPartResultReporter catcher(
          ::testing::ScopedFakeTestPartResultReporter::
              INTERCEPT_ONLY_CURRENT_THREAD,
          &failures);
      CheckShape(s, *a);
      ExpectRelabelInvariant(s, relabelled, order, *a, *b);
    }
    if (failures.size() > 0) {
      RC_FAIL(fmt::format("{} actors, {} issues, scenario seed {}: {}", actors,
                          issues, seed,
                          failures.GetTestPartResult(0).message()));
    }
  });
  EXPECT_TRUE(ok);
}

std::vector<std::string> ModelNames() {
  std::vector<std::string> names;
  for (const RegisteredModel& m : RegisteredModels())
    names.push_back(m.info->short_name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(
    AllModels, Conformance, ::testing::ValuesIn(ModelNames()),
    [](const ::testing::TestParamInfo<std::string>& param) {
      return param.param;
    });

}  // namespace
}  // namespace unionstate
