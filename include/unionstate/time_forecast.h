#ifndef UNIONSTATE_TIME_FORECAST_H_
#define UNIONSTATE_TIME_FORECAST_H_

// The negotiation in time: per issue, the probability that agreement is
// reached by any date, the probability of meeting the deadline, the delay
// past it, and the share of a programme implemented by a date
// (docs/time.md).
//
// Method: a parametric duration (survival) model, the tool of the literature
// on the duration of collective decisions -- Golub, "In the shadow of the
// vote? Decision making in the European Community", International
// Organization 53(4), 1999, and "Did the 2004 enlargement slow down EU
// decision-making?", 2007; König, "Analysing the process of EU legislative
// decision-making", European Union Politics 8(3), 2007; Box-Steffensmeier &
// Jones, "Event History Modeling", Cambridge UP, 2004, ch. 3 -- with the
// veto-player reading of delay of Tsebelis, "Veto Players", Princeton UP,
// 2002 (the farther apart the veto players, the more stable the status quo).
//
//   1. Baseline. The time T (years) from a dated promise to its delivery is
//      Weibull: S0(t) = exp(-(t / scale)^shape). Shape and scale are
//      estimated by maximum likelihood from a reference class of past dated
//      promises (ReferenceClass), right-censored: only rows promised on or
//      before the scenario's as_of are used, and a delivery or abandonment
//      after as_of counts as not (yet) happened. Nothing dated after as_of
//      can reach the parameters. With fewer than
//      TimeOptions::min_events_weibull deliveries the shape is fixed at 1
//      (an exponential model, one parameter, MLE = deliveries / exposure);
//      with none, nothing is estimated and no time figure is given. Both
//      fallbacks are stated in Baseline::note.
//   2. Per issue (accelerated failure time): the issue's time scale is
//      scale * exp(sum_j beta_j * (x_j - ref_j)), where x are covariates
//      computed from the model's forecast and the scenario (Covariates):
//      whether the forecast stays at the status quo (blocked), the distance
//      between the veto players, the size of the move off the status quo,
//      and the veto players' salience. The betas are documented defaults in
//      TimeOptions, not estimated: the reference class records promises, not
//      the bargaining models' output on them. They are assumptions, stated
//      as such, and can be changed.
//   3. Elapsed time. The clock starts at the issue's `opened`, else its first
//      `proposed`/`negotiated` event, else as_of. Forecasts condition on no
//      agreement by as_of: P(agreed by d) = 1 - S(d - start) / S(as_of -
//      start).
//   4. The event log overrides the model where it records facts by as_of: an
//      `agreed` or `signed` event makes P(agreed by d) = 1 from that date; a
//      `dropped` event makes it 0; `deadline_moved` and `postponed` with a
//      new_deadline replace the deadline; `measure_adopted` and `implemented`
//      count measures done.
//   5. Implementation. Each measure not yet adopted is adopted a Weibull
//      baseline time after the agreement (the same fitted baseline), so the
//      expected share implemented by d is done/m + (1 - done/m) *
//      E[F0(d - T_agree)], T_agree drawn from the curve above.
//
// The figures are conditional on the model's forecast and on the reference
// class being like the scenario's promises; docs/time.md says where this
// fails.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "unionstate/ensemble.h"
#include "unionstate/env.h"
#include "unionstate/forecast.h"
#include "unionstate/scenario.h"
#include "unionstate/status.h"

