#include <fmt/format.h>

#include <algorithm>

#include "report/time_json.h"
#include "unionstate/output.h"

namespace unionstate::internal {
namespace {

using json = nlohmann::ordered_json;

json Optional(const std::optional<double>& x) {
  return x ? json(*x) : json(nullptr);
}
json OptionalDate(const std::optional<Date>& d) {
  return d ? json(d->ToString()) : json(nullptr);
}

json Curve(const std::vector<CurvePoint>& curve, const char* key) {
  json out = json::array();
  for (const CurvePoint& p : curve)
    out.push_back({{"date", p.date.ToString()}, {key, p.value}});
  return out;
}

const IssueTime* Find(const TimeForecast& time, int issue) {
  for (const IssueTime& t : time.issues)
    if (t.issue == issue) return &t;
  return nullptr;
}

std::string Percent(const std::optional<double>& p) {
  return p ? fmt::format("{:.1f}%", 100 * *p) : "-";
}

}  // namespace

void AddIssueTimeJson(json& entry, const TimeForecast& time, int issue) {
  const IssueTime* t = Find(time, issue);
  entry["deadline"] = t ? OptionalDate(t->deadline) : json(nullptr);
  entry["p_agreed_by_deadline"] =
      t ? Optional(t->p_agreed_by_deadline) : json(nullptr);
  if (t == nullptr) {
    entry["time"] = nullptr;
    return;
  }
  json out;
  out["state"] = t->state;
  out["agreed_on"] = OptionalDate(t->agreed_on);
  out["start"] = OptionalDate(t->start);
  out["covariates"] = {{"blocked", t->covariates.blocked},
                       {"gap", t->covariates.gap},
                       {"move", t->covariates.move},
                       {"salience", t->covariates.salience}};
  out["time_ratio"] = t->time_ratio;
  out["scale_years"] = t->scale_years;
  out["p_agreed_by_horizon"] = Optional(t->p_agreed_by_horizon);
  if (t->delay_median_months) {
    out["delay_months"] = {{"median", *t->delay_median_months},
                           {"p10", *t->delay_p10_months},
                           {"p90", *t->delay_p90_months}};
  } else {
    out["delay_months"] = nullptr;
  }
  out["agreed_by"] = Curve(t->agreed_by, "p");
  if (t->measures) {
    out["measures"] = *t->measures;
    out["measures_done"] = t->measures_done;
    out["share_implemented_by_deadline"] =
        Optional(t->share_implemented_by_deadline);
    out["share_implemented_by_horizon"] =
        Optional(t->share_implemented_by_horizon);
    out["share_implemented"] = Curve(t->share_implemented, "share");
  } else {
    out["measures"] = nullptr;
  }
  entry["time"] = std::move(out);
}

json TimeJson(const TimeForecast& time) {
  const Baseline& b = time.baseline;
  const TimeOptions& o = time.options;
  json out;
  out["as_of"] = time.as_of.ToString();
  out["horizon"] = time.horizon.ToString();
  out["reference_class"] =
      time.reference_class.empty() ? json(nullptr) : json(time.reference_class);
  out["baseline"] = {{"method", BaselineMethodName(b.method)},
                     {"shape", b.shape},
                     {"scale_years", b.scale},
                     {"spells", b.spells},
                     {"deliveries", b.deliveries},
                     {"exposure_years", b.exposure_years},
                     {"log_likelihood", b.log_likelihood},
                     {"note", b.note}};
  out["coefficients"] = {
      {"beta_blocked", o.beta_blocked}, {"beta_gap", o.beta_gap},
      {"ref_gap", o.ref_gap},           {"beta_move", o.beta_move},
      {"ref_move", o.ref_move},         {"beta_salience", o.beta_salience},
      {"ref_salience", o.ref_salience}, {"estimated", false}};
  return out;
}

std::string TimeTable(const Scenario& scenario, const TimeForecast& time) {
  const Baseline& b = time.baseline;
  std::string out =
      fmt::format("\nTime (as of {}, horizon {}; docs/time.md):\nBaseline: {}",
                  time.as_of.ToString(), time.horizon.ToString(),
                  BaselineMethodName(b.method));
  if (b.method != Baseline::Method::kNone) {
    out += fmt::format(", shape {:.3g}, scale {:.3g} years", b.shape, b.scale);
  }
  out += fmt::format("\n  {}\n", b.note);
  if (time.issues.empty()) return out;
  size_t id_width = 5;
  for (const Issue& issue : scenario.issues)
    id_width = std::max(id_width, issue.id.size());
  out += fmt::format("{:<{}}  {:<7}  {:<10}  {:>10}  {:>10}  {:>26}  {:>11}\n",
                     "issue", id_width, "state", "deadline", "P(by dl)",
                     "P(by hor.)", "delay months p50 [p10,p90]", "impl. by dl");
  for (const IssueTime& t : time.issues) {
    std::string delay = "-";
    if (t.delay_median_months) {
      delay = fmt::format("{:.0f} [{:.0f}, {:.0f}]", *t.delay_median_months,
                          *t.delay_p10_months, *t.delay_p90_months);
    }
    out += fmt::format(
        "{:<{}}  {:<7}  {:<10}  {:>10}  {:>10}  {:>26}  {:>11}\n",
        scenario.issues[static_cast<size_t>(t.issue)].id, id_width, t.state,
        t.deadline ? t.deadline->ToString() : "-",
        Percent(t.p_agreed_by_deadline), Percent(t.p_agreed_by_horizon), delay,
        Percent(t.share_implemented_by_deadline));
  }
  return out;
}

}  // namespace unionstate::internal

