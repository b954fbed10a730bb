#include "unionstate/ensemble.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <random>
#include <thread>

#include "tests/support/test_support.h"
#include "unionstate/output.h"
#include "unionstate/scenario_io.h"

namespace unionstate {
namespace {

std::unique_ptr<Model> Make(const std::string& spec) {
  Result<std::unique_ptr<Model>> m = LoadModel(spec);
  EXPECT_TRUE(m.has_value()) << m.error().ToString();
  return m ? std::move(*m) : nullptr;
}

EnsembleRuns RunOrDie(const Scenario& s, const Model& m,
                      const EnsemblePlan& plan, const EnsembleOptions& o) {
  Result<EnsembleRuns> r = RunEnsemble(s, m, plan, o);
  EXPECT_TRUE(r.has_value()) << r.error().ToString();
  return r ? std::move(*r) : EnsembleRuns{};
}

Scenario Parse(const std::string& text) {
  Result<Scenario> s = ParseScenario(text, "test.toml");
  EXPECT_TRUE(s.has_value()) << s.error().ToString();
  return s ? *s : Scenario{};
}

// One actor, one issue: the compromise is the actor's position, so the
// outcome's distribution is the position's.
Scenario OneActor(const std::string& position) {
  return Parse(
      "[scenario]\nname = \"one\"\n"
      "[[actors]]\nid = \"a\"\ncapability = 1\n"
      "[[issues]]\nid = \"x\"\nmin = 0\nmax = 100\n"
      "[[positions]]\nactor = \"a\"\nissue = \"x\"\nposition = " +
      position + "\nsalience = 1\n");
}

void ExpectSameRecords(const std::vector<RunRecord>& a,
                       const std::vector<RunRecord>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t k = 0; k < a.size(); ++k) {
    EXPECT_EQ(a[k].run, b[k].run);
    EXPECT_EQ(a[k].inputs, b[k].inputs) << "run " << a[k].run;
    EXPECT_EQ(a[k].outcomes, b[k].outcomes) << "run " << a[k].run;
    EXPECT_EQ(a[k].agreement, b[k].agreement);
    EXPECT_EQ(a[k].blocking, b[k].blocking);
  }
}

TEST(Perturbation, ParsesEveryClassAndRejectsWithTheReason) {
  Result<Perturbation> p =
      ParsePerturbation("positions=10, saliences=0.1,capabilities=0.25");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->positions, 10);
  EXPECT_EQ(p->saliences, 0.1);
  EXPECT_EQ(p->capabilities, 0.25);
  EXPECT_EQ(PerturbationToString(*p),
            "positions=10,saliences=0.1,capabilities=0.25");
  EXPECT_FALSE(ParsePerturbation("").value().any());
  EXPECT_EQ(ParsePerturbation("position=10").error().ToString(),
            "--perturb: \"position=10\" is not CLASS=AMOUNT; expected "
            "positions=PERCENT_OF_SCALE, saliences=SD or "
            "capabilities=RELATIVE_SD, separated "
            "by commas");
  EXPECT_EQ(
      ParsePerturbation("positions=-1").error().ToString(),
      "--perturb: the amount of positions is \"-1\"; expected a number >= 0");
  EXPECT_EQ(ParsePerturbation("saliences=2").error().ToString(),
            "--perturb: saliences=2 is larger than the salience scale; "
            "expected an sd in [0, 1]");
  EXPECT_FALSE(ParsePerturbation("positions=1x").has_value());
}

TEST(Plan, ListsTheScenarioDistributionsAndThePerturbedClassesInOrder) {
  Scenario s = Parse(
      "[scenario]\nname = \"plan\"\n"
      "[[actors]]\nid = \"a\"\ncapability = { value = 2, values = [1, 2, 3] }\n"
      "[[actors]]\nid = \"b\"\ncapability = 1\n"
      "[[issues]]\nid = \"x\"\nmin = 0\nmax = 200\n"
      "status_quo = { value = 50, dist = \"uniform\", min = 40, max = 60 }\n"
      "[[positions]]\nactor = \"a\"\nissue = \"x\"\nposition = { value = 100, "
      "sd = 5 }\n"
      "salience = 0.5\n"
      "[[positions]]\nactor = \"b\"\nissue = \"x\"\nposition = 10\nsalience = "
      "0.5\n");
  EnsemblePlan plain = PlanEnsemble(s);
  ASSERT_EQ(plain.inputs.size(), 3u);
  EXPECT_EQ(plain.inputs[0].name, "capability:a");
  EXPECT_EQ(plain.inputs[1].name, "status_quo:x");
  EXPECT_EQ(plain.inputs[2].name, "position:a:x");
  EXPECT_FALSE(plain.inputs[2].perturbed);

  EnsemblePlan perturbed = PlanEnsemble(s, {.positions = 10, .saliences = 0.1});
  std::vector<std::string> names;
  for (const UncertainInput& in : perturbed.inputs) names.push_back(in.name);
  EXPECT_EQ(names, (std::vector<std::string>{"capability:a", "status_quo:x",
                                             "position:a:x", "salience:a:x",
                                             "position:b:x", "salience:b:x"}));
  // Own distributions win over the perturbation; 10 % of a 200-wide scale.
  EXPECT_EQ(perturbed.inputs[2].distribution.sd, 5);
  EXPECT_TRUE(perturbed.inputs[4].perturbed);
  EXPECT_EQ(perturbed.inputs[4].distribution.sd, 20);
  EXPECT_EQ(perturbed.inputs[4].distribution.lower, 0);
  EXPECT_EQ(perturbed.inputs[4].distribution.upper, 200);
}

