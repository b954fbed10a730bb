#include <fmt/format.h>

#include <algorithm>

#include "report/time_json.h"

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
  out["coefficients"] = {{"beta_blocked", o.beta_blocked},
                         {"beta_gap", o.beta_gap},
                         {"ref_gap", o.ref_gap},
                         {"beta_move", o.beta_move},
                         {"ref_move", o.ref_move},
                         {"beta_salience", o.beta_salience},
                         {"ref_salience", o.ref_salience},
                         {"estimated", false}};
  return out;
}

std::string TimeTable(const Scenario& scenario, const TimeForecast& time) {
  const Baseline& b = time.baseline;
  std::string out = fmt::format(
      "\nTime (as of {}, horizon {}; docs/time.md):\nBaseline: {}", 
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
                     "P(by hor.)", "delay months p50 [p10,p90]",
                     "impl. by dl");
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