namespace unionstate {
namespace {

nlohmann::ordered_json QuantilesJson(const std::optional<DrawQuantiles>& q) {
  if (!q) return nullptr;
  return {{"mean", q->mean}, {"q05", q->q05}, {"q50", q->q50}, {"q95", q->q95}};
}

}  // namespace

std::string AddEnsembleTimeToJson(const std::string& ensemble_json,
                                  const Scenario& scenario,
                                  const EnsembleTime& time) {
  using json = nlohmann::ordered_json;
  json out = json::parse(ensemble_json);
  json t;
  t["as_of"] = time.as_of.ToString();
  t["horizon"] = time.horizon.ToString();
  t["runs"] = time.runs;
  t["baseline"] = {{"method", BaselineMethodName(time.baseline.method)},
                   {"shape", time.baseline.shape},
                   {"scale_years", time.baseline.scale},
                   {"deliveries", time.baseline.deliveries},
                   {"note", time.baseline.note}};
  json issues = json::array();
  for (const IssueTimeDraws& d : time.issues) {
    issues.push_back(
        {{"id", scenario.issues[static_cast<size_t>(d.issue)].id},
         {"p_agreed_by_deadline", QuantilesJson(d.p_agreed_by_deadline)},
         {"p_agreed_by_horizon", QuantilesJson(d.p_agreed_by_horizon)},
         {"delay_median_months", QuantilesJson(d.delay_median_months)}});
  }
  t["issues"] = std::move(issues);
  out["time"] = std::move(t);
  return out.dump(2) + "\n";
}

std::string EnsembleTimeToTable(const Scenario& scenario,
                                const EnsembleTime& time) {
  std::string out = fmt::format(
      "\nTime over {} runs (as of {}, horizon {}; docs/time.md)\nBaseline: "
      "{}\n  {}\n",
      time.runs, time.as_of.ToString(), time.horizon.ToString(),
      BaselineMethodName(time.baseline.method), time.baseline.note);
  if (time.issues.empty()) return out;
  size_t width = 5;
  for (const Issue& issue : scenario.issues)
    width = std::max(width, issue.id.size());
  auto range = [](const std::optional<DrawQuantiles>& q, double scale,
                  const char* format) {
    if (!q) return std::string("-");
    return fmt::format(fmt::runtime(format), scale * q->q50, scale * q->q05,
                       scale * q->q95);
  };
  out += fmt::format("{:<{}}  {:>24}  {:>24}  {:>22}\n", "issue", width,
                     "P(by deadline) % [5,95]", "P(by horizon) % [5,95]",
                     "delay months [5,95]");
  for (const IssueTimeDraws& d : time.issues) {
    out += fmt::format(
        "{:<{}}  {:>24}  {:>24}  {:>22}\n",
        scenario.issues[static_cast<size_t>(d.issue)].id, width,
        range(d.p_agreed_by_deadline, 100, "{:.1f} [{:.1f}, {:.1f}]"),
        range(d.p_agreed_by_horizon, 100, "{:.1f} [{:.1f}, {:.1f}]"),
        range(d.delay_median_months, 1, "{:.0f} [{:.0f}, {:.0f}]"));
  }
  return out;
}

}  // namespace unionstate
