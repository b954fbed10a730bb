// The time forecasts (time_forecast.h): the estimator on hand-computed cases,
// censoring and the no-look-ahead rule, the curves, and the event log.

#include "unionstate/time_forecast.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tests/support/test_support.h"
#include "unionstate/calendar.h"
#include "unionstate/ensemble.h"
#include "unionstate/model.h"
#include "unionstate/scenario_io.h"

namespace unionstate {
namespace {

using testing::SourcePath;

TEST(Calendar, DayNumbersRoundTripAndMonthsClamp) {
  EXPECT_EQ(DayNumber({1970, 1, 1}), 0);
  EXPECT_EQ(DayNumber({2000, 3, 1}) - DayNumber({2000, 2, 28}), 2);  // leap
  EXPECT_EQ(DayNumber({1900, 3, 1}) - DayNumber({1900, 2, 28}), 1);  // not
  for (std::int64_t d = -700000; d < 800000; d += 997)
    EXPECT_EQ(DayNumber(DateFromDayNumber(d)), d);
  EXPECT_EQ(AddMonths({2021, 1, 31}, 1), (Date{2021, 2, 28}));
  EXPECT_EQ(AddMonths({2020, 1, 31}, 1), (Date{2020, 2, 29}));
  EXPECT_EQ(AddMonths({2021, 11, 15}, 14), (Date{2023, 1, 15}));
  EXPECT_DOUBLE_EQ(YearsBetween({2019, 1, 1}, {2020, 1, 1}), 365 / 365.25);
}

// Exponential MLE with censoring: rate = deliveries / total exposure.
TEST(Estimator, ExponentialIsDeliveriesOverExposure) {
  std::vector<Spell> spells = {{1, true}, {2, true}, {3, false}};
  Baseline b = FitExponential(spells);
  EXPECT_EQ(b.deliveries, 2);
  EXPECT_DOUBLE_EQ(b.exposure_years, 6);
  EXPECT_DOUBLE_EQ(b.scale, 3);  // 1 / (2 / 6)
  EXPECT_DOUBLE_EQ(b.shape, 1);
  // log L = d ln(rate) - rate * exposure = 2 ln(1/3) - 2.
  EXPECT_NEAR(b.log_likelihood, 2 * std::log(1.0 / 3) - 2, 1e-12);
}

// The Weibull MLE maximises the likelihood: checked against an independent
// maximisation (a coarse-to-fine grid over shape and scale, no profile
// equation) and against the first-order conditions.
TEST(Estimator, WeibullMatchesAnIndependentMaximisation) {
  std::vector<Spell> spells = {{0.5, true},  {1.2, true}, {1.9, true},
                               {2.5, false}, {3.1, true}, {4.0, false},
                               {0.8, true},  {6.0, true}};
  Baseline b = FitWeibull(spells);
  double best_k = 1, best_s = 1, best = -1e300;
  double k_lo = 0.1, k_hi = 5, s_lo = 0.1, s_hi = 20;
  for (int level = 0; level < 6; ++level) {
    for (int i = 0; i <= 60; ++i) {
      for (int j = 0; j <= 60; ++j) {
        double k = k_lo + (k_hi - k_lo) * i / 60;
        double s = s_lo + (s_hi - s_lo) * j / 60;
        double ll = WeibullLogLikelihood(spells, k, s);
        if (ll > best) {
          best = ll;
          best_k = k;
          best_s = s;
        }
      }
    }
    double dk = (k_hi - k_lo) / 20, ds = (s_hi - s_lo) / 20;
    k_lo = std::max(0.01, best_k - dk);
    k_hi = best_k + dk;
    s_lo = std::max(0.01, best_s - ds);
    s_hi = best_s + ds;
  }
  EXPECT_NEAR(b.shape, best_k, 1e-3);
  EXPECT_NEAR(b.scale, best_s, 1e-3);
  EXPECT_GE(b.log_likelihood, best - 1e-9);
  // Scale given shape in closed form: scale^k = sum t^k / deliveries.
  double sum = 0;
  for (const Spell& s : spells) sum += std::pow(s.years, b.shape);
  EXPECT_NEAR(std::pow(b.scale, b.shape), sum / 6, 1e-9);
  // The likelihood is flat in the shape at the optimum.
  double h = 1e-5;
  double slope = (WeibullLogLikelihood(spells, b.shape + h, b.scale) -
                  WeibullLogLikelihood(spells, b.shape - h, b.scale)) /
                 (2 * h);
  EXPECT_NEAR(slope, 0, 1e-5);
}

// Exponential data should give a shape near 1 (a sanity check on a
// deterministic sample: the quantiles of Exp(mean 2)).
TEST(Estimator, ExponentialQuantilesGiveShapeNearOne) {
  std::vector<Spell> spells;
  for (int i = 1; i <= 400; ++i)
    spells.push_back({-2 * std::log(1 - (i - 0.5) / 400), true});
  Baseline b = FitWeibull(spells);
  EXPECT_NEAR(b.shape, 1, 0.03);
  EXPECT_NEAR(b.scale, 2, 0.05);
}

Result<ReferenceClass> Csv(const std::string& rows) {
  return ParseReferenceClass(
      "id,promise,body,promised_on,deadline,done_on,dropped_on,source,"
      "source_date\n" +
          rows,
      "ref.csv");
}

TEST(ReferenceClass, CensorsAtAsOfAndAtTheSource) {
  Result<ReferenceClass> r = Csv(
      "a,x,union_state,2010-01-01,2011-01-01,2012-01-01,,s (2019),2019-01-01\n"
      "b,x,eaeu,2010-01-01,2011-01-01,2016-01-01,,s (2019),2019-01-01\n"
      "c,x,bilateral,2010-01-01,2011-01-01,,2013-01-01,s (2019),2019-01-01\n"
      "d,x,union_state,2010-01-01,2011-01-01,,,s (2012),2012-01-01\n"
      "e,x,union_state,2016-01-01,2017-01-01,2016-06-01,,s "
      "(2019),2019-01-01\n");
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  std::vector<Spell> spells = SpellsAsOf(*r, {2014, 1, 1});
  ASSERT_EQ(spells.size(), 4u);  // e is promised after as_of
  EXPECT_TRUE(spells[0].delivered);
  EXPECT_NEAR(spells[0].years, 730 / 365.25, 1e-12);
  EXPECT_FALSE(spells[1].delivered);  // delivered 2016: not yet seen
  EXPECT_NEAR(spells[1].years, YearsBetween({2010, 1, 1}, {2014, 1, 1}), 1e-12);
  EXPECT_FALSE(spells[2].delivered);  // dropped 2013: censored there
  EXPECT_NEAR(spells[2].years, YearsBetween({2010, 1, 1}, {2013, 1, 1}), 1e-12);
  EXPECT_FALSE(spells[3].delivered);  // last seen by its source in 2012
  EXPECT_NEAR(spells[3].years, YearsBetween({2010, 1, 1}, {2012, 1, 1}), 1e-12);
}

// No look-ahead: rows promised after as_of, and anything that happens after
// as_of, change nothing in the estimate.
TEST(ReferenceClass, NothingAfterAsOfChangesTheBaseline) {
  std::string base =
      "a,x,union_state,2000-01-01,2001-01-01,2001-03-01,,s,2019-01-01\n"
      "b,x,union_state,2001-01-01,2002-01-01,2003-01-01,,s,2019-01-01\n"
      "c,x,union_state,2002-01-01,2003-01-01,2002-09-01,,s,2019-01-01\n"
      "d,x,union_state,2003-01-01,2004-01-01,2006-05-01,,s,2019-01-01\n"
      "e,x,union_state,2004-01-01,2005-01-01,,,s,2019-01-01\n";
  Date as_of{2010, 1, 1};
  TimeOptions options{.horizon = {2015, 1, 1}, .min_events_weibull = 3};
  Result<ReferenceClass> before =
      Csv(base +
          "f,x,union_state,2008-01-01,2009-01-01,2011-01-01,,s,2019-01-01\n");
  Result<ReferenceClass> after =
      Csv(base +
          "f,x,union_state,2008-01-01,2009-01-01,2014-07-01,,s,2019-01-01\n"
          "g,x,union_state,2011-01-01,2012-01-01,2011-02-01,,s,2019-01-01\n"
          "h,x,eaeu,2012-01-01,2013-01-01,,2012-05-01,s,2019-01-01\n");
  ASSERT_TRUE(before && after);
  Baseline b1 = EstimateBaseline(*before, as_of, options);
  Baseline b2 = EstimateBaseline(*after, as_of, options);
  EXPECT_EQ(b1.method, Baseline::Method::kWeibull);
  EXPECT_EQ(b1.spells, 6);
  EXPECT_EQ(b1.deliveries, 4);
  EXPECT_EQ(b2.spells, b1.spells);
  EXPECT_EQ(b2.shape, b1.shape);
  EXPECT_EQ(b2.scale, b1.scale);
  // ... while a delivery moved to before as_of does change it.
  Result<ReferenceClass> moved =
      Csv(base +
          "f,x,union_state,2008-01-01,2009-01-01,2009-07-01,,s,2019-01-01\n");
  ASSERT_TRUE(moved);
  EXPECT_NE(EstimateBaseline(*moved, as_of, options).scale, b1.scale);
}

TEST(ReferenceClass, FallsBackVisiblyWithTooLittleData) {
  Result<ReferenceClass> r =
      Csv("a,x,union_state,2000-01-01,2001-01-01,2001-03-01,,s,2019-01-01\n"
          "b,x,union_state,2001-01-01,2002-01-01,,,s,2019-01-01\n");
  ASSERT_TRUE(r);
  TimeOptions options{.horizon = {2015, 1, 1}};
  Baseline b = EstimateBaseline(*r, {2010, 1, 1}, options);
  EXPECT_EQ(b.method, Baseline::Method::kExponential);
  EXPECT_NE(b.note.find("too little dated data"), std::string::npos) << b.note;
  Baseline none = EstimateBaseline(*r, {2000, 6, 1}, options);
  EXPECT_EQ(none.method, Baseline::Method::kNone);
  EXPECT_NE(none.note.find("no delivery"), std::string::npos) << none.note;
  EXPECT_EQ(EstimateBaseline(std::nullopt, {2010, 1, 1}, options).method,
            Baseline::Method::kNone);
}

TEST(ReferenceClass, BadRowsAreLocated) {
  Result<ReferenceClass> r =
      Csv("a,x,union_state,2010-01-01,2009-01-01,,,s,2019-01-01\n"
          "a,x,club,2010-13-01,2011-01-01,,,,2019-01-01\n");
  ASSERT_FALSE(r);
  std::string text = r.error().ToString();
  EXPECT_NE(text.find("ref.csv:2:28: deadline 2009-01-01 is before promised_on "
                      "2010-01-01"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("ref.csv:3:1: duplicate id \"a\""), std::string::npos)
      << text;
  EXPECT_NE(text.find("ref.csv:3:5: body \"club\" is unknown"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("ref.csv:3:10: promised_on \"2010-13-01\" is not a date"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("ref.csv:3:34: source is empty"), std::string::npos)
      << text;
  Result<ReferenceClass> header = ParseReferenceClass("id,promise\n", "h.csv");
  ASSERT_FALSE(header);
  EXPECT_NE(header.error().ToString().find(
                "h.csv:1:1: the header has no column \"body\""),
            std::string::npos);
}

// The whole chain on the made-up two-state scenario of tests/data/time.
class TwoStates : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<Scenario> s = LoadScenario(
        Env::Default(), SourcePath("tests/data/time/two_states.toml"));
    ASSERT_TRUE(s) << s.error().ToString();
    scenario_ = std::move(*s);
    Result<std::unique_ptr<Model>> model = LoadModel("parity");
    ASSERT_TRUE(model);
    Result<Forecast> f = (*model)->Run(scenario_, {});
    ASSERT_TRUE(f);
    forecast_ = std::move(*f);
    Result<std::optional<ReferenceClass>> r =
        LoadReferenceClass(Env::Default(), scenario_);
    ASSERT_TRUE(r) << r.error().ToString();
    ASSERT_TRUE(r->has_value());
    reference_ = std::move(*r);
  }
  IssueTime Issue(const TimeForecast& t, const char* id) {
    return t.issues[static_cast<size_t>(scenario_.FindIssue(id))];
  }
  Scenario scenario_;
  Forecast forecast_;
  std::optional<ReferenceClass> reference_;
};

TEST_F(TwoStates, CurvesAreMonotoneProbabilitiesFromAsOfToTheHorizon) {
  Result<TimeForecast> t = ForecastTime(scenario_, forecast_, reference_,
                                        {.horizon = {2026, 12, 31}});
  ASSERT_TRUE(t) << t.error().ToString();
  EXPECT_EQ(t->baseline.method, Baseline::Method::kWeibull);
  EXPECT_EQ(t->baseline.deliveries, 11);
  ASSERT_EQ(t->issues.size(), 4u);
  for (const IssueTime& it : t->issues) {
    ASSERT_FALSE(it.agreed_by.empty());
    EXPECT_EQ(it.agreed_by.front().date, (Date{2019, 12, 7}));
    EXPECT_EQ(it.agreed_by.back().date, (Date{2026, 12, 31}));
    EXPECT_EQ(it.agreed_by[1].date, (Date{2020, 1, 7}));
    EXPECT_EQ(it.agreed_by.size(), 86u);  // 85 months and the horizon
    for (size_t k = 1; k < it.agreed_by.size(); ++k)
      EXPECT_GE(it.agreed_by[k].value, it.agreed_by[k - 1].value);
    for (const CurvePoint& p : it.share_implemented)
      EXPECT_TRUE(p.value >= 0 && p.value <= 1);
  }
  IssueTime tax = Issue(*t, "tax");
  EXPECT_EQ(tax.state, "open");
  EXPECT_EQ(tax.deadline, (Date{2022, 6, 30}));  // moved by an event
  ASSERT_TRUE(tax.p_agreed_by_deadline);
  EXPECT_GT(*tax.p_agreed_by_deadline, 0);
  EXPECT_LT(*tax.p_agreed_by_deadline, 1);
  EXPECT_EQ(tax.agreed_by.front().value, 0);
  EXPECT_LT(tax.agreed_by.back().value, 1);
  // Exact: 1 - S(deadline - opened) / S(as_of - opened).
  double k = t->baseline.shape, s = tax.scale_years;
  auto S = [&](double years) { return std::exp(-std::pow(years / s, k)); };
  Date opened{2018, 12, 14};
  EXPECT_NEAR(*tax.p_agreed_by_deadline,
              1 - S(YearsBetween(opened, {2022, 6, 30})) /
                      S(YearsBetween(opened, {2019, 12, 7})),
              1e-12);
  // Delay quantiles solve S(t_q) / S(elapsed) = 1 - q.
  double e = YearsBetween(opened, {2019, 12, 7});
  double t90 = s * std::pow(std::pow(e / s, k) - std::log(0.1), 1 / k);
  EXPECT_NEAR(*tax.delay_p90_months,
              std::max(0.0, (t90 - YearsBetween(opened, {2022, 6, 30})) * 12),
              1e-9);
  EXPECT_LE(*tax.delay_p10_months, *tax.delay_median_months);
  EXPECT_LE(*tax.delay_median_months, *tax.delay_p90_months);
}

TEST_F(TwoStates, TheModelsOutputMovesTheForecast) {
  Result<TimeForecast> t = ForecastTime(scenario_, forecast_, reference_,
                                        {.horizon = {2026, 12, 31}});
  ASSERT_TRUE(t);
  IssueTime tax = Issue(*t, "tax"), currency = Issue(*t, "currency");
  // The parity model blocks the currency (Belarus wants none of it) and
  // moves the tax; the veto players stand 90 points apart on the currency.
  EXPECT_TRUE(currency.covariates.blocked);
  EXPECT_FALSE(tax.covariates.blocked);
  EXPECT_NEAR(currency.covariates.gap, 0.9, 1e-12);
  EXPECT_NEAR(tax.covariates.gap, 0.2, 1e-12);
  EXPECT_NEAR(currency.covariates.salience, 0.85, 1e-12);
  // time ratio = exp(ln3 + ln2 (0.9 - 0.25) + ln2 (0 - 0.25) - ln2 (0.85 -
  // 0.5)) = 3 * 2^0.05.
  EXPECT_NEAR(currency.time_ratio, 3 * std::pow(2, 0.05), 1e-12);
  EXPECT_GT(currency.scale_years, tax.scale_years);
  EXPECT_LT(currency.agreed_by.back().value, tax.agreed_by.back().value);
  // Change the forecast: unblock the currency, and its forecast rises.
  Forecast unblocked = forecast_;
  unblocked.issues[static_cast<size_t>(scenario_.FindIssue("currency"))]
      .agreement = true;
  Result<TimeForecast> t2 = ForecastTime(scenario_, unblocked, reference_,
                                         {.horizon = {2026, 12, 31}});
  ASSERT_TRUE(t2);
  EXPECT_GT(*Issue(*t2, "currency").p_agreed_by_deadline,
            *currency.p_agreed_by_deadline);
}

TEST_F(TwoStates, TheEventLogOverridesTheModelWithFacts) {
  Result<TimeForecast> t = ForecastTime(scenario_, forecast_, reference_,
                                        {.horizon = {2026, 12, 31}});
  ASSERT_TRUE(t);
  IssueTime customs = Issue(*t, "customs"), defence = Issue(*t, "defence");
  EXPECT_EQ(customs.state, "agreed");
  EXPECT_EQ(customs.agreed_on, (Date{2019, 9, 6}));
  EXPECT_EQ(customs.p_agreed_by_deadline, 1.0);
  EXPECT_EQ(defence.state, "dropped");
  EXPECT_EQ(defence.agreed_by.back().value, 0);
  // 4 of 10 measures done; each remaining one adopted a baseline time after
  // the agreement: share(d) = 0.4 + 0.6 (1 - S0(d - 2019-09-06)).
  EXPECT_EQ(customs.measures_done, 4);
  const Baseline& b = t->baseline;
  auto share = [&](const Date& d) {
    double years = YearsBetween({2019, 9, 6}, d);
    return 0.4 + 0.6 * (1 - std::exp(-std::pow(years / b.scale, b.shape)));
  };
  EXPECT_NEAR(*customs.share_implemented_by_deadline, share({2021, 6, 30}),
              1e-12);
  EXPECT_NEAR(customs.share_implemented.back().value, share({2026, 12, 31}),
              1e-12);
  EXPECT_NEAR(customs.share_implemented.front().value, share({2019, 12, 7}),
              1e-12);
}

TEST_F(TwoStates, AnOpenProgrammesShareWaitsForItsAgreement) {
  // Give the open tax issue measures: its share starts at 0 and stays below
  // P(agreed) (nothing is implemented before it is agreed).
  scenario_.issues[static_cast<size_t>(scenario_.FindIssue("tax"))].measures =
      5;
  Result<TimeForecast> t = ForecastTime(scenario_, forecast_, reference_,
                                        {.horizon = {2026, 12, 31}});
  ASSERT_TRUE(t);
  IssueTime tax = Issue(*t, "tax");
  ASSERT_EQ(tax.share_implemented.size(), tax.agreed_by.size());
  EXPECT_EQ(tax.share_implemented.front().value, 0);
  for (size_t k = 0; k < tax.agreed_by.size(); ++k)
    EXPECT_LE(tax.share_implemented[k].value, tax.agreed_by[k].value + 1e-12);
  EXPECT_GT(tax.share_implemented.back().value, 0.3);
}

TEST_F(TwoStates, AHorizonBeforeAsOfIsRefused) {
  Result<TimeForecast> t = ForecastTime(scenario_, forecast_, reference_,
                                        {.horizon = {2019, 12, 6}});
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().kind(), ErrorKind::kInvalidArgument);
  EXPECT_NE(t.error().ToString().find("--horizon 2019-12-06 is before"),
            std::string::npos);
}

}  // namespace
}  // namespace unionstate

