#include "unionstate/ensemble.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <random>

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
  for (size_t k = 0; k < a.size(); ++k) {
    EXPECT_NE(a[k], b[k]) << plan.inputs[k].name;
    EXPECT_NE(a[k], c[k]) << plan.inputs[k].name;
  }
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
  ASSERT_EQ(x.sobol.size(), 2u);
  EXPECT_NEAR(x.sobol[0], 0.9, 0.05);
  EXPECT_NEAR(x.sobol[1], 0.1, 0.05);
}

TEST(Sensitivity, FirstOrderSobolOfKnownFunctions) {
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> u(0, 1);
  const int n = 5000;
  std::vector<double> x1(n), x2(n), x3(n), y(n), z(n);
  for (int k = 0; k < n; ++k) {
    x1[k] = u(rng);
    x2[k] = u(rng);
    x3[k] = u(rng);
    y[k] = x1[k] + 2 * x2[k];
    // Non-linear: S_1 = Var(sin(2 pi x1)) / (Var(sin) + Var(x2^2)) with
    // Var(sin(2 pi U)) = 1/2 and Var(U^2) = 4/45.
    z[k] = std::sin(2 * M_PI * x1[k]) + x2[k] * x2[k];
  }
  EXPECT_NEAR(FirstOrderSobol(x1, y), 0.2, 0.03);
  EXPECT_NEAR(FirstOrderSobol(x2, y), 0.8, 0.03);
  EXPECT_NEAR(FirstOrderSobol(x3, y), 0.0, 0.03);
  EXPECT_NEAR(FirstOrderSobol(x1, z), 0.5 / (0.5 + 4.0 / 45), 0.03);
  // A discrete input is binned by its values.
  std::vector<double> d(n), w(n);
  for (int k = 0; k < n; ++k) {
    d[k] = k % 3;
    w[k] = d[k] + u(rng);  // Var(E[w|d]) = 2/3, Var(w) = 2/3 + 1/12
  }
  EXPECT_NEAR(FirstOrderSobol(d, w), (2.0 / 3) / (2.0 / 3 + 1.0 / 12), 0.03);
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

}  // namespace
}  // namespace unionstate