TEST(Ensemble, OneAndTwoThreadsGiveBitIdenticalRunsAndSummaries) {
  Result<Scenario> s = LoadBuiltinScenario();
  ASSERT_TRUE(s.has_value());
  const EnsemblePlan plan =
      PlanEnsemble(*s, {.positions = 10, .saliences = 0.1});
  // smp runs its own parallel loops inside each run.
  for (const char* spec :
       {"parity", "nash", "bdm(rounds=3)", "smp(max_turns=3)"}) {
    SCOPED_TRACE(spec);
    std::unique_ptr<Model> m = Make(spec);
    EnsembleRuns one = RunOrDie(
        *s, *m, plan, {.runs = 60, .seed = 11, .threads = 1, .batch = 7});
    EnsembleRuns two = RunOrDie(
        *s, *m, plan, {.runs = 60, .seed = 11, .threads = 2, .batch = 16});
    ExpectSameRecords(one.records, two.records);
    EnsembleReport a{.summary = Summarise(*s, plan, one.records)};
    EnsembleReport b{.summary = Summarise(*s, plan, two.records)};
    EXPECT_EQ(EnsembleToJson(*s, a), EnsembleToJson(*s, b));
  }
}

// smp goes parallel inside a run from 40 actors up: nested loops must not
// let one run's thread pick up another run.
TEST(Ensemble, ModelsThatRunParallelLoopsInsideARunStayIdentical) {
  Scenario s = testing::MakeScenario(45, 2, 3);
  const EnsemblePlan plan = PlanEnsemble(s, {.positions = 10});
  std::unique_ptr<Model> m = Make("smp(max_turns=2)");
  EnsembleRuns one =
      RunOrDie(s, *m, plan, {.runs = 12, .seed = 5, .threads = 1});
  EnsembleRuns two =
      RunOrDie(s, *m, plan, {.runs = 12, .seed = 5, .threads = 2, .batch = 4});
  ExpectSameRecords(one.records, two.records);
}

TEST(Ensemble, RunsDependOnSeedAndIndexOnlySoSplitsMergeToTheWhole) {
  Scenario s = testing::MakeScenario(6, 3, 4);
  const EnsemblePlan plan = PlanEnsemble(s, {.positions = 10});
  std::unique_ptr<Model> m = Make("compromise");
  EnsembleRuns whole = RunOrDie(s, *m, plan, {.runs = 25, .seed = 3});
  EnsembleRuns even = RunOrDie(
      s, *m, plan, {.runs = 25, .seed = 3, .first_run = 0, .stride = 2});
  EnsembleRuns odd = RunOrDie(
      s, *m, plan, {.runs = 25, .seed = 3, .first_run = 1, .stride = 2});
  ASSERT_EQ(even.records.size(), 13u);
  ASSERT_EQ(odd.records.size(), 12u);
  std::vector<RunRecord> merged;
  for (size_t k = 0; k < 25; ++k) {
    merged.push_back(k % 2 == 0 ? even.records[k / 2] : odd.records[k / 2]);
  }
  ExpectSameRecords(whole.records, merged);
  // DrawScenario replays run 17.
  std::vector<double> drawn;
  Scenario replay = DrawScenario(s, plan, 3, 17, &drawn);
  EXPECT_EQ(drawn, whole.records[17].inputs);
  EXPECT_EQ(replay.stances[0].position.value, drawn[0]);
}

TEST(Ensemble, DifferentSeedsDrawDifferently) {
  Scenario s = testing::MakeScenario(4, 2, 1);
  const EnsemblePlan plan =
      PlanEnsemble(s, {.positions = 10, .saliences = 0.1});
  std::vector<double> a, b, c;
  DrawScenario(s, plan, 1, 0, &a);
  DrawScenario(s, plan, 2, 0, &b);
  DrawScenario(s, plan, 1, 1, &c);
  ASSERT_EQ(a.size(), plan.inputs.size());
  int drawn = 0;
  for (size_t k = 0; k < a.size(); ++k) {
    const UncertainInput& in = plan.inputs[k];
    if (in.value == in.distribution.lower ||
        in.value == in.distribution.upper) {
      // A perturbed value on a bound of its scale stays there.
      EXPECT_EQ(a[k], in.value) << in.name;
      EXPECT_EQ(b[k], in.value) << in.name;
      continue;
    }
    ++drawn;
    EXPECT_NE(a[k], b[k]) << in.name;
    EXPECT_NE(a[k], c[k]) << in.name;
  }
  EXPECT_GT(drawn, 0);
}

// Quantiles of N(50, 10) from 4000 runs, within four standard errors of
// each sample quantile: sigma * sqrt(p (1 - p) / n) / phi(z_p).
TEST(Ensemble, QuantilesOfANormalPositionComeOutRight) {
  Scenario s = OneActor("{ value = 50, sd = 10 }");
  const EnsemblePlan plan = PlanEnsemble(s);
  std::unique_ptr<Model> m = Make("compromise");
  EnsembleRuns r =
      RunOrDie(s, *m, plan, {.runs = 4000, .seed = 2024, .threads = 2});
  EnsembleSummary sum = Summarise(s, plan, r.records);
  ASSERT_EQ(sum.issues.size(), 1u);
  const IssueSummary& x = sum.issues[0];
  const double n = 4000;
  struct Expected {
    double p, z, value;
  };
  const Expected cases[] = {{0.05, -1.6448536269514722, x.q05},
                            {0.25, -0.6744897501960817, x.q25},
                            {0.50, 0.0, x.q50},
                            {0.75, 0.6744897501960817, x.q75},
                            {0.95, 1.6448536269514722, x.q95}};
  for (const Expected& e : cases) {
    const double phi = std::exp(-e.z * e.z / 2) / std::sqrt(2 * M_PI);
    const double se = 10 * std::sqrt(e.p * (1 - e.p) / n) / phi;
    EXPECT_NEAR(e.value, 50 + 10 * e.z, 4 * se) << "quantile " << e.p;
  }
  EXPECT_NEAR(x.mean, 50, 4 * 10 / std::sqrt(n));
  EXPECT_NEAR(x.sd, 10, 4 * 10 / std::sqrt(2 * n));
}