namespace unionstate {
namespace {

// Across an ensemble: without uncertain inputs every run is the single run,
// so every quantile is the single run's figure; with noise they spread in
// order.
TEST_F(TwoStates, EnsembleQuantilesCollapseWithoutNoiseAndOrderWithIt) {
  std::unique_ptr<Model> model = std::move(*LoadModel("parity"));
  TimeOptions options{.horizon = {2026, 12, 31}};
  Result<TimeForecast> single =
      ForecastTime(scenario_, forecast_, reference_, options);
  ASSERT_TRUE(single);
  EnsemblePlan still = PlanEnsemble(scenario_, {});
  Result<EnsembleRuns> runs =
      RunEnsemble(scenario_, *model, still, {.runs = 8, .seed = 3});
  ASSERT_TRUE(runs);
  Result<EnsembleTime> flat = SummariseEnsembleTime(
      scenario_, still, 3, runs->records, reference_, options);
  ASSERT_TRUE(flat) << flat.error().ToString();
  EXPECT_EQ(flat->runs, 8);
  const IssueTimeDraws& tax = flat->issues[0];
  ASSERT_TRUE(tax.p_agreed_by_deadline && tax.delay_median_months);
  EXPECT_DOUBLE_EQ(tax.p_agreed_by_deadline->q05,
                   *single->issues[0].p_agreed_by_deadline);
  EXPECT_DOUBLE_EQ(tax.p_agreed_by_deadline->q95,
                   *single->issues[0].p_agreed_by_deadline);
  EXPECT_DOUBLE_EQ(tax.delay_median_months->q50,
                   *single->issues[0].delay_median_months);
  EXPECT_DOUBLE_EQ(tax.p_agreed_by_horizon.mean,
                   *single->issues[0].p_agreed_by_horizon);

  Result<Perturbation> noise = ParsePerturbation("positions=10,saliences=0.1");
  ASSERT_TRUE(noise);
  EnsemblePlan plan = PlanEnsemble(scenario_, *noise);
  Result<EnsembleRuns> noisy =
      RunEnsemble(scenario_, *model, plan, {.runs = 200, .seed = 3});
  ASSERT_TRUE(noisy);
  Result<EnsembleTime> spread = SummariseEnsembleTime(
      scenario_, plan, 3, noisy->records, reference_, options);
  ASSERT_TRUE(spread);
  for (const IssueTimeDraws& d : spread->issues) {
    EXPECT_LE(d.p_agreed_by_horizon.q05, d.p_agreed_by_horizon.q50);
    EXPECT_LE(d.p_agreed_by_horizon.q50, d.p_agreed_by_horizon.q95);
    EXPECT_GE(d.p_agreed_by_horizon.q05, 0);
    EXPECT_LE(d.p_agreed_by_horizon.q95, 1);
  }
  // Runs whose drawn values were not kept are drawn again: same figures.
  std::vector<RunRecord> bare = noisy->records;
  for (RunRecord& r : bare) r.inputs.clear();
  Result<EnsembleTime> redrawn =
      SummariseEnsembleTime(scenario_, plan, 3, bare, reference_, options);
  ASSERT_TRUE(redrawn);
  EXPECT_EQ(redrawn->issues[0].p_agreed_by_deadline->q05,
            spread->issues[0].p_agreed_by_deadline->q05);
  EXPECT_EQ(redrawn->issues[1].p_agreed_by_horizon.mean,
            spread->issues[1].p_agreed_by_horizon.mean);
  // The tax issue's gap and salience vary with the draws: so does P.
  EXPECT_LT(spread->issues[0].p_agreed_by_deadline->q05,
            spread->issues[0].p_agreed_by_deadline->q95);
}

// The curves across an ensemble: without noise every quantile is the single
// run's curve date by date; with noise the quantiles are ordered, every
// curve rises, and the figures at the deadline and horizon are the ones
// SummariseEnsembleTime computes on its own path.
TEST_F(TwoStates, EnsembleCurvesMatchTheSingleRunAndTheSummary) {
  std::unique_ptr<Model> model = std::move(*LoadModel("parity"));
  TimeOptions options{.horizon = {2026, 12, 31}};
  Result<TimeForecast> single =
      ForecastTime(scenario_, forecast_, reference_, options);
  ASSERT_TRUE(single);
  EnsemblePlan still = PlanEnsemble(scenario_, {});
  Result<EnsembleRuns> runs =
      RunEnsemble(scenario_, *model, still, {.runs = 5, .seed = 3});
  ASSERT_TRUE(runs);
  Result<EnsembleCurves> flat = EnsembleAgreementCurves(
      scenario_, still, 3, runs->records, reference_, options, 1);
  ASSERT_TRUE(flat) << flat.error().ToString();
  ASSERT_EQ(flat->issues.size(), single->issues.size());
  for (size_t i = 0; i < flat->issues.size(); ++i) {
    const std::vector<CurvePoint>& want = single->issues[i].agreed_by;
    const std::vector<CurveDraws>& got = flat->issues[i].agreed_by;
    ASSERT_EQ(got.size(), want.size());
    for (size_t g = 0; g < got.size(); ++g) {
      EXPECT_EQ(got[g].date, want[g].date);
      EXPECT_DOUBLE_EQ(got[g].p.q05, want[g].value);
      EXPECT_DOUBLE_EQ(got[g].p.mean, want[g].value);
      EXPECT_DOUBLE_EQ(got[g].p.q95, want[g].value);
    }
  }
  ASSERT_TRUE(flat->issues[0].agreed_by_deadline);
  EXPECT_DOUBLE_EQ(flat->issues[0].agreed_by_deadline->q50,
                   *single->issues[0].p_agreed_by_deadline);

  Result<Perturbation> noise = ParsePerturbation("positions=10,saliences=0.1");
  ASSERT_TRUE(noise);
  EnsemblePlan plan = PlanEnsemble(scenario_, *noise);
  Result<EnsembleRuns> noisy =
      RunEnsemble(scenario_, *model, plan, {.runs = 200, .seed = 3});
  ASSERT_TRUE(noisy);
  Result<EnsembleCurves> curves = EnsembleAgreementCurves(
      scenario_, plan, 3, noisy->records, reference_, options, 6);
  ASSERT_TRUE(curves);
  Result<EnsembleTime> summary = SummariseEnsembleTime(
      scenario_, plan, 3, noisy->records, reference_, options);
  ASSERT_TRUE(summary);
  for (size_t i = 0; i < curves->issues.size(); ++i) {
    const IssueCurveDraws& c = curves->issues[i];
    // Every 6 months from as_of, then the horizon itself.
    EXPECT_EQ(c.agreed_by.front().date, *scenario_.as_of);
    EXPECT_EQ(c.agreed_by.back().date, options.horizon);
    for (size_t g = 0; g < c.agreed_by.size(); ++g) {
      EXPECT_LE(c.agreed_by[g].p.q05, c.agreed_by[g].p.q50);
      EXPECT_LE(c.agreed_by[g].p.q50, c.agreed_by[g].p.q95);
      if (g > 0) {
        EXPECT_GE(c.agreed_by[g].p.mean, c.agreed_by[g - 1].p.mean);
      }
    }
    EXPECT_NEAR(c.agreed_by.back().p.mean,
                summary->issues[i].p_agreed_by_horizon.mean, 1e-12);
    ASSERT_EQ(c.agreed_by_deadline.has_value(),
              summary->issues[i].p_agreed_by_deadline.has_value());
    if (c.agreed_by_deadline) {
      EXPECT_NEAR(c.agreed_by_deadline->mean,
                  summary->issues[i].p_agreed_by_deadline->mean, 1e-12);
      EXPECT_NEAR(c.agreed_by_deadline->q95,
                  summary->issues[i].p_agreed_by_deadline->q95, 1e-12);
    }
  }
  // The tax issue's draws spread its curve.
  EXPECT_LT(curves->issues[0].agreed_by.back().p.q05,
            curves->issues[0].agreed_by.back().p.q95);
}

}  // namespace
}  // namespace unionstate
