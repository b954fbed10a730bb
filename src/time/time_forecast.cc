#include "unionstate/time_forecast.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "common/check.h"
#include "unionstate/calendar.h"

namespace unionstate {
namespace {

// Weibull survival with the issue's scale; t <= 0 survives surely.
double Survival(double years, double shape, double scale) {
  if (years <= 0) return 1;
  return std::exp(-std::pow(years / scale, shape));
}

// The profile score of the Weibull shape (see FitWeibull); increasing in k.
double ProfileScore(std::span<const Spell> spells, double k,
                    double mean_log_delivered) {
  // Scaled by the largest t^k to keep sums finite for large k.
  double max_log = -std::numeric_limits<double>::infinity();
  for (const Spell& s : spells) max_log = std::max(max_log, std::log(s.years));
  double sum = 0, sum_log = 0;
  for (const Spell& s : spells) {
    double lt = std::log(s.years);
    double w = std::exp(k * (lt - max_log));
    sum += w;
    sum_log += w * lt;
  }
  return sum_log / sum - 1 / k - mean_log_delivered;
}

// The veto players' positions and saliences on an issue (see
// ComputeCovariates).
struct VetoPlayer {
  double position;
  double salience;
};

std::vector<VetoPlayer> VetoPlayers(const Scenario& scenario, int issue) {
  const Issue& is = scenario.issues[static_cast<size_t>(issue)];
  std::vector<VetoPlayer> players;
  if (is.rule == DecisionRule::kParity) {
    for (const std::string& side : scenario.Sides()) {
      double weight = 0, position = 0, salience = 0;
      int count = 0;
      for (size_t a = 0; a < scenario.actors.size(); ++a) {
        if (scenario.actors[a].side != side) continue;
        const Stance* st = scenario.FindStance(static_cast<int>(a), issue);
        if (st == nullptr) continue;
        double w = scenario.CapabilityOf(*st) * st->salience.value;
        weight += w;
        position += w * st->position.value;
        salience += st->salience.value;
        ++count;
      }
      if (count == 0) continue;
      players.push_back({weight > 0 ? position / weight
                                    : std::numeric_limits<double>::quiet_NaN(),
                         salience / count});
      if (!(weight > 0)) {
        // Nobody on the side weighs anything: the plain mean.
        double mean = 0;
        for (size_t a = 0; a < scenario.actors.size(); ++a) {
          if (scenario.actors[a].side != side) continue;
          if (const Stance* st =
                  scenario.FindStance(static_cast<int>(a), issue)) {
            mean += st->position.value;
          }
        }
        players.back().position = mean / count;
      }
    }
    return players;
  }
  for (size_t a = 0; a < scenario.actors.size(); ++a) {
    bool veto = is.rule == DecisionRule::kUnanimity || scenario.actors[a].veto;
    if (!veto) continue;
    if (const Stance* st = scenario.FindStance(static_cast<int>(a), issue))
      players.push_back({st->position.value, st->salience.value});
  }
  return players;
}

}  // namespace

std::string_view BaselineMethodName(Baseline::Method method) {
  switch (method) {
    case Baseline::Method::kWeibull:
      return "weibull-mle";
    case Baseline::Method::kExponential:
      return "exponential-mle";
    case Baseline::Method::kNone:
      return "none";
  }
  return "none";
}

double WeibullLogLikelihood(std::span<const Spell> spells, double shape,
                            double scale) {
  double ll = 0;
  for (const Spell& s : spells) {
    if (s.delivered) {
      ll += std::log(shape) - shape * std::log(scale) +
            (shape - 1) * std::log(s.years);
    }
    ll -= std::pow(s.years / scale, shape);
  }
  return ll;
}

namespace {

void Describe(Baseline& b, std::span<const Spell> spells) {
  b.spells = static_cast<int>(spells.size());
  b.deliveries = 0;
  b.exposure_years = 0;
  for (const Spell& s : spells) {
    b.deliveries += s.delivered ? 1 : 0;
    b.exposure_years += s.years;
  }
}

}  // namespace

Baseline FitExponential(std::span<const Spell> spells) {
  Baseline b;
  Describe(b, spells);
  US_CHECK(b.deliveries > 0, "FitExponential without a delivery");
  b.method = Baseline::Method::kExponential;
  b.shape = 1;
  b.scale = b.exposure_years / b.deliveries;
  b.log_likelihood = WeibullLogLikelihood(spells, b.shape, b.scale);
  return b;
}

Baseline FitWeibull(std::span<const Spell> spells) {
  Baseline b;
  Describe(b, spells);
  US_CHECK(b.deliveries >= 2, "FitWeibull needs two deliveries");
  double mean_log = 0;
  double first = -1;
  bool distinct = false;
  for (const Spell& s : spells) {
    if (!s.delivered) continue;
    mean_log += std::log(s.years);
    if (first < 0) first = s.years;
    distinct = distinct || s.years != first;
  }
  US_CHECK(distinct, "FitWeibull needs deliveries at distinct times");
  mean_log /= b.deliveries;
  // The score rises from -inf (k -> 0) to a limit; bisection, then Newton
  // steps with a numerical derivative while they stay in the bracket.
  double lo = 0.05, hi = 50;
  if (ProfileScore(spells, hi, mean_log) < 0) {
    lo = hi;  // the likelihood still rises at k = 50: cap there
  } else if (ProfileScore(spells, lo, mean_log) > 0) {
    hi = lo;
  } else {
    for (int it = 0; it < 200 && hi - lo > 1e-13 * hi; ++it) {
      double mid = 0.5 * (lo + hi);
      (ProfileScore(spells, mid, mean_log) < 0 ? lo : hi) = mid;
    }
  }
  double k = 0.5 * (lo + hi);
  double max_log = -std::numeric_limits<double>::infinity();
  for (const Spell& s : spells) max_log = std::max(max_log, std::log(s.years));
  double sum = 0;
  for (const Spell& s : spells)
    sum += std::exp(k * (std::log(s.years) - max_log));
  b.method = Baseline::Method::kWeibull;
  b.shape = k;
  b.scale = std::exp(max_log + std::log(sum / b.deliveries) / k);
  b.log_likelihood = WeibullLogLikelihood(spells, b.shape, b.scale);
  return b;
}

Baseline EstimateBaseline(const std::optional<ReferenceClass>& reference,
                          const Date& as_of, const TimeOptions& options) {
  Baseline b;
  if (!reference) {
    b.note =
        "no reference class (set [scenario] reference_class): nothing to "
        "estimate the time to agreement from, so no time figures";
    return b;
  }
  std::vector<Spell> spells = SpellsAsOf(*reference, as_of);
  Describe(b, spells);
  std::string what = fmt::format(
      "{} promises of {} dated on or before {} ({} delivered by then, {:.1f} "
      "years of exposure; later deliveries censored)",
      spells.size(), reference->file, as_of.ToString(), b.deliveries,
      b.exposure_years);
  if (b.deliveries == 0) {
    b.note = "too little dated data: " + what +
             "; no delivery to estimate from, so no time figures";
    return b;
  }
  bool distinct = false;
  double first = -1;
  for (const Spell& s : spells) {
    if (!s.delivered) continue;
    if (first < 0) first = s.years;
    distinct = distinct || s.years != first;
  }
  if (b.deliveries >= options.min_events_weibull && distinct) {
    b = FitWeibull(spells);
    b.note = "Weibull maximum likelihood from " + what;
    return b;
  }
  b = FitExponential(spells);
  b.note = fmt::format(
      "too little dated data for a Weibull shape (fewer than {} deliveries): "
      "exponential maximum likelihood, shape fixed at 1, from {}",
      options.min_events_weibull, what);
  return b;
}

Covariates ComputeCovariates(const Scenario& scenario, const Forecast& forecast,
                             int issue) {
  US_CHECK(issue >= 0 && static_cast<size_t>(issue) < scenario.issues.size() &&
               forecast.issues.size() == scenario.issues.size(),
           "ComputeCovariates: forecast does not match the scenario");
  const Issue& is = scenario.issues[static_cast<size_t>(issue)];
  const IssueForecast& f = forecast.issues[static_cast<size_t>(issue)];
  double width = is.max - is.min;
  Covariates x;
  x.blocked = !f.agreement;
  if (is.status_quo)
    x.move = std::abs(f.outcome - is.status_quo->value) / width;
  std::vector<VetoPlayer> players = VetoPlayers(scenario, issue);
  if (!players.empty()) {
    double lo = players[0].position, hi = players[0].position, sal = 0;
    for (const VetoPlayer& p : players) {
      lo = std::min(lo, p.position);
      hi = std::max(hi, p.position);
      sal += p.salience;
    }
    x.gap = (hi - lo) / width;
    x.salience = sal / static_cast<double>(players.size());
  }
  x.move = std::clamp(x.move, 0.0, 1.0);
  x.gap = std::clamp(x.gap, 0.0, 1.0);
  return x;
}

double TimeRatio(const Covariates& x, const TimeOptions& o) {
  return std::exp(o.beta_blocked * (x.blocked ? 1 : 0) +
                  o.beta_gap * (x.gap - o.ref_gap) +
                  o.beta_move * (x.move - o.ref_move) +
                  o.beta_salience * (x.salience - o.ref_salience));
}

double ProbabilityAgreedBy(const IssueTime& issue, const Baseline& baseline,
                           const Date& as_of, const Date& date) {
  if (issue.state == "dropped") return 0;
  if (issue.state == "agreed") {
    return issue.agreed_on && !(date < *issue.agreed_on) ? 1 : 0;
  }
  if (date < as_of) return 0;
  Date start = issue.start.value_or(as_of);
  double elapsed = YearsBetween(start, as_of);
  double t = YearsBetween(start, date);
  double s0 = Survival(elapsed, baseline.shape, issue.scale_years);
  double s = Survival(t, baseline.shape, issue.scale_years);
  return s0 > 0 ? 1 - s / s0 : 1;
}

namespace {

// E over the agreement date of fn(agreement date), for an agreed or open
// issue: a known date, or month by month the probability of agreeing in the
// month times fn at its middle. Dropped issues: 0.
template <class Fn>
double ExpectOverAgreement(const IssueTime& issue, const Baseline& baseline,
                           const Date& as_of, const Date& date, Fn fn) {
  if (issue.state == "agreed") return fn(issue.agreed_on.value_or(as_of));
  if (issue.state != "open" || date < as_of) return 0;
  double expected = 0, previous = 0;
  for (Date month_end = AddMonths(as_of, 1);;
       month_end = AddMonths(month_end, 1)) {
    Date end = date < month_end ? date : month_end;
    double p = ProbabilityAgreedBy(issue, baseline, as_of, end);
    Date middle = DateFromDayNumber(
        (DayNumber(AddMonths(month_end, -1)) + DayNumber(end)) / 2);
    expected += (p - previous) * fn(middle);
    previous = p;
    if (!(month_end < date)) break;
  }
  return expected;
}

// P(Binomial(n, p) >= k).
double BinomialTail(int n, double p, int k) {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  double pmf = std::pow(1 - p, n);  // P(X = 0)
  double below = 0;
  for (int j = 0; j < k; ++j) {
    below += pmf;
    pmf *= static_cast<double>(n - j) / (j + 1) * p / (1 - p);
  }
  return std::clamp(1 - below, 0.0, 1.0);
}

}  // namespace

double ExpectedShareImplemented(const IssueTime& issue,
                                const Baseline& baseline, const Date& as_of,
                                const Date& date) {
  US_CHECK(issue.measures.has_value(), "share of a programme without measures");
  double m = *issue.measures;
  double done = std::min<double>(issue.measures_done, m) / m;
  if (done >= 1 || date < as_of) return done;
  // Each remaining measure is adopted a baseline time after agreement.
  double expected = ExpectOverAgreement(
      issue, baseline, as_of, date, [&](const Date& agreed) {
        double t = YearsBetween(agreed, date);
        return 1 - Survival(t, baseline.shape, baseline.scale);
      });
  return done + (1 - done) * expected;
}

double ProbabilityShareImplementedBy(const IssueTime& issue,
                                     const Baseline& baseline,
                                     const Date& as_of, const Date& date,
                                     double share) {
  US_CHECK(share > 0 && share <= 1, "share outside (0, 1]");
  int m = issue.measures.value_or(1);
  int done = issue.implemented ? m : std::min(issue.measures_done, m);
  int needed = static_cast<int>(std::ceil(share * m - 1e-9)) - done;
  if (needed <= 0) return 1;
  if (date < as_of) return 0;
  int remaining = m - done;
  return ExpectOverAgreement(
      issue, baseline, as_of, date, [&](const Date& agreed) {
        double t = YearsBetween(agreed, date);
        double p = 1 - Survival(t, baseline.shape, baseline.scale);
        return BinomialTail(remaining, p, needed);
      });
}

double DelayMonths(const IssueTime& t, const Baseline& baseline,
                   const Date& as_of, double q) {
  US_CHECK(t.deadline.has_value() && q > 0 && q < 1,
           "DelayMonths without a deadline or with q outside (0, 1)");
  // Quantiles of T given T > elapsed, in closed form:
  // S(t_q) / S(e) = 1 - q  =>  t_q = scale ((e / scale)^k - ln(1-q))^(1/k).
  Date start = t.start.value_or(as_of);
  double e = YearsBetween(start, as_of);
  double k = baseline.shape;
  double tq = t.scale_years *
              std::pow(std::pow(e / t.scale_years, k) - std::log1p(-q), 1 / k);
  return std::max(0.0, (tq - YearsBetween(start, *t.deadline)) * 12);
}

IssueTime PrepareIssue(const Scenario& scenario, const Forecast& forecast,
                       int issue, const Baseline& baseline,
                       const TimeOptions& options) {
  const Date as_of = *scenario.as_of;
  const Issue& is = scenario.issues[static_cast<size_t>(issue)];
  IssueTime t;
  t.issue = issue;
  t.deadline = is.deadline;
  t.start = is.opened;
  t.measures = is.measures;
  for (const TimelineEvent& e : scenario.events) {
    if (e.issue != t.issue) continue;
    switch (e.kind) {
      case TimelineEventKind::kProposed:
      case TimelineEventKind::kNegotiated:
        if (!t.start) t.start = e.date;
        break;
      case TimelineEventKind::kAgreed:
      case TimelineEventKind::kSigned:
        if (t.state != "agreed") {
          t.state = "agreed";
          t.agreed_on = e.date;
        }
        break;
      case TimelineEventKind::kDropped:
        t.state = "dropped";
        break;
      case TimelineEventKind::kPostponed:
      case TimelineEventKind::kDeadlineMoved:
        if (e.new_deadline) t.deadline = e.new_deadline;
        break;
      case TimelineEventKind::kMeasureAdopted:
        t.measures_done += e.count;
        break;
      case TimelineEventKind::kImplemented:
        t.implemented = true;
        if (t.measures) t.measures_done = *t.measures;
        break;
      case TimelineEventKind::kShock:
        break;
    }
  }
  if (t.measures) {
    t.measures_done = std::min(t.measures_done, *t.measures);
    t.implemented = t.implemented || t.measures_done == *t.measures;
  }
  if (t.start && as_of < *t.start) t.start = as_of;
  t.covariates = ComputeCovariates(scenario, forecast, t.issue);
  t.time_ratio = TimeRatio(t.covariates, options);
  t.scale_years = baseline.scale * t.time_ratio;
  return t;
}

Result<TimeForecast> ForecastTime(
    const Scenario& scenario, const Forecast& forecast,
    const std::optional<ReferenceClass>& reference,
    const TimeOptions& options) {
  if (!scenario.as_of) {
    return InvalidArgument(
        "the scenario has no as_of date; expected `as_of` in [scenario] for "
        "time forecasts (they count from it)");
  }
  const Date as_of = *scenario.as_of;
  if (!options.horizon.IsValid() || options.horizon < as_of) {
    return InvalidArgument(fmt::format(
        "--horizon {} is before the scenario's as_of {}; expected a date on "
        "or after it",
        options.horizon.ToString(), as_of.ToString()));
  }
  US_CHECK(forecast.issues.size() == scenario.issues.size(),
           "ForecastTime: forecast does not match the scenario");
  TimeForecast out;
  out.as_of = as_of;
  out.horizon = options.horizon;
  out.reference_class = reference ? reference->file : "";
  out.options = options;
  out.baseline = EstimateBaseline(reference, as_of, options);
  if (out.baseline.method == Baseline::Method::kNone) return out;

  std::vector<Date> grid;
  for (Date d = as_of; !(options.horizon < d); d = AddMonths(d, 1))
    grid.push_back(d);
  if (grid.back() < options.horizon) grid.push_back(options.horizon);

  for (size_t i = 0; i < scenario.issues.size(); ++i) {
    IssueTime t = PrepareIssue(scenario, forecast, static_cast<int>(i),
                               out.baseline, options);

    double previous = 0;
    for (const Date& d : grid) {
      // max() keeps the curve non-decreasing against rounding.
      previous =
          std::max(previous, ProbabilityAgreedBy(t, out.baseline, as_of, d));
      t.agreed_by.push_back({d, previous});
    }
    t.p_agreed_by_horizon = t.agreed_by.back().value;
    if (t.deadline) {
      t.p_agreed_by_deadline =
          ProbabilityAgreedBy(t, out.baseline, as_of, *t.deadline);
    }
    if (t.deadline && t.state == "open") {
      t.delay_median_months = DelayMonths(t, out.baseline, as_of, 0.5);
      t.delay_p10_months = DelayMonths(t, out.baseline, as_of, 0.1);
      t.delay_p90_months = DelayMonths(t, out.baseline, as_of, 0.9);
    }
    if (t.measures) {
      double previous_share = 0;
      for (const Date& d : grid) {
        previous_share =
            std::max(previous_share,
                     ExpectedShareImplemented(t, out.baseline, as_of, d));
        t.share_implemented.push_back({d, previous_share});
      }
      t.share_implemented_by_horizon = t.share_implemented.back().value;
      if (t.deadline) {
        t.share_implemented_by_deadline =
            ExpectedShareImplemented(t, out.baseline, as_of, *t.deadline);
      }
    }
    out.issues.push_back(std::move(t));
  }
  return out;
}

namespace {

DrawQuantiles Quantiles(std::vector<double> x) {
  DrawQuantiles out;
  if (x.empty()) return out;
  std::sort(x.begin(), x.end());
  double sum = 0;
  for (double v : x) sum += v;
  out.mean = sum / static_cast<double>(x.size());
  auto at = [&](double q) {
    double h = (static_cast<double>(x.size()) - 1) * q;
    size_t lo = static_cast<size_t>(std::floor(h));
    size_t hi = std::min(lo + 1, x.size() - 1);
    return x[lo] + (h - static_cast<double>(lo)) * (x[hi] - x[lo]);
  };
  out.q05 = at(0.05);
  out.q50 = at(0.5);
  out.q95 = at(0.95);
  return out;
}

// Writes a run's drawn values into `s` (the inverse of DrawScenario's
// reading of the plan).
void SetDraws(const EnsemblePlan& plan, const std::vector<double>& values,
              Scenario& s) {
  for (size_t k = 0; k < plan.inputs.size(); ++k) {
    const UncertainInput& in = plan.inputs[k];
    double x = values[k];
    switch (in.field) {
      case UncertainInput::Field::kCapability:
        if (in.stance_capability) {
          s.stances[static_cast<size_t>(in.stance)].capability->value = x;
        } else {
          s.actors[static_cast<size_t>(in.actor)].capability.value = x;
        }
        break;
      case UncertainInput::Field::kStatusQuo:
        s.issues[static_cast<size_t>(in.issue)].status_quo->value = x;
        break;
      case UncertainInput::Field::kPosition:
        s.stances[static_cast<size_t>(in.stance)].position.value = x;
        break;
      case UncertainInput::Field::kSalience:
        s.stances[static_cast<size_t>(in.stance)].salience.value = x;
        break;
    }
  }
}

// Checks the dates as ForecastTime does.
Result<void> CheckHorizon(const Scenario& scenario, const Date& horizon) {
  if (!scenario.as_of) {
    return InvalidArgument(
        "the scenario has no as_of date; expected `as_of` in [scenario] for "
        "time forecasts (they count from it)");
  }
  if (horizon < *scenario.as_of) {
    return InvalidArgument(fmt::format(
        "--horizon {} is before the scenario's as_of {}; expected a date on "
        "or after it",
        horizon.ToString(), scenario.as_of->ToString()));
  }
  return {};
}

// Calls visit(issue, IssueTime) for every run and issue: the issue prepared
// from the run's drawn scenario (its stored draws, else drawn again from the
// seed) and the run's outcomes and agreement.
template <typename Visit>
void ForEachRunIssue(const Scenario& scenario, const EnsemblePlan& plan,
                     std::uint64_t seed, std::span<const RunRecord> runs,
                     const Baseline& baseline, const TimeOptions& options,
                     Visit visit) {
  const size_t n = scenario.issues.size();
  Forecast forecast;
  forecast.issues.resize(n);
  Scenario drawn = scenario;  // one working copy, its draws set per run
  for (const RunRecord& run : runs) {
    US_CHECK(run.outcomes.size() == n && run.agreement.size() == n,
             "a run record does not match the scenario");
    if (run.inputs.size() == plan.inputs.size()) {
      SetDraws(plan, run.inputs, drawn);  // the values the run drew
    } else {
      drawn = DrawScenario(scenario, plan, seed, run.run);  // draw again
    }
    for (size_t i = 0; i < n; ++i) {
      forecast.issues[i].issue = static_cast<int>(i);
      forecast.issues[i].outcome = run.outcomes[i];
      forecast.issues[i].agreement = run.agreement[i] != 0;
    }
    for (size_t i = 0; i < n; ++i) {
      visit(i, PrepareIssue(drawn, forecast, static_cast<int>(i), baseline,
                            options));
    }
  }
}

}  // namespace

Result<EnsembleTime> SummariseEnsembleTime(
    const Scenario& scenario, const EnsemblePlan& plan, std::uint64_t seed,
    std::span<const RunRecord> runs,
    const std::optional<ReferenceClass>& reference,
    const TimeOptions& options) {
  if (Result<void> ok = CheckHorizon(scenario, options.horizon); !ok)
    return std::unexpected(ok.error());
  const Date as_of = *scenario.as_of;
  EnsembleTime out;
  out.as_of = as_of;
  out.horizon = options.horizon;
  out.runs = static_cast<std::int64_t>(runs.size());
  out.baseline = EstimateBaseline(reference, as_of, options);
  if (out.baseline.method == Baseline::Method::kNone) return out;
  const size_t n = scenario.issues.size();
  std::vector<std::vector<double>> by_deadline(n), by_horizon(n), delay(n);
  ForEachRunIssue(
      scenario, plan, seed, runs, out.baseline, options,
      [&](size_t i, const IssueTime& t) {
        by_horizon[i].push_back(
            ProbabilityAgreedBy(t, out.baseline, as_of, options.horizon));
        if (t.deadline) {
          by_deadline[i].push_back(
              ProbabilityAgreedBy(t, out.baseline, as_of, *t.deadline));
          if (t.state == "open")
            delay[i].push_back(DelayMonths(t, out.baseline, as_of, 0.5));
        }
      });
  for (size_t i = 0; i < n; ++i) {
    IssueTimeDraws d;
    d.issue = static_cast<int>(i);
    d.p_agreed_by_horizon = Quantiles(by_horizon[i]);
    if (!by_deadline[i].empty())
      d.p_agreed_by_deadline = Quantiles(by_deadline[i]);
    if (!delay[i].empty()) d.delay_median_months = Quantiles(delay[i]);
    out.issues.push_back(d);
  }
  return out;
}

Result<EnsembleCurves> EnsembleAgreementCurves(
    const Scenario& scenario, const EnsemblePlan& plan, std::uint64_t seed,
    std::span<const RunRecord> runs,
    const std::optional<ReferenceClass>& reference, const TimeOptions& options,
    int step_months) {
  US_CHECK(step_months >= 1, "EnsembleAgreementCurves: step_months >= 1");
  if (Result<void> ok = CheckHorizon(scenario, options.horizon); !ok)
    return std::unexpected(ok.error());
  const Date as_of = *scenario.as_of;
  EnsembleCurves out;
  out.as_of = as_of;
  out.horizon = options.horizon;
  out.runs = static_cast<std::int64_t>(runs.size());
  out.baseline = EstimateBaseline(reference, as_of, options);
  if (out.baseline.method == Baseline::Method::kNone || runs.empty())
    return out;
  std::vector<Date> grid;
  for (Date d = as_of; !(options.horizon < d); d = AddMonths(d, step_months))
    grid.push_back(d);
  if (grid.back() < options.horizon) grid.push_back(options.horizon);
  const size_t n = scenario.issues.size();
  // values[i][g]: P(agreed by grid[g]) of issue i, one entry per run;
  // at_deadline[i]: the same at the issue's deadline in that run.
  std::vector<std::vector<std::vector<double>>> values(
      n, std::vector<std::vector<double>>(grid.size()));
  std::vector<std::vector<double>> at_deadline(n);
  std::vector<std::optional<Date>> deadline(n);
  ForEachRunIssue(
      scenario, plan, seed, runs, out.baseline, options,
      [&](size_t i, const IssueTime& t) {
        double previous = 0;
        for (size_t g = 0; g < grid.size(); ++g) {
          previous = std::max(
              previous, ProbabilityAgreedBy(t, out.baseline, as_of, grid[g]));
          values[i][g].push_back(previous);
        }
        if (t.deadline) {
          deadline[i] = t.deadline;
          at_deadline[i].push_back(
              ProbabilityAgreedBy(t, out.baseline, as_of, *t.deadline));
        }
      });
  for (size_t i = 0; i < n; ++i) {
    IssueCurveDraws c;
    c.issue = static_cast<int>(i);
    for (size_t g = 0; g < grid.size(); ++g) {
      c.agreed_by.push_back({grid[g], Quantiles(std::move(values[i][g]))});
    }
    // The deadline does not vary across runs (no input perturbs it).
    if (deadline[i] && at_deadline[i].size() == runs.size()) {
      c.deadline = deadline[i];
      c.agreed_by_deadline = Quantiles(std::move(at_deadline[i]));
    }
    out.issues.push_back(std::move(c));
  }
  return out;
}

}  // namespace unionstate