TEST(Ensemble, UniformAndDiscreteDrawsHaveTheirDistributions) {
  {
    Scenario s =
        OneActor("{ value = 40, dist = \"uniform\", min = 20, max = 60 }");
    const EnsemblePlan plan = PlanEnsemble(s);
    std::unique_ptr<Model> m = Make("compromise");
    EnsembleRuns r = RunOrDie(s, *m, plan, {.runs = 4000, .seed = 5});
    const IssueSummary x = Summarise(s, plan, r.records).issues[0];
    // Uniform on [20, 60]: quantile p is 20 + 40 p; se of it 40 sqrt(p(1-p)/n).
    for (auto [p, q] : {std::pair{0.05, x.q05}, {0.5, x.q50}, {0.95, x.q95}}) {
      EXPECT_NEAR(q, 20 + 40 * p, 4 * 40 * std::sqrt(p * (1 - p) / 4000)) << p;
    }
    for (const RunRecord& run : r.records) {
      EXPECT_GE(run.inputs[0], 20);
      EXPECT_LT(run.inputs[0], 60);
    }
  }
  {
    Scenario s =
        OneActor("{ value = 30, values = [10, 30, 90], weights = [1, 2, 1] }");
    const EnsemblePlan plan = PlanEnsemble(s);
    std::vector<double> drawn;
    int counts[3] = {0, 0, 0};
    for (std::uint64_t k = 0; k < 4000; ++k) {
      DrawScenario(s, plan, 9, k, &drawn);
      ASSERT_TRUE(drawn[0] == 10 || drawn[0] == 30 || drawn[0] == 90)
          << drawn[0];
      ++counts[drawn[0] == 10 ? 0 : drawn[0] == 30 ? 1 : 2];
    }
    // Binomial counts: 1000, 2000, 1000 with sd 27, 32, 27.
    EXPECT_NEAR(counts[0], 1000, 4 * 27.4);
    EXPECT_NEAR(counts[1], 2000, 4 * 31.7);
    EXPECT_NEAR(counts[2], 1000, 4 * 27.4);
  }
}

TEST(Ensemble, CutNormalsStayInsideTheirBounds) {
  Scenario s =
      OneActor("{ value = 95, sd = 30 }");  // cut to the scale [0, 100]
  const EnsemblePlan plan = PlanEnsemble(s);
  std::vector<double> drawn;
  int above_mean = 0;
  for (std::uint64_t k = 0; k < 2000; ++k) {
    DrawScenario(s, plan, 1, k, &drawn);
    ASSERT_GE(drawn[0], 0);
    ASSERT_LE(drawn[0], 100);
    above_mean += drawn[0] > 95;
  }
  // P(X > 95 | 0 <= X <= 100) for N(95, 30): (Phi(1/6) - 1/2) / (Phi(1/6) -
  // Phi(-95/30)).
  auto phi = [](double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); };
  const double p = (phi(5.0 / 30) - 0.5) / (phi(5.0 / 30) - phi(-95.0 / 30));
  EXPECT_NEAR(p, 0.1171, 1e-4);
  EXPECT_NEAR(above_mean / 2000.0, p, 4 * std::sqrt(p * (1 - p) / 2000));
}

// The compromise of two actors is linear in their positions:
// y = (3 x1 + x2) / 4. The regression is exact (R^2 = 1), so each SRC is
// its coefficient times the sample sd of its input over that of y; with
// equal sds they approach 3/sqrt(10) and 1/sqrt(10), and the first-order
// Sobol indices 0.9 and 0.1.
TEST(Sensitivity, RecoversTheCoefficientsOfALinearModel) {
  Scenario s = Parse(
      "[scenario]\nname = \"linear\"\n"
      "[[actors]]\nid = \"a\"\ncapability = 3\n"
      "[[actors]]\nid = \"b\"\ncapability = 1\n"
      "[[issues]]\nid = \"x\"\nmin = 0\nmax = 100\n"
      "[[positions]]\nactor = \"a\"\nissue = \"x\"\nposition = { value = 50, "
      "sd = 5 }\n"
      "salience = 1\n"
      "[[positions]]\nactor = \"b\"\nissue = \"x\"\nposition = { value = 50, "
      "sd = 5 }\n"
      "salience = 1\n");
  const EnsemblePlan plan = PlanEnsemble(s);
  std::unique_ptr<Model> m = Make("compromise");
  EnsembleRuns r = RunOrDie(s, *m, plan, {.runs = 3000, .seed = 77});
  const IssueSummary x = Summarise(s, plan, r.records).issues[0];
  ASSERT_EQ(x.src.size(), 2u);
  auto sd = [&](int k) {
    double mean = 0, ss = 0;
    for (const RunRecord& run : r.records)
      mean += run.inputs[static_cast<size_t>(k)] / 3000;
    for (const RunRecord& run : r.records) {
      ss += std::pow(run.inputs[static_cast<size_t>(k)] - mean, 2);
    }
    return std::sqrt(ss / 2999);
  };
  EXPECT_NEAR(x.src[0], 0.75 * sd(0) / x.sd, 1e-9);
  EXPECT_NEAR(x.src[1], 0.25 * sd(1) / x.sd, 1e-9);
  EXPECT_NEAR(x.src[0], 3 / std::sqrt(10.0), 0.01);
  EXPECT_NEAR(x.src[1], 1 / std::sqrt(10.0), 0.02);
  EXPECT_NEAR(x.src_r2, 1, 1e-12);
  EXPECT_TRUE(x.sobol.empty());  // only from a Saltelli design (RunSobol)
}