namespace unionstate {

// One past dated promise (a row of the reference-class CSV; the columns are
// specified in docs/time.md, "The reference class").
struct ReferenceEntry {
  std::string id;
  std::string promise;
  std::string body;  // union_state | eaeu | bilateral
  Date promised_on;
  Date deadline;
  std::optional<Date> done_on;
  std::optional<Date> dropped_on;
  std::string source;
  Date source_date;
  SourceLocation where;
};

struct ReferenceClass {
  std::string file;
  std::vector<ReferenceEntry> entries;
};

// Parses the CSV: header id,promise,body,promised_on,deadline,done_on,
// dropped_on,source,source_date (any order), RFC 4180 quoting. Every mistake
// is a Diagnostic at file:line:column (a missing column, a date that is not
// YYYY-MM-DD, deadline or done_on before promised_on, an unknown body, a
// duplicate id, an empty source).
Result<ReferenceClass> ParseReferenceClass(std::string_view text,
                                           const std::string& file);

// The reference class a scenario names (Scenario::reference_class), read
// relative to the scenario's file; a built-in scenario's is built in too.
// nullopt when the scenario names none. A file that cannot be read is
// kInvalidInput at the `reference_class` field.
Result<std::optional<ReferenceClass>> LoadReferenceClass(
    Env& env, const Scenario& scenario);

// A spell of survival data: `years` from the promise to its delivery
// (`delivered`) or to the moment it was last seen undelivered (censored).
struct Spell {
  double years = 0;
  bool delivered = false;
};

// The spells of the entries promised on or before `as_of`, censored at
// as_of: a delivery after as_of is not seen; an undelivered entry is
// censored at the earlier of as_of and its source_date (what its source
// could know), or at dropped_on when it was abandoned by then. Durations
// under half a day count as half a day.
std::vector<Spell> SpellsAsOf(const ReferenceClass& reference,
                              const Date& as_of);

// A Weibull baseline, S0(t) = exp(-(t / scale)^shape), t in years.
struct Baseline {
  enum class Method {
    kWeibull,      // shape and scale by maximum likelihood
    kExponential,  // too few deliveries for a shape: shape fixed at 1
    kNone,         // nothing to estimate from; no time figures
  };
  Method method = Method::kNone;
  double shape = 1;
  double scale = 1;  // years
  int spells = 0;
  int deliveries = 0;         // uncensored spells
  double exposure_years = 0;  // sum of spell lengths
  double log_likelihood = 0;
  std::string note;  // what was estimated from what, and any fallback
};

// "weibull-mle", "exponential-mle", "none".
std::string_view BaselineMethodName(Baseline::Method method);

// log L = sum_delivered [ln shape - shape ln scale + (shape - 1) ln t]
//         - sum_all (t / scale)^shape.
double WeibullLogLikelihood(std::span<const Spell> spells, double shape,
                            double scale);

// The exponential MLE: rate = deliveries / exposure (scale = 1 / rate).
// REQUIRES: at least one delivery.
Baseline FitExponential(std::span<const Spell> spells);

// The Weibull MLE with right-censoring: the shape solves the profile
// equation sum t^k ln t / sum t^k - 1/k - mean_delivered(ln t) = 0
// (bisection on [0.05, 50], then Newton), and scale = (sum t^k / d)^(1/k).
// REQUIRES: at least two deliveries at distinct times.
Baseline FitWeibull(std::span<const Spell> spells);

struct TimeOptions {
  // The last date of the monthly curves. REQUIRES: not before as_of.
  Date horizon;
  // Fewer deliveries than this in the reference class: exponential.
  int min_events_weibull = 10;
  // Accelerated-failure-time effects (log time-ratio per unit of the
  // covariate, measured from its reference value). Assumptions, not
  // estimates (see the top of this file and docs/time.md):
  // a forecast that stays at the status quo takes 3 times as long;
  double beta_blocked = 1.0986122886681098;  // ln 3
  // veto players a whole scale apart take 2 times as long as ones that
  // stand together (Tsebelis); reference: a quarter of the scale;
  double beta_gap = 0.6931471805599453;  // ln 2
  double ref_gap = 0.25;
  // a move across the whole scale takes 2 times as long as none (deeper
  // commitments take longer to agree); reference: a quarter of the scale;
  double beta_move = 0.6931471805599453;  // ln 2
  double ref_move = 0.25;
  // veto players who care fully (salience 1) settle in half the time of
  // indifferent ones (salience 0); reference 0.5.
  double beta_salience = -0.6931471805599453;  // -ln 2
  double ref_salience = 0.5;
};

// What the models say about an issue, as duration covariates.
struct Covariates {
  bool blocked = false;  // the forecast does not move off the status quo
  double gap = 0;        // distance between the veto players / scale width
  double move = 0;       // |outcome - status quo| / scale width
  double salience = 0;   // mean salience of the veto players
};

// The covariates of `issue`. The veto players are the sides under parity,
// every actor with a stance under unanimity, else the actors with a veto
// (none: gap 0); a side stands at the capability-and-salience weighted mean
// of its actors' positions. REQUIRES: forecast made from scenario.
Covariates ComputeCovariates(const Scenario& scenario, const Forecast& forecast,
                             int issue);

// The time-ratio exp(sum_j beta_j (x_j - ref_j)) of these covariates.
double TimeRatio(const Covariates& x, const TimeOptions& options);

struct CurvePoint {
  Date date;
  double value = 0;
};

struct IssueTime {
  int issue = -1;  // index into Scenario::issues
  // "open" (no agreement recorded by as_of), "agreed" (an agreed or signed
  // event by as_of), "dropped" (a dropped event by as_of).
  std::string state = "open";
  std::optional<Date> agreed_on;  // state "agreed"
  std::optional<Date> start;      // when the clock started
  std::optional<Date> deadline;   // the latest one (after moves)
  Covariates covariates;
  double time_ratio = 1;
  double scale_years = 0;  // the issue's Weibull scale: baseline * ratio
  // P(agreed by date), monthly from as_of to the horizon; non-decreasing.
  std::vector<CurvePoint> agreed_by;
  std::optional<double> p_agreed_by_deadline;
  std::optional<double> p_agreed_by_horizon;
  // Delay past the deadline in months, 0 when met: median, 10th and 90th
  // percentiles (the 80% interval). Open issues with a deadline only.
  std::optional<double> delay_median_months;
  std::optional<double> delay_p10_months;
  std::optional<double> delay_p90_months;
  // Programmes with `measures`: measures done by as_of, and the expected
  // share implemented by each date of the curve, at the deadline and at the
  // horizon.
  std::optional<int> measures;
  int measures_done = 0;
  bool implemented = false;  // an `implemented` event, or every measure done
  std::vector<CurvePoint> share_implemented;
  std::optional<double> share_implemented_by_deadline;
  std::optional<double> share_implemented_by_horizon;
};

struct TimeForecast {
  Date as_of;
  Date horizon;
  std::string reference_class;  // its file; "" for none
  Baseline baseline;
  TimeOptions options;
  std::vector<IssueTime> issues;  // one per scenario issue, empty when kNone
};

// The baseline from the reference class, with the fallbacks above.
Baseline EstimateBaseline(const std::optional<ReferenceClass>& reference,
                          const Date& as_of, const TimeOptions& options);

// P(agreed by `date`) for an issue, from its IssueTime and the baseline
// (the same function the curve samples). Exact, not interpolated.
double ProbabilityAgreedBy(const IssueTime& issue, const Baseline& baseline,
                           const Date& as_of, const Date& date);

// Expected share of the programme's measures implemented by `date`.
// REQUIRES: issue.measures.
double ExpectedShareImplemented(const IssueTime& issue,
                                const Baseline& baseline, const Date& as_of,
                                const Date& date);

// P(at least `share` of the programme implemented by `date`), share in
// (0, 1]: each measure not yet adopted is adopted independently a baseline
// time after the agreement, so given agreement at a the count adopted by
// `date` is binomial(remaining, F0(date - a)); the probability is its tail,
// averaged over the agreement date. An issue without `measures` counts as one
// measure (implemented or not). share = 1: P(implemented by date).
double ProbabilityShareImplementedBy(const IssueTime& issue,
                                     const Baseline& baseline,
                                     const Date& as_of, const Date& date,
                                     double share);

// The time forecast of every issue. Fails with kInvalidArgument when the
// scenario has no as_of (nothing to count from) or the horizon is before
// as_of.
Result<TimeForecast> ForecastTime(
    const Scenario& scenario, const Forecast& forecast,
    const std::optional<ReferenceClass>& reference, const TimeOptions& options);

// An issue's IssueTime without its curves: state, start, deadline,
// covariates and scale. REQUIRES: scenario.as_of; forecast from scenario.
IssueTime PrepareIssue(const Scenario& scenario, const Forecast& forecast,
                       int issue, const Baseline& baseline,
                       const TimeOptions& options);

// The q-quantile (0 < q < 1) of the delay past the deadline in months, 0 when
// met, given no agreement by as_of. REQUIRES: issue.deadline.
double DelayMonths(const IssueTime& issue, const Baseline& baseline,
                   const Date& as_of, double q);

// Mean and 5/50/95 % quantiles (Hyndman & Fan type 7) of a figure across
// the runs of an ensemble.
struct DrawQuantiles {
  double mean = 0;
  double q05 = 0, q50 = 0, q95 = 0;
};

struct IssueTimeDraws {
  int issue = -1;
  std::optional<DrawQuantiles> p_agreed_by_deadline;  // issues with a deadline
  DrawQuantiles p_agreed_by_horizon;
  std::optional<DrawQuantiles> delay_median_months;  // open, with a deadline
};

// Time figures across the runs of an ensemble: one baseline (the reference
// class does not vary), and per run the covariates of that run's drawn
// scenario (DrawScenario with the ensemble's seed) and forecast (its
// RunRecord's outcomes and agreement).
struct EnsembleTime {
  Date as_of;
  Date horizon;
  Baseline baseline;
  std::int64_t runs = 0;
  std::vector<IssueTimeDraws> issues;  // empty when the baseline is kNone
};

// Fails as ForecastTime does (no as_of, horizon before it).
Result<EnsembleTime> SummariseEnsembleTime(
    const Scenario& scenario, const EnsemblePlan& plan, std::uint64_t seed,
    std::span<const RunRecord> runs,
    const std::optional<ReferenceClass>& reference, const TimeOptions& options);

// P(agreed by date) across the runs of an ensemble, for the report's chart
// of agreement over time: per issue, on dates every `step_months` from
// as_of to the horizon (and the horizon itself), the mean across runs (the
// probability for a run drawn at random) and the 5/50/95 % quantiles; and
// the same at the issue's deadline. Each run's curve is that of its drawn
// scenario and outcomes, as in SummariseEnsembleTime.
struct CurveDraws {
  Date date;
  DrawQuantiles p;
};
struct IssueCurveDraws {
  int issue = -1;
  std::vector<CurveDraws> agreed_by;  // in date order
  std::optional<Date> deadline;       // the latest one (after moves)
  std::optional<DrawQuantiles> agreed_by_deadline;
};
struct EnsembleCurves {
  Date as_of;
  Date horizon;
  Baseline baseline;
  std::int64_t runs = 0;
  std::vector<IssueCurveDraws> issues;  // empty: kNone baseline or no run
};

// Fails as ForecastTime does. REQUIRES: step_months >= 1.
Result<EnsembleCurves> EnsembleAgreementCurves(
    const Scenario& scenario, const EnsemblePlan& plan, std::uint64_t seed,
    std::span<const RunRecord> runs,
    const std::optional<ReferenceClass>& reference, const TimeOptions& options,
    int step_months);

// The JSON and table forms are in output.h (ForecastToJson and
// ForecastToTable with a TimeForecast).

}  // namespace unionstate

#endif  // UNIONSTATE_TIME_FORECAST_H_