// --perturb on a bounded scale draws a Beta with the value as its mean: the
// requested sd where the scale allows it, less near a bound (alpha, beta >=
// 1), nothing on a bound. Capabilities draw a log-normal with the value as
// its mean and the requested relative sd.
TEST(Perturbation, BetaKeepsTheValueAsMeanAndABoundStaysPut) {
  Scenario s = Parse(
      "[scenario]\nname = \"beta\"\n"
      "[[actors]]\nid = \"a\"\ncapability = 2\n"
      "[[actors]]\nid = \"b\"\ncapability = 1\n"
      "[[actors]]\nid = \"c\"\ncapability = 1\n"
      "[[issues]]\nid = \"x\"\nmin = 0\nmax = 200\n"
      "[[positions]]\nactor = \"a\"\nissue = \"x\"\nposition = 60\n"
      "salience = 0.5\n"
      "[[positions]]\nactor = \"b\"\nissue = \"x\"\nposition = 4\n"
      "salience = 1\n"
      "[[positions]]\nactor = \"c\"\nissue = \"x\"\nposition = 0\n"
      "salience = 0.5\n");
  const EnsemblePlan plan =
      PlanEnsemble(s, {.positions = 10, .saliences = 0.1, .capabilities = 0.2});
  // capability a, b, c; position, salience of a, b, c.
  ASSERT_EQ(plan.inputs.size(), 9u);
  EXPECT_EQ(plan.inputs[0].shape, UncertainInput::Shape::kLogNormal);
  EXPECT_EQ(plan.inputs[3].shape, UncertainInput::Shape::kBeta);
  // Position 60 of [0, 200], sd 20: mean 0.3, sd 0.1 on [0, 1], well inside
  // the limit, so alpha = 0.3 nu, beta = 0.7 nu with nu = 0.21 / 0.01 - 1.
  const BetaShape mid = PerturbationBeta(plan.inputs[3]);
  EXPECT_NEAR(mid.alpha, 0.3 * 20, 1e-12);
  EXPECT_NEAR(mid.beta, 0.7 * 20, 1e-12);
  // Position 4: mean 0.02, the sd is cut so that alpha = 1.
  const BetaShape near = PerturbationBeta(plan.inputs[5]);
  EXPECT_NEAR(near.alpha, 1, 1e-9);
  EXPECT_GT(near.beta, 1);
  EXPECT_EQ(PerturbationBeta(plan.inputs[7]).alpha, 0);  // position 0

  const int n = 20000;
  std::vector<double> drawn;
  double sum[9] = {}, sum2[9] = {};
  for (std::uint64_t k = 0; k < n; ++k) {
    DrawScenario(s, plan, 3, k, &drawn);
    for (size_t i = 0; i < 9; ++i) {
      sum[i] += drawn[i];
      sum2[i] += drawn[i] * drawn[i];
    }
    ASSERT_EQ(drawn[7], 0);  // c's position stays on the bound
    ASSERT_EQ(drawn[6], 1);  // b's salience too
    ASSERT_GT(drawn[5], 0);  // b's position moves, inside the scale
    ASSERT_LT(drawn[3], 200);
  }
  auto mean = [&](int i) { return sum[i] / n; };
  auto sd = [&](int i) {
    return std::sqrt((sum2[i] - sum[i] * sum[i] / n) / (n - 1));
  };
  // Means within four standard errors of the values.
  EXPECT_NEAR(mean(3), 60, 4 * 20 / std::sqrt(n));
  EXPECT_NEAR(sd(3), 20, 0.5);
  EXPECT_NEAR(mean(5), 4, 4 * sd(5) / std::sqrt(n));
  EXPECT_LT(sd(5), 4.1);  // cut: about the distance to the bound
  EXPECT_NEAR(mean(4), 0.5, 4 * 0.1 / std::sqrt(n));
  EXPECT_NEAR(sd(4), 0.1, 0.003);
  EXPECT_NEAR(mean(0), 2, 4 * 0.4 / std::sqrt(n));
  EXPECT_NEAR(sd(0), 0.4, 0.02);
}

// Issue 19: with draws that pile nothing on the bounds and leave a value on
// a bound there, Belarus (position 0, the status quo) keeps blocking the
// 31st road map under parity, as in the single run.
TEST(Issue19, ParityBlocksThe31stRoadMapInMostDraws) {
  Result<Scenario> s = LoadBuiltinScenario();
  ASSERT_TRUE(s.has_value());
  ASSERT_TRUE(s->as_of.has_value());
  EXPECT_EQ(s->as_of->ToString(), "2021-09-10");  // the 2021 snapshot
  const EnsemblePlan plan =
      PlanEnsemble(*s, {.positions = 10, .saliences = 0.1});
  std::unique_ptr<Model> m = Make("parity");
  EnsembleRuns r =
      RunOrDie(*s, *m, plan, {.runs = 400, .seed = 19, .threads = 2});
  const EnsembleSummary sum = Summarise(*s, plan, r.records);
  const int p31 = s->FindIssue("p31_supranational");
  ASSERT_GE(p31, 0);
  const IssueSummary& x = sum.issues[static_cast<size_t>(p31)];
  EXPECT_LE(x.p_agreement, 0.1);
  ASSERT_FALSE(x.p_blocking.empty());
  EXPECT_EQ(x.p_blocking[0].first, "belarus");
  EXPECT_GE(x.p_blocking[0].second, 0.9);
  EXPECT_EQ(x.q50, 0);
}

// The summary is a function of the runs in run order: how they are split
// into batches, and how many threads share the cross-products, change no
// bit. More runs than one block of the cross-products and than the exact
// quantile buffer.
TEST(Accumulator, BatchesAndThreadsChangeNoNumber) {
  Scenario s = testing::MakeScenario(6, 3, 4);
  const EnsemblePlan plan =
      PlanEnsemble(s, {.positions = 10, .saliences = 0.1});
  std::unique_ptr<Model> m = Make("compromise");
  EnsembleRuns r =
      RunOrDie(s, *m, plan, {.runs = 20000, .seed = 8, .threads = 2});
  const EnsembleSummary whole = Summarise(s, plan, r.records);
  EnsembleAccumulator two(s, plan, 2);
  std::mt19937_64 rng(5);
  for (size_t begin = 0; begin < r.records.size();) {
    const size_t size =
        std::min<size_t>(1 + rng() % 700, r.records.size() - begin);
    two.Add(std::span<const RunRecord>(r.records).subspan(begin, size));
    begin += size;
    if (begin == 9000) (void)two.Summary();  // asking midway changes nothing
  }
  EXPECT_EQ(two.runs(), 20000);
  EnsembleReport a{.summary = whole};
  EnsembleReport b{.summary = two.Summary()};
  EXPECT_EQ(EnsembleToJson(s, a), EnsembleToJson(s, b));
  // The streamed regression agrees with a direct least-squares fit.
  const size_t p = plan.inputs.size();
  for (size_t i = 0; i < s.issues.size(); ++i) {
    double my = 0;
    std::vector<double> mx(p, 0), sx(p, 0);
    for (const RunRecord& run : r.records) {
      my += run.outcomes[i] / 20000;
      for (size_t k = 0; k < p; ++k) mx[k] += run.inputs[k] / 20000;
    }
    double syy = 0;
    for (const RunRecord& run : r.records) {
      syy += std::pow(run.outcomes[i] - my, 2);
      for (size_t k = 0; k < p; ++k)
        sx[k] += std::pow(run.inputs[k] - mx[k], 2);
    }
    const IssueSummary& x = whole.issues[i];
    EXPECT_NEAR(x.mean, my, 1e-9 * (1 + std::abs(my)));
    EXPECT_NEAR(x.sd, std::sqrt(syy / 19999), 1e-9);
    // Residuals of the fitted standardised model are orthogonal to every
    // input: sum_r (y_r - yhat_r) (x_rk - mean_k) = 0.
    for (size_t k = 0; k < p; ++k) {
      if (std::isnan(x.src[k])) continue;
      double dot = 0;
      for (const RunRecord& run : r.records) {
        double fit = my;
        for (size_t j = 0; j < p; ++j) {
          if (std::isnan(x.src[j])) continue;
          fit += x.src[j] * std::sqrt(syy / sx[j]) * (run.inputs[j] - mx[j]);
        }
        dot += (run.outcomes[i] - fit) * (run.inputs[k] - mx[k]);
      }
      EXPECT_NEAR(dot / std::sqrt(syy * sx[k]), 0, 1e-8) << i << " " << k;
    }
  }
}

// Past its exact buffer the sketch's quantiles are off by less than one bin
// in rank, and a point mass stays exact.
TEST(QuantileSketch, RankErrorBelowOneBinAndPointMassesExact) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0, 1);
  std::normal_distribution<double> z(5, 2);
  QuantileSketch sketch;
  std::vector<double> all;
  const int n = 300000;
  for (int k = 0; k < n; ++k) {
    // 30 % exactly 0; the rest normal, drifting upward late in the stream
    // (values the first buffer never saw).
    const double x = u(rng) < 0.3 ? 0.0 : z(rng) + (k > n / 2 ? 3 : 0);
    sketch.Add(x);
    all.push_back(x);
  }
  std::sort(all.begin(), all.end());
  EXPECT_EQ(sketch.count(), n);
  EXPECT_EQ(sketch.Quantile(0.05), 0);
  EXPECT_EQ(sketch.Quantile(0.25), 0);
  EXPECT_EQ(sketch.Quantile(0), all.front());
  EXPECT_EQ(sketch.Quantile(1), all.back());
  const double slack = 2.0 / QuantileSketch::kBins;
  for (double p : {0.35, 0.5, 0.75, 0.95, 0.99}) {
    const double q = sketch.Quantile(p);
    EXPECT_GE(q, Quantile(all, p - slack)) << p;
    EXPECT_LE(q, Quantile(all, p + slack)) << p;
  }
  // Below the buffer's size the quantiles are exact.
  QuantileSketch small;
  for (int k = 0; k < 1000; ++k) small.Add(all[static_cast<size_t>(k * 300)]);
  EXPECT_EQ(small.Quantile(0.5), (all[499 * 300] + all[500 * 300]) / 2);
}

// Values added in spans (across the freeze of the exact buffer, in spans of
// uneven length) give the sketch that adding them one by one gives.
TEST(QuantileSketch, SpansAddAsSingleValuesDo) {
  std::mt19937_64 rng(12);
  std::normal_distribution<double> z(0, 1);
  std::vector<double> xs(3 * QuantileSketch::kExactRuns + 17);
  for (double& x : xs) x = std::round(z(rng) * 50) / 10;  // with repeats
  QuantileSketch one_by_one;
  QuantileSketch spans;
  for (double x : xs) one_by_one.Add(x);
  for (size_t begin = 0, width = 1; begin < xs.size();
       begin += width, width = width * 3 % 997 + 1) {
    const size_t n = std::min(width, xs.size() - begin);
    spans.Add(std::span<const double>(xs).subspan(begin, n));
  }
  EXPECT_EQ(spans.count(), one_by_one.count());
  for (double p : {0.0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1.0})
    EXPECT_EQ(spans.Quantile(p), one_by_one.Quantile(p)) << p;
}

// --runs 2^40 is counted, not listed: the ensemble starts at once, and a
// stop ends it after the batches done.
TEST(Ensemble, TwoToTheFortyRunsStreamAndStop) {
  Scenario s = testing::MakeScenario(3, 1, 2);
  const EnsemblePlan plan = PlanEnsemble(s, {.positions = 5});
  std::unique_ptr<Model> m = Make("compromise");
  std::atomic<bool> stop{false};
  std::int64_t seen = 0;
  std::uint64_t last = 0;
  EnsembleOptions o{
      .runs = std::int64_t{1} << 40, .seed = 1, .threads = 2, .batch = 100};
  o.keep_records = false;
  o.stop = &stop;
  o.on_batch = [&](std::span<const RunRecord> batch) -> Result<void> {
    seen += static_cast<std::int64_t>(batch.size());
    last = batch.back().run;
    if (seen == 300) stop = true;
    return {};
  };
  EnsembleRuns r = RunOrDie(s, *m, plan, o);
  EXPECT_TRUE(r.interrupted);
  EXPECT_EQ(r.done, 300);
  EXPECT_TRUE(r.records.empty());
  EXPECT_EQ(last, 299u);
}

// A model whose one issue's outcome is the Ishigami function of the first
// three stances' positions: f = sin x1 + 7 sin^2 x2 + 0.1 x3^4 sin x1, with
// known indices for x_i uniform on [-pi, pi] (Ishigami & Homma 1990; Sobol'
// & Levitan 1999): V = 49/8 + 0.1 pi^4 / 5 + 0.01 pi^8 / 18 + 1/2.
class Ishigami : public Model {
 public:
  Ishigami() : Model(Parameters{}) {}
  const ModelInfo& info() const override {
    static const ModelInfo kInfo = [] {
      ModelInfo info;
      info.short_name = "ishigami";
      return info;
    }();
    return kInfo;
  }
  Result<Forecast> Run(const Scenario& s,
                       const RunOptions& options) const override {
    Forecast f = StartForecast(s, options);
    const double x1 = s.stances[0].position.value;
    const double x2 = s.stances[1].position.value;
    const double x3 = s.stances[2].position.value;
    f.issues[0].outcome = std::sin(x1) + 7 * std::pow(std::sin(x2), 2) +
                          0.1 * std::pow(x3, 4) * std::sin(x1);
    return f;
  }
};

TEST(Sobol, IshigamiIndicesThroughTheLibrary) {
  std::string text =
      "[scenario]\nname = \"ishigami\"\n"
      "[[issues]]\nid = \"f\"\nmin = -4\nmax = 4\n";
  for (const char* a : {"x1", "x2", "x3"}) {
    text += fmt::format(
        "[[actors]]\nid = \"{0}\"\ncapability = 1\n"
        "[[positions]]\nactor = \"{0}\"\nissue = \"f\"\nposition = {{ value "
        "= 0, dist = \"uniform\", min = {1:.17g}, max = {2:.17g} }}\n"
        "salience = 1\n",
        a, -M_PI, M_PI);
  }
  Scenario s = Parse(text);
  const EnsemblePlan plan = PlanEnsemble(s);
  ASSERT_EQ(plan.inputs.size(), 3u);
  Ishigami model;
  const double pi4 = std::pow(M_PI, 4), pi8 = std::pow(M_PI, 8);
  const double v = 49.0 / 8 + 0.1 * pi4 / 5 + 0.01 * pi8 / 18 + 0.5;
  const double v1 = 0.1 * pi4 / 5 + 0.01 * pi8 / 50 + 0.5;
  const double v13 = 0.01 * pi8 * (1.0 / 18 - 1.0 / 50);
  const double first[3] = {v1 / v, 49.0 / 8 / v, 0};
  const double total[3] = {(v1 + v13) / v, 49.0 / 8 / v, v13 / v};
  EnsembleSummary one;
  one.issues.resize(1);
  Result<SobolRuns> r = RunSobol(
      s, model, plan,
      {.base_runs = 20000, .seed = 1, .threads = 1, .bootstrap = 100}, one);
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->rows, 20000);
  EXPECT_EQ(one.sobol_runs, 100000);
  const IssueSummary& x = one.issues[0];
  for (size_t i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    EXPECT_NEAR(x.sobol[i], first[i], 0.03);
    EXPECT_NEAR(x.sobol_total[i], total[i], 0.03);
    // The interval holds its estimate and is about as wide as the error
    // allowed above.
    EXPECT_LE(x.sobol_ci[i].first, x.sobol[i]);
    EXPECT_GE(x.sobol_ci[i].second, x.sobol[i]);
    EXPECT_LT(x.sobol_ci[i].second - x.sobol_ci[i].first, 0.1);
    EXPECT_LE(x.sobol_total_ci[i].first, x.sobol_total[i]);
    EXPECT_GE(x.sobol_total_ci[i].second, x.sobol_total[i]);
    EXPECT_LT(x.sobol_total_ci[i].second - x.sobol_total_ci[i].first, 0.1);
  }
  // Two threads, the same numbers.
  EnsembleSummary two;
  two.issues.resize(1);
  ASSERT_TRUE(
      RunSobol(s, model, plan,
               {.base_runs = 20000, .seed = 1, .threads = 2, .bootstrap = 100},
               two)
          .has_value());
  EXPECT_EQ(two.issues[0].sobol, x.sobol);
  EXPECT_EQ(two.issues[0].sobol_total, x.sobol_total);
  EXPECT_EQ(two.issues[0].sobol_ci, x.sobol_ci);
}

// The compromise of two actors is linear, y = (3 x1 + x2) / 4, with
// independent inputs of equal sd: S_1 = S_T1 = 0.9, S_2 = S_T2 = 0.1.
TEST(Sobol, LinearCompromiseHasItsShares) {
  Scenario s = Parse(
      "[scenario]\nname = \"linear\"\n"
      "[[actors]]\nid = \"a\"\ncapability = 3\n"
      "[[actors]]\nid = \"b\"\ncapability = 1\n"
      "[[issues]]\nid = \"x\"\nmin = 0\nmax = 100\n"
      "[[positions]]\nactor = \"a\"\nissue = \"x\"\nposition = { value = 50, "
      "sd = 5 }\n"
      "salience = 1\n"
      "[[positions]]\nactor = \"b\"\nissue = \"x\"\nposition = { value = 50, "
      "sd = 5 }\n"
      "salience = 1\n");
  const EnsemblePlan plan = PlanEnsemble(s);
  std::unique_ptr<Model> m = Make("compromise");
  EnsembleSummary sum = Summarise(s, plan, {});
  ASSERT_TRUE(
      RunSobol(s, *m, plan, {.base_runs = 4000, .seed = 3}, sum).has_value());
  const IssueSummary& x = sum.issues[0];
  EXPECT_NEAR(x.sobol[0], 0.9, 0.03);
  EXPECT_NEAR(x.sobol[1], 0.1, 0.03);
  EXPECT_NEAR(x.sobol_total[0], 0.9, 0.03);
  EXPECT_NEAR(x.sobol_total[1], 0.1, 0.03);
  EXPECT_EQ(sum.sobol_base_runs, 4000);
  EXPECT_EQ(sum.sobol_runs, 16000);
  EnsembleReport report{.summary = sum};
  const std::string json = EnsembleToJson(s, report);
  EXPECT_NE(json.find("\"sobol_design\""), std::string::npos);
  EXPECT_NE(json.find("\"total_ci\""), std::string::npos);
}

TEST(Quantile, InterpolatesBetweenOrderStatistics) {
  const std::vector<double> v = {1, 2, 3, 4, 5};
  EXPECT_EQ(Quantile(v, 0), 1);
  EXPECT_EQ(Quantile(v, 0.5), 3);
  EXPECT_EQ(Quantile(v, 0.25), 2);
  EXPECT_DOUBLE_EQ(Quantile(v, 0.1), 1.4);
  EXPECT_EQ(Quantile(v, 1), 5);
}

TEST(Ensemble, BlockingAndAgreementAreShares) {
  Result<Scenario> s = LoadBuiltinScenario();
  ASSERT_TRUE(s.has_value());
  const EnsemblePlan plan = PlanEnsemble(*s, {.positions = 20});
  std::unique_ptr<Model> m = Make("nash");
  EnsembleRuns r =
      RunOrDie(*s, *m, plan, {.runs = 200, .seed = 1, .threads = 2});
  EnsembleSummary sum = Summarise(*s, plan, r.records);
  const int gas = s->FindIssue("gas_price");
  double agreed = 0;
  std::map<std::string, double> blocked;
  for (const RunRecord& run : r.records) {
    agreed += run.agreement[static_cast<size_t>(gas)];
    for (const std::string& who : run.blocking[static_cast<size_t>(gas)])
      blocked[who] += 1;
  }
  const IssueSummary& g = sum.issues[static_cast<size_t>(gas)];
  EXPECT_EQ(g.p_agreement, agreed / 200);
  ASSERT_FALSE(g.p_blocking.empty());
  for (const auto& [who, p] : g.p_blocking)
    EXPECT_EQ(p, blocked[who] / 200) << who;
  // The perturbed gas price is sometimes agreed and sometimes blocked.
  EXPECT_GT(g.p_agreement, 0);
  EXPECT_LT(g.p_agreement, 1);
}

TEST(Ensemble, StopKeepsTheFinishedBatchesAndBatchesArriveInOrder) {
  Scenario s = testing::MakeScenario(5, 2, 9);
  const EnsemblePlan plan = PlanEnsemble(s, {.positions = 5});
  std::unique_ptr<Model> m = Make("compromise");
  std::atomic<bool> stop{false};
  std::vector<std::uint64_t> seen;
  EnsembleOptions o{.runs = 100, .seed = 1, .threads = 2, .batch = 10};
  o.stop = &stop;
  o.on_batch = [&](std::span<const RunRecord> batch) -> Result<void> {
    for (const RunRecord& r : batch) seen.push_back(r.run);
    if (seen.size() == 30) stop = true;
    return {};
  };
  EnsembleRuns r = RunOrDie(s, *m, plan, o);
  EXPECT_TRUE(r.interrupted);
  ASSERT_EQ(r.records.size(), 30u);
  for (std::uint64_t k = 0; k < 30; ++k) {
    EXPECT_EQ(seen[k], k);
    EXPECT_EQ(r.records[k].run, k);
  }
}

TEST(Ensemble, AFailingRunNamesItsNumberAndAFailingBatchStops) {
  // parity needs sides; this scenario has none, so run 0 fails.
  Scenario one = OneActor("{ value = 50, sd = 10 }");
  std::unique_ptr<Model> parity = Make("parity");
  Result<EnsembleRuns> failed =
      RunEnsemble(one, *parity, PlanEnsemble(one), {.runs = 5, .seed = 8});
  ASSERT_FALSE(failed.has_value());
  EXPECT_NE(failed.error().ToString().find("in ensemble run 0 (seed 8)"),
            std::string::npos)
      << failed.error().ToString();

  Scenario s = testing::MakeScenario(3, 1, 2);
  const EnsemblePlan plan = PlanEnsemble(s, {.positions = 5});
  std::unique_ptr<Model> m = Make("compromise");
  EnsembleOptions o{.runs = 10, .seed = 1, .batch = 4};
  int batches = 0;
  o.on_batch = [&](std::span<const RunRecord> batch) -> Result<void> {
    ++batches;
    if (batch.front().run == 4)
      return std::unexpected(Error(ErrorKind::kIo, {}, "disk full"));
    return {};
  };
  Result<EnsembleRuns> r = RunEnsemble(s, *m, plan, o);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().ToString(), "disk full");
  EXPECT_EQ(batches, 2);
  EXPECT_FALSE(RunEnsemble(s, *m, plan, {.runs = 10, .stride = 0}).has_value());
}

TEST(Ensemble, OverlappedBatchesArriveInOrderWithTheSameRecords) {
  Scenario s = testing::MakeScenario(5, 2, 9);
  const EnsemblePlan plan = PlanEnsemble(s, {.positions = 5});
  std::unique_ptr<Model> m = Make("compromise");
  const EnsembleRuns whole =
      RunOrDie(s, *m, plan, {.runs = 95, .seed = 3, .threads = 2});
  std::vector<RunRecord> seen;
  EnsembleOptions o{.runs = 95, .seed = 3, .threads = 2, .batch = 10};
  o.keep_records = false;
  o.overlap_batches = true;
  const std::thread::id caller = std::this_thread::get_id();
  bool on_caller = false;
  o.on_batch = [&](std::span<const RunRecord> batch) -> Result<void> {
    if (std::this_thread::get_id() == caller) on_caller = true;
    seen.insert(seen.end(), batch.begin(), batch.end());
    return {};
  };
  EnsembleRuns r = RunOrDie(s, *m, plan, o);
  EXPECT_FALSE(r.interrupted);
  EXPECT_EQ(r.done, 95);
  EXPECT_FALSE(on_caller);  // taken on a thread of its own
  ASSERT_EQ(seen.size(), whole.records.size());
  for (size_t k = 0; k < seen.size(); ++k) {
    EXPECT_EQ(seen[k].run, k);
    EXPECT_EQ(seen[k].inputs, whole.records[k].inputs);
    EXPECT_EQ(seen[k].outcomes, whole.records[k].outcomes);
  }
}

TEST(Ensemble, OverlappedStopAndFailureKeepWholeBatchesOnly) {
  Scenario s = testing::MakeScenario(5, 2, 9);
  const EnsemblePlan plan = PlanEnsemble(s, {.positions = 5});
  std::unique_ptr<Model> m = Make("compromise");
  // A stop while batch 2 (runs 20-29) is handed on: that batch still lands,
  // whole, and so do the batches finished and waiting behind it (at most
  // three, ensemble.cc's kBatchesAhead less the one being taken); the batch
  // running meanwhile is dropped, unless it finished before the stop (then
  // it lands whole too). So 30 to 70 runs, whole batches, in order.
  std::atomic<bool> stop{false};
  std::vector<std::uint64_t> seen;
  EnsembleOptions o{.runs = 1000, .seed = 1, .threads = 2, .batch = 10};
  o.keep_records = false;
  o.overlap_batches = true;
  o.stop = &stop;
  o.on_batch = [&](std::span<const RunRecord> batch) -> Result<void> {
    for (const RunRecord& r : batch) seen.push_back(r.run);
    if (batch.front().run == 20) stop = true;
    return {};
  };
  EnsembleRuns r = RunOrDie(s, *m, plan, o);
  EXPECT_TRUE(r.interrupted);
  ASSERT_TRUE(seen.size() % 10 == 0 && seen.size() >= 30u &&
              seen.size() <= 70u)
      << seen.size();
  EXPECT_EQ(r.done, static_cast<std::int64_t>(seen.size()));
  for (std::uint64_t k = 0; k < seen.size(); ++k) EXPECT_EQ(seen[k], k);

  // A failing hand-over ends the ensemble with its error; nothing after it
  // is handed on.
  int batches = 0;
  EnsembleOptions f{.runs = 100, .seed = 1, .threads = 2, .batch = 4};
  f.keep_records = false;
  f.overlap_batches = true;
  f.on_batch = [&](std::span<const RunRecord> batch) -> Result<void> {
    ++batches;
    if (batch.front().run == 4)
      return std::unexpected(Error(ErrorKind::kIo, {}, "disk full"));
    return {};
  };
  Result<EnsembleRuns> failed = RunEnsemble(s, *m, plan, f);
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().ToString(), "disk full");
  EXPECT_EQ(batches, 2);
}

}  // namespace
}  // namespace unionstate
